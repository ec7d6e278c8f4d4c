"""Whether an evaluation needs imported survey figures at all (no database imported here).

Kept apart from api.survey.store so that `utvalg evaluate` and `utvalg rank` ask this
before anything imports SQLAlchemy: most applications carry their own figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine import Application


def needs_survey_figures(apps: Sequence[Application]) -> bool:
    """True when a school of these applications leaves out its own survey figures.

    The one guard before the database is asked for imported figures (HTTP, pages, CLI).
    """
    return any(s.bullying is None for a in apps for s in a.schools)
