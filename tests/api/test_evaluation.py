"""The shared steps of one evaluation: imported survey figures and the office's records."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.evaluation import nothing_to_look_up, survey_lookup
from api.office.records import NewRecord, add_records
from api.store.db import make_engine, migrate
from api.store.imported import IMPORTED
from tests.builders import SCHOOL_A, SCHOOL_B, application, baseline, changed


def test_the_lookup_holds_the_offices_records_of_every_unit_and_municipality(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    migrate(engine)
    add_records(
        engine,
        [
            NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False),
            NewRecord("supervision", "municipality", "5001", 2017, deficiencies=("system",)),
        ],
        source="saker.csv",
        recorded_by="kari",
    )
    app = application(changed(**{"schools.1.bullying": None}))
    lookup = survey_lookup(engine, [app])
    assert lookup is not None
    school = lookup.record(SCHOOL_A)
    assert school is not None and school.cases is not None and school.supervision is None
    municipality = lookup.record("5001")
    assert municipality is not None and municipality.supervision is not None
    assert lookup.record(SCHOOL_B) is None and lookup(SCHOOL_B) is None  # none imported
    assert survey_lookup(engine, [application(baseline())]) is not None
    engine.dispose()


def test_a_database_that_cannot_answer_gives_no_lookup(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")
    assert survey_lookup(engine, [application(baseline())]) is None
    engine.dispose()


def test_records_stored_through_another_engine_of_this_process_are_used_at_once(
    tmp_path: Path,
) -> None:
    # the lookup skips its queries while nothing is imported; an import in this process
    # tells it at once, whichever engine on the database it came through
    url = f"sqlite:///{tmp_path / 'two.db'}"
    engine, other = make_engine(url), make_engine(url)
    migrate(engine)
    app = application(changed(**{"schools.1.bullying": None}))
    assert survey_lookup(engine, [app]) is None  # nothing imported yet
    assert nothing_to_look_up(engine)  # and known so without asking again
    add_records(
        other,
        [NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False)],
        source="saker.csv",
        recorded_by="kari",
    )
    assert not nothing_to_look_up(engine)
    lookup = survey_lookup(engine, [app])
    assert lookup is not None and lookup.record(SCHOOL_A) is not None
    assert survey_lookup(engine, [app]) is not None  # and it stays seen
    engine.dispose()
    other.dispose()


def test_records_stored_by_another_process_are_used_once_the_database_is_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    migrate(engine)
    app = application(changed(**{"schools.1.bullying": None}))
    assert survey_lookup(engine, [app]) is None
    # another process imports: this process is not told
    monkeypatch.setattr("api.office.records.note_imported", lambda *a, **k: None)
    add_records(
        engine,
        [NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False)],
        source="saker.csv",
        recorded_by="kari",
    )
    assert survey_lookup(engine, [app]) is None  # "none yet" is trusted for ASK_EVERY
    monkeypatch.setattr(IMPORTED, "ask_every", 0.0)  # that time has passed
    lookup = survey_lookup(engine, [app])
    assert lookup is not None and lookup.record(SCHOOL_A) is not None
    engine.dispose()
