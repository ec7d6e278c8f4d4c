"""Imported Elevundersøkelsen figures and the office's records for `utvalg evaluate` and `rank`.

Imported by api.cli.evaluate only when a database is configured or present: SQLAlchemy and
the store take longer to import than evaluating a whole county.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.office.records import records_lookup_for
from api.store.db import make_engine
from api.survey.store import SurveyLookup, survey_lookup_for
from engine import Application


def lookup_in_database(url: str, applications: Sequence[Application]) -> SurveyLookup | None:
    """The imported figures and the office's records for the applications (None: nothing)."""
    parsed_url = make_url(url)
    if parsed_url.get_backend_name() == "sqlite":
        database = parsed_url.database
        if not database or database == ":memory:" or not Path(database).exists():
            return None  # no database yet: nothing was ever imported
    engine = make_engine(url)
    try:
        lookup = survey_lookup_for(engine, applications)
        return replace(lookup, records=records_lookup_for(engine, applications))
    except SQLAlchemyError as exc:
        print(
            "Advarsel: fant ikke importerte tall fra Elevundersøkelsen i databasen "
            f"({type(exc).__name__}); K1 bruker bare tallene i søknadene.",
            file=sys.stderr,
        )
        return None
    finally:
        engine.dispose()
