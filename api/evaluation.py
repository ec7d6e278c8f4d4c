"""One evaluation's way through the service: survey figures, the workers, the log row.

Shared by the HTTP API, the web pages and the example seeding, so that each takes the same
path: a validated application is evaluated in the workers and stored as one decision-log row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, exists, select
from sqlalchemy.exc import SQLAlchemyError

from api.office.records import OfficeRecord, records_lookup_for
from api.store.decision_log import new_evaluation_id
from api.store.imported import IMPORTED, Imported
from api.survey.store import SurveyFigure, SurveyLookup, survey_lookup_for
from api.workers import Evaluated
from engine import Application, RuleSet

log = logging.getLogger("utvalg.api")


def survey_lookup(engine: Engine, apps: Sequence[Application]) -> SurveyLookup | None:
    """Imported survey figures and the office's records (None: a database error, or none)."""
    try:
        imported = imported_in(engine)
        if not (imported.figures or imported.records):
            return None
        lookup = survey_lookup_for(engine, apps) if imported.figures else SurveyLookup({})
        if imported.records:
            # the office's records for every unit and municipality: they fill `cases` and
            # `supervision` left out, and give a warning where the application says otherwise
            lookup = replace(lookup, records=records_lookup_for(engine, apps))
    except SQLAlchemyError:
        log.exception("fant ikke importerte tall eller embetets egne opplysninger")
        return None
    # None when there is nothing to look up: a worker then need not unpickle (and import
    # SQLAlchemy for) an empty lookup, which costs a fresh worker about a second
    return lookup if lookup.sources or lookup.records else None


def nothing_to_look_up(engine: Engine) -> bool:
    """True when `survey_lookup` is known to find nothing without asking the database."""
    known = IMPORTED.known(engine)
    return known is not None and not (known.figures or known.records)


def imported_in(engine: Engine) -> Imported:
    """Whether the database holds survey figures and office records (asked when not known)."""
    known = IMPORTED.known(engine)
    if known is not None:
        return known
    with engine.connect() as conn:
        found = conn.execute(_ANY_IMPORTED).one()
    return IMPORTED.learn(engine, bool(found[0]), bool(found[1]), asked=True)


_ANY_IMPORTED = select(exists(select(SurveyFigure.org_number)), exists(select(OfficeRecord.id)))


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
