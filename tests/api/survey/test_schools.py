"""Where each school is: the export's columns first, the register otherwise; append-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from api.store.db import make_engine, migrate
from api.survey.parse import parse_survey_file
from api.survey.register import parse_register
from api.survey.schools import RegisterReport, SchoolEntry, import_register, school_places
from api.survey.store import import_survey
from tests.survey_national import schools, write_export, write_register

NOW = dt.datetime(2020, 1, 15, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _survey(engine: Engine, path: Path) -> None:
    import_survey(engine, parse_survey_file(str(path), name=path.name), imported_by="t", now=NOW)


def _register(engine: Engine, path: Path) -> RegisterReport:
    with open(path, "rb") as stream:
        return import_register(engine, parse_register(stream, path.name), imported_by="t", now=NOW)


def test_the_exports_columns_place_every_school(sqlite_engine: Engine, tmp_path: Path) -> None:
    _survey(sqlite_engine, write_export(tmp_path / "eu.csv"))
    places = school_places(sqlite_engine)
    assert {o: p.municipality_number for o, p in places.items()} == {
        s.org_number: s.municipality for s in schools()
    }
    assert {p.source for p in places.values()} == {"survey"}
    assert places[schools()[0].org_number].municipality_name == "Trondheim"


def test_without_the_columns_the_register_places_them(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    _survey(sqlite_engine, write_export(tmp_path / "eu.csv", with_municipality=False))
    assert school_places(sqlite_engine) == {}
    _register(sqlite_engine, write_register(tmp_path / "nsr.csv", leave_out=2))
    places = school_places(sqlite_engine)
    assert len(places) == len(schools()) - 2
    place = places[schools()[0].org_number]
    assert (place.municipality_number, place.active, place.private, place.source) == (
        "5001",
        True,
        False,
        "register",
    )


def test_the_same_register_again_changes_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = write_register(tmp_path / "nsr.csv")
    first, again = _register(sqlite_engine, path), _register(sqlite_engine, path)
    assert first.added == len(schools()) and again.already_imported
    with Session(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(SchoolEntry)) == len(schools())


@pytest.fixture
def any_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_register_rows_are_never_changed_or_deleted(any_engine: Engine, tmp_path: Path) -> None:
    _register(any_engine, write_register(tmp_path / "nsr.csv"))
    for statement in (update(SchoolEntry).values(name="x"), delete(SchoolEntry)):
        with pytest.raises(DatabaseError), Session(any_engine) as session, session.begin():
            session.execute(statement)
    with Session(any_engine) as session:
        assert session.scalar(select(func.count()).select_from(SchoolEntry)) == len(schools())
