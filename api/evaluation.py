"""One evaluation's way through the service: survey figures, the workers, the log row.

Shared by the HTTP API, the web pages and the example seeding, so that each takes the same
path: a validated application is evaluated in the workers and stored as one decision-log row.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, exists, select
from sqlalchemy.exc import SQLAlchemyError

from api.office.records import OfficeRecord, records_lookup_for
from api.store.decision_log import new_evaluation_id
from api.survey.store import SurveyFigure, SurveyLookup, survey_lookup_for
from api.workers import Evaluated
from engine import Application, RuleSet

log = logging.getLogger("utvalg.api")


def survey_lookup(engine: Engine, apps: Sequence[Application]) -> SurveyLookup | None:
    """Imported survey figures and the office's records (None: a database error, or none)."""
    try:
        figures, records = _IMPORTED.what(engine)
        lookup = survey_lookup_for(engine, apps) if figures else SurveyLookup({})
        if records:
            # the office's records for every unit and municipality: they fill `cases` and
            # `supervision` left out, and give a warning where the application says otherwise
            lookup = replace(lookup, records=records_lookup_for(engine, apps))
    except SQLAlchemyError:
        log.exception("fant ikke importerte tall eller embetets egne opplysninger")
        return None
    # None when there is nothing to look up: a worker then need not unpickle (and import
    # SQLAlchemy for) an empty lookup, which costs a fresh worker about a second
    return lookup if lookup.sources or lookup.records else None


class _Imported:
    """Whether a database holds imported survey figures and office records at all.

    Most evaluations meet a database with neither; one cheap statement then replaces the
    lookups. Both tables are append-only, so once a kind is seen it stays, on this server
    and on every other one on the same database: only "none yet" is asked again.
    """

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[Engine, tuple[bool, bool]] = (
            weakref.WeakKeyDictionary()
        )

    def what(self, engine: Engine) -> tuple[bool, bool]:
        """(any survey figures, any office records) stored in the engine's database."""
        known = self._seen.get(engine, (False, False))
        if all(known):
            return known
        with engine.connect() as conn:
            found = conn.execute(_ANY_IMPORTED).one()
        seen = (known[0] or bool(found[0]), known[1] or bool(found[1]))
        self._seen[engine] = seen
        return seen


_ANY_IMPORTED = select(exists(select(SurveyFigure.org_number)), exists(select(OfficeRecord.id)))
_IMPORTED = _Imported()


def log_row(
    app: Application,
    ruleset: RuleSet,
    result: Evaluated,
    application_text: str,
    api_key: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The decision-log row of one evaluation."""
    return {
        "id": new_evaluation_id(),
        "application_id": result.application_id,
        "round": app.round,
        "county": app.county,
        "municipality_number": app.municipality.number,
        "municipality_name": app.municipality.name,
        "received": app.received,
        "outcome": result.outcome,
        "score": result.score,
        "ruleset_id": ruleset.id,
        "ruleset_version": ruleset.version,
        "ruleset_digest": ruleset.digest,
        "application": application_text,
        "decision": result.decision_json,
        "created_at": now,
        "api_key": api_key,
    }
