"""The running service's parts (Services): built once, started and stopped with the app.

Routes and pages reach them through `api.http.deps.services(request)`. This module imports
no router or page, so every module of the service may import it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import anyio.to_thread

from api.keys import KeyRing
from api.registry import RulesRegistry, RulesWatcher
from api.rules_versions import RulesVersions
from api.seed import seed_examples
from api.settings import Settings
from api.store.case_writer import CaseWriter
from api.store.cases import CaseStore
from api.store.db import make_engine, migrate
from api.store.decision_log import DecisionLog
from api.store.rule_versions import RuleVersionStore
from api.store.submissions import SubmissionStore
from api.store.users import UserStore
from api.submissions import Submissions
from api.workers import WorkerPool


@dataclass
class Services:
    """What the routes use: keys, users, rules and their versions, workers, log, cases, lists.

    `writer` stores the evaluations of requests with their cases (grouped, api/store/
    case_writer.py); `cases` reads them and writes everything else about a case.
    """

    settings: Settings
    keys: KeyRing
    rules: RulesRegistry
    pool: WorkerPool
    log: DecisionLog
    users: UserStore
    cases: CaseStore
    submissions: Submissions
    versions: RulesVersions
    writer: CaseWriter
    watcher: RulesWatcher | None = None


def build_services(settings: Settings) -> Services:
    """Create the services (not started)."""
    pool = WorkerPool(
        settings.worker_count(),
        timeout=settings.eval_timeout_seconds,
        max_per_call=settings.max_batch_per_worker_call,
    )
    engine = make_engine(settings.resolved_database_url())
    store = RuleVersionStore(engine)
    rules = RulesRegistry(
        settings.rules_dir,
        on_load=pool.register,
        layout=settings.layout(),
        versions=store,
        refresh_seconds=settings.rules_refresh_seconds,
    )
    users = UserStore(engine, cheap_hashes=settings.test_cheap_passwords)
    cases = CaseStore(engine)
    return Services(
        settings,
        KeyRing(settings.keys()),
        rules,
        pool,
        DecisionLog(engine),
        users,
        cases,
        Submissions(cases, SubmissionStore(engine)),
        RulesVersions(store, rules),
        CaseWriter(cases),
    )


async def start(services: Services) -> None:
    """Migrate the database, load the rules, start the workers and the watcher."""
    await anyio.to_thread.run_sync(migrate, services.log.engine)
    services.rules.load()
    services.pool.start()
    if services.settings.watch:
        services.watcher = RulesWatcher(services.rules, services.settings.watch_interval_seconds)
        services.watcher.start()
    if services.settings.seed_examples:
        await anyio.to_thread.run_sync(
            seed_examples,
            services.rules.layout.examples,
            services.rules.current,
            services.pool,
            services.cases,
        )
    # the app, rules and imported modules live as long as the process: keep them out of
    # the garbage collector's full passes (shorter pauses in the slowest answers)
    gc.collect()
    gc.freeze()


def stop(services: Services) -> None:
    """Stop the watcher and the workers, and close the database connections."""
    if services.watcher is not None:
        services.watcher.stop()
    services.pool.close()
    services.writer.close()
    services.log.close()
