"""The shared steps of one evaluation: when the database is asked for survey figures."""

from __future__ import annotations

from api.evaluation import needs_survey_figures
from tests.builders import application, baseline, changed


def test_survey_figures_are_needed_only_for_a_school_without_its_own() -> None:
    given = application(baseline())
    assert all(s.bullying is not None for s in given.schools)
    assert not needs_survey_figures([given])
    assert not needs_survey_figures([])
    without = application(changed(**{"schools.1.bullying": None}))
    assert needs_survey_figures([given, without])
    assert not needs_survey_figures([application(changed(schools=[]))])
