"""Evaluate the example applications into their cases (for `make run`'s own example database)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import yaml

from api.evaluation import log_row, survey_lookup
from api.registry import Snapshot
from api.store.cases import CaseHistory, CaseStore, Entry, application_digest, case_id
from api.workers import WorkerPool
from engine import DiagnosticError, load_application_file

log = logging.getLogger("utvalg.seed")
SEED_KEY = "eksempler"


def seed_examples(examples: Path, snapshot: Snapshot, pool: WorkerPool, cases: CaseStore) -> int:
    """Evaluate and store each example not yet in the log under the rules in use; the count.

    `examples` is the root: each round's examples are in `<examples>/<round id>/`.
    """
    rounds = snapshot.rounds()
    todo: list[tuple[Any, Any, Any]] = []
    paths = [p for rid in sorted(rounds) for p in sorted((examples / rid).glob("*.yaml"))]
    for path in paths:
        try:
            app = load_application_file(path, rounds=rounds)
        except DiagnosticError as exc:
            log.warning("hopper over %s: %s", path, exc)
            continue
        raw = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        todo.append((raw, app, snapshot.rulesets[app.round]))
    known = {h.id: h for h in cases.histories()}
    # an example already stored as its case's newest version, decided under these rules, is
    # not evaluated again (a restart of `make run` adds nothing)
    todo = [t for t in todo if not _done(known, t[1], t[0], t[2].digest)]
    entries = []
    now = dt.datetime.now(dt.UTC)
    lookup = survey_lookup(cases.engine, [app for _, app, _ in todo])
    for raw, app, rs in todo:
        (result,) = pool.evaluate_sync(rs, [app], lookup=lookup)
        text = json.dumps(raw, ensure_ascii=False)
        entries.append(Entry(log_row(app, rs, result, text, SEED_KEY, now), raw))
    if entries:
        cases.store(entries)
    log.info("%d eksempelsøknader vurdert inn i sakene", len(entries))
    return len(entries)


def _done(known: dict[str, CaseHistory], app: Any, raw: Any, digest: str) -> bool:
    history = known.get(case_id(app.round, app.municipality.number))
    return (
        history is not None
        and history.newest.digest == application_digest(raw)
        and not history.stale(digest)
    )
