"""One evaluation's way through the service: survey figures, the workers, the log row.

Shared by the HTTP API, the web pages and the example seeding, so that each takes the same
path: a validated application is evaluated in the workers and stored as one decision-log row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.store.decision_log import new_evaluation_id
from api.survey.needed import needs_survey_figures
from api.survey.store import SurveyLookup, survey_lookup_for
from api.workers import Evaluated
from engine import Application, RuleSet

__all__ = ["log_row", "needs_survey_figures", "survey_lookup"]

log = logging.getLogger("utvalg.api")


def survey_lookup(engine: Engine, apps: Sequence[Application]) -> SurveyLookup | None:
    """Imported Elevundersøkelsen figures for schools without `bullying` (None on a DB error).

    Callers ask `needs_survey_figures` first, and come here only when it is true.
    """
    try:
        return survey_lookup_for(engine, apps)
    except SQLAlchemyError:
        log.exception("fant ikke importerte tall fra Elevundersøkelsen")
        return None


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
