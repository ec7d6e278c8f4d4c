"""Evaluate the example applications into the decision log (for `make run`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING, Any

import yaml

from api.routes.common import log_row
from engine import DiagnosticError, load_application_file

if TYPE_CHECKING:
    from api.app import Services

log = logging.getLogger("utvalg.seed")
SEED_KEY = "eksempler"


def seed_examples(services: Services) -> int:
    """Evaluate and store each example not yet in the log under the rules in use; the count."""
    folder = services.settings.examples_dir
    snapshot = services.rules.current
    rounds = snapshot.rounds()
    todo: list[tuple[Any, Any, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            app = load_application_file(path, rounds=rounds)
        except DiagnosticError as exc:
            log.warning("hopper over %s: %s", path, exc)
            continue
        raw = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        todo.append((raw, app, snapshot.rulesets[app.round]))
    pairs = [(str(app.id), rs.digest) for _, app, rs in todo if app.id]
    known = services.log.known(pairs)
    todo = [t for t in todo if (str(t[1].id), t[2].digest) not in known]
    rows = []
    now = dt.datetime.now(dt.UTC)
    from api.survey.store import survey_lookup_for

    lookup = survey_lookup_for(services.log.engine, [app for _, app, _ in todo])
    for raw, app, rs in todo:
        (result,) = services.pool.evaluate_sync(rs, [raw], lookup=lookup)
        rows.append(log_row(app, rs, result, json.dumps(raw, ensure_ascii=False), SEED_KEY, now))
    if rows:
        services.log.append_now(rows)
    log.info("%d eksempelsøknader vurdert inn i loggen (%d fantes fra før)", len(rows), len(known))
    return len(rows)
