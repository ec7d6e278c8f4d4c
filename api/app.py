"""The FastAPI application: the composition root (services, routers, pages, problems, limits)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from api.http import (
    cases,
    docs,
    evaluations,
    health,
    invitations,
    problems,
    rankings,
    rule_versions,
    rulesets,
    simulations,
    survey,
)
from api.http.deadline import Deadline
from api.http.gate import Gate
from api.http.limits import BodyLimit
from api.http.methods import Methods
from api.http.openapi import decorate
from api.http.query import refuse_unknown_query
from api.services import build_services, start, stop
from api.settings import Settings
from api.web import site

DESCRIPTION = """\
Beslutningsstøtte for embetenes utvalg av kommuner til Utdanningsdirektoratets
Læringsmiljøprosjekt. Tjenesten vurderer hver søknad etter reglene for runden den gjelder
(én mappe per runde i `rules/`), lagrer hver vurdering i en beslutningslogg som aldri
endres, og rangerer per fylke.

**Tilgang:** send API-nøkkelen som `Authorization: Bearer <nøkkel>` eller `X-API-Key`, eller
som navngitt bruker (`utvalg users add`) brukernavn og passord med `Authorization: Basic`;
det som lagres, bærer nøkkelens navn eller brukernavnet. Roller: `reader` leser regelsett og
vurderinger, `caseworker` vurderer og rangerer også, `approver` godkjenner i tillegg
fylkets liste, `admin` (fagstab) kan også laste reglene på nytt, simulere og publisere
regelendringer og importere tall. For mange feil
passord for én bruker eller fra én adresse gir 429 en stund.

**Feil** er `application/problem+json` med `errors: [{loc, code, msg}]`; ugyldige inndata
gir 422 med alle feilene listet.

**Vurderings-id og søknads-id:** hver vurdering får sin egen id (`ev-…`, i `Location` og
`Utvalg-Evaluation-Id`). `GET /v1/evaluations/{id}` godtar også søknadens id og gir da den
nyeste vurderingen av søknaden; eldre vurderinger blir stående uendret.
"""


API = (
    evaluations,
    cases,
    rankings,
    rulesets,
    rule_versions,
    simulations,
    health,
    survey,
    invitations,
)  # the API's routers


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
        summary="Utvalg til Læringsmiljøprosjektet: vurdering, rangering og logg.",
        description=DESCRIPTION,
        lifespan=lifespan,
        # the docs pages are served by api.http.docs, with their assets, not from a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    problems.install(app)
    docs.install(app)
    for module in API:
        # the API's routes refuse query parameters they do not know (the pages are lenient)
        app.include_router(module.router, dependencies=[Depends(refuse_unknown_query)])
    site.install(app)  # the pages for the office (api/web)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        paths={survey.UPLOAD_PATH: survey.MAX_UPLOAD_BYTES},
        timeout=settings.body_timeout_seconds,
    )
    app.add_middleware(Methods, routes=app.router.routes)  # HEAD and OPTIONS on every path
    # the deadline covers reading the body and everything after it
    app.add_middleware(Deadline, seconds=settings.request_timeout_seconds)
    # outermost: host, cross-site writes and the key are checked before a body is read
    app.add_middleware(
        Gate,
        routes=[route for module in API for route in module.router.routes],
        ring=services.keys,
        users=services.users,
        hosts=settings.host_names(),
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


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
    app.openapi_schema = decorate(schema)
    return schema
