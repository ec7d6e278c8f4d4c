"""Evaluate the example applications into the decision log (for `make run`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import yaml

from api.evaluation import log_row, survey_lookup
from api.registry import Snapshot
from api.store.decision_log import DecisionLog
from api.workers import WorkerPool
from engine import DiagnosticError, load_application_file

log = logging.getLogger("utvalg.seed")
SEED_KEY = "eksempler"


def seed_examples(examples: Path, snapshot: Snapshot, pool: WorkerPool, log_: DecisionLog) -> int:
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
    pairs = [(str(app.id), rs.digest) for _, app, rs in todo if app.id]
    known = log_.known(pairs)
    todo = [t for t in todo if (str(t[1].id), t[2].digest) not in known]
    rows = []
    now = dt.datetime.now(dt.UTC)
    lookup = survey_lookup(log_.engine, [app for _, app, _ in todo])
    for raw, app, rs in todo:
        (result,) = pool.evaluate_sync(rs, [app], lookup=lookup)
        rows.append(log_row(app, rs, result, json.dumps(raw, ensure_ascii=False), SEED_KEY, now))
    if rows:
        log_.append_now(rows)
    log.info("%d eksempelsøknader vurdert inn i loggen (%d fantes fra før)", len(rows), len(known))
    return len(rows)
