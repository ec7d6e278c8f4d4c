"""The FastAPI application: services, routers, problems, limits and OpenAPI."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import problems
from api.auth import KeyRing
from api.db import make_engine, migrate
from api.decision_log import DecisionLog
from api.limits import BodyLimit
from api.rulesets import RulesRegistry, RulesWatcher
from api.settings import Settings
from api.workers import WorkerPool

log = logging.getLogger("utvalg.api")

DESCRIPTION = """\
Beslutningsstøtte for Statsforvalterens utvalg av kommuner til Utdanningsdirektoratets
Læringsmiljøprosjektet, pulje 5. Tjenesten vurderer søknader etter reglene i `rules/`,
lagrer hver vurdering i en beslutningslogg som aldri endres, og rangerer per fylke.

**Tilgang:** send API-nøkkelen som `Authorization: Bearer <nøkkel>` eller `X-API-Key`.
Roller: `reader` leser regelsett og vurderinger, `caseworker` vurderer og rangerer også,
`admin` kan i tillegg laste reglene på nytt.

**Feil** er `application/problem+json` med `errors: [{loc, code, msg}]`; ugyldige inndata
gir 422 med alle feilene listet.

**Vurderings-id og søknads-id:** hver vurdering får sin egen id (`ev-…`, i `Location` og
`Utvalg-Evaluation-Id`). `GET /v1/evaluations/{id}` godtar også søknadens id og gir da den
nyeste vurderingen av søknaden; eldre vurderinger blir stående uendret.
"""


@dataclass
class Services:
    """What the routes use: settings, keys, rules, workers and the decision log."""

    settings: Settings
    keys: KeyRing
    rules: RulesRegistry
    pool: WorkerPool
    log: DecisionLog
    watcher: RulesWatcher | None = None


def build_services(settings: Settings) -> Services:
    """Create the services (not started)."""
    pool = WorkerPool(
        settings.worker_count(),
        timeout=settings.eval_timeout_seconds,
        max_per_call=settings.max_batch_per_worker_call,
    )
    rules = RulesRegistry(settings.rules_dir, on_load=pool.register, examples=settings.examples_dir)
    engine = make_engine(settings.resolved_database_url())
    return Services(settings, KeyRing(settings.keys()), rules, pool, DecisionLog(engine))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; services start with the app's lifespan."""
    settings = settings if settings is not None else Settings()
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start(services)
        try:
            yield
        finally:
            stop(services)

    app = FastAPI(
        title="utvalg",
        version="1",
        summary="Utvalg til Læringsmiljøprosjektet (pulje 5): vurdering, rangering og logg.",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    problems.install(app)
    from api.routes import evaluations, health, rankings, rulesets

    for module in (evaluations, rankings, rulesets, health):
        app.include_router(module.router)
    from api.survey import routes as survey_routes

    app.include_router(survey_routes.router)  # Elevundersøkelsen import (api/survey)
    from api import web

    web.install(app)  # the pages for the office (api/web)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        paths={survey_routes.UPLOAD_PATH: survey_routes.MAX_UPLOAD_BYTES},
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


async def start(services: Services) -> None:
    """Migrate the database, load the rules, start the log writer, workers and watcher."""
    import anyio.to_thread

    await anyio.to_thread.run_sync(migrate, services.log.engine)
    services.log.start()
    services.rules.load()
    services.pool.start()
    if services.settings.watch:
        services.watcher = RulesWatcher(services.rules, services.settings.watch_interval_seconds)
        services.watcher.start()
    if services.settings.seed_examples:
        from api.seed import seed_examples

        await anyio.to_thread.run_sync(seed_examples, services)
    # the app, rules and imported modules live as long as the process: keep them out of
    # the garbage collector's full passes (shorter pauses in the slowest answers)
    gc.collect()
    gc.freeze()


def stop(services: Services) -> None:
    """Stop the watcher, the workers and the log writer."""
    if services.watcher is not None:
        services.watcher.stop()
    services.pool.close()
    services.log.close()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    from api.openapi import decorate

    app.openapi_schema = decorate(schema)
    return schema
