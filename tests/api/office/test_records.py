"""The office's own records: the spreadsheet, append-only corrections, and their use in K2/K3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from api.evaluation import survey_lookup
from api.office.records import (
    NewRecord,
    OfficeRecord,
    UnknownReplaced,
    add_records,
    current_records,
)
from api.office.sheet import InvalidRecordsFile, parse_records
from api.store.db import make_engine, migrate
from engine import evaluate, parse_application
from tests.builders import SCHOOL_A, SCHOOL_B, baseline, ruleset

HEADER = (
    "Type;Organisasjonsnummer;Kommunenummer;År;Kompleks;Måneder åpen;Avvik;Erstatter;Trukket;"
    "Merknad\r\n"
)


def _file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + HEADER + "".join(f"{line}\r\n" for line in lines)).encode())


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    migrate(e)
    yield e
    e.dispose()


def test_the_spreadsheet_is_read_row_by_row() -> None:
    records = parse_records(
        _file(
            f"klagesak;{SCHOOL_A};;2018;nei;;;;;",
            f"sak;{SCHOOL_B};;2019;ja;7;;;;lang sak",
            "tilsyn;;5001;2017;;;praksis, rutiner;;;",
            f"tilsyn;{SCHOOL_B};;2018;;;;;;",
        ),
        "saker.csv",
    )
    assert records == [
        NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False, None, None),
        NewRecord("case", "unit", SCHOOL_B, 2019, "other", True, 7, None, note="lang sak"),
        NewRecord(
            "supervision", "municipality", "5001", 2017, None, None, None, ("practice", "routines")
        ),
        NewRecord("supervision", "unit", SCHOOL_B, 2018, None, None, None, ()),
    ]


def test_a_spreadsheet_with_errors_is_refused_whole_with_lines() -> None:
    with pytest.raises(InvalidRecordsFile) as caught:
        parse_records(
            _file(
                f"klagesak;{SCHOOL_A};;2018;;;;;;",
                "klage;123;;18;kanskje;x;;;;",
                "sak;;5001;2018;;;;;;",
                f"tilsyn;{SCHOOL_A};;2018;;;ingen;;ja;",
            ),
            "saker.csv",
        )
    found = [(d.code, d.location.line) for d in caught.value.diagnostics]
    assert found == [
        ("BAD_VALUE", 3),
        ("BAD_ORG_NUMBER", 3),
        ("BAD_YEAR", 3),
        ("BAD_VALUE", 3),
        ("BAD_NUMBER", 3),
        ("BAD_VALUE", 4),
        ("BAD_VALUE", 5),
        ("BAD_VALUE", 5),
    ]


def test_a_correction_is_a_new_row_and_the_old_stays(engine: Engine) -> None:
    (first,) = add_records(
        engine,
        [NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False)],
        source="a.csv",
        recorded_by="kari",
    )
    (second,) = add_records(
        engine,
        [NewRecord("case", "unit", SCHOOL_A, 2019, "complaint", False, replaces=first)],
        source="nettside",
        recorded_by="ola",
    )
    assert [(r.id, r.year) for r in current_records(engine)] == [(second, 2019)]
    add_records(
        engine,
        [
            NewRecord(
                "case", "unit", SCHOOL_A, 2019, "complaint", False, replaces=second, withdrawn=True
            )
        ],
        source="nettside",
        recorded_by="ola",
    )
    assert current_records(engine) == []
    with Session(engine) as session:
        rows = session.query(OfficeRecord).order_by(OfficeRecord.id).all()
        assert [(r.recorded_by, r.source) for r in rows] == [
            ("kari", "a.csv"),
            ("ola", "nettside"),
            ("ola", "nettside"),
        ]
    with pytest.raises(UnknownReplaced):
        add_records(
            engine,
            [NewRecord("case", "unit", SCHOOL_A, 2019, "other", False, replaces=99)],
            source="x",
            recorded_by=None,
        )


@pytest.fixture
def any_engine(database_url: str) -> Iterator[Engine]:
    e = make_engine(database_url)
    migrate(e)
    yield e
    e.dispose()


def test_records_are_never_changed_or_deleted(any_engine: Engine) -> None:
    add_records(
        any_engine,
        [NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False)],
        source="a",
        recorded_by="t",
    )
    for statement in (update(OfficeRecord).values(year=2019), delete(OfficeRecord)):
        with pytest.raises(DatabaseError), Session(any_engine) as session, session.begin():
            session.execute(statement)
    assert len(current_records(any_engine)) == 1


def _decide(engine: Engine, raw: dict[str, Any]) -> Any:
    app = parse_application(raw)
    lookup = survey_lookup(engine, [app])
    records = lookup.record if lookup is not None else None
    return evaluate(app, ruleset(), survey_lookup=lookup, records_lookup=records)


def _criterion(decision: Any, criterion: str, subject: str) -> Any:
    return next(
        c for c in decision.criteria if c.criterion == criterion and c.subject.id == subject
    )


def test_records_drive_k2_and_k3_when_the_application_leaves_them_out(engine: Engine) -> None:
    add_records(
        engine,
        [
            NewRecord("case", "unit", SCHOOL_A, 2018, "complaint", False),
            NewRecord("supervision", "municipality", "5001", 2017, deficiencies=("system",)),
        ],
        source="saker.csv",
        recorded_by="kari",
    )
    raw = baseline()
    del raw["schools"][0]["cases"]
    raw["municipality"]["supervision"] = None
    decision = _decide(engine, raw)
    k2 = _criterion(decision, "K2", SCHOOL_A)
    assert k2.status == "met"
    assert "Kilde: embetets egne opplysninger" in k2.explanation
    assert k2.evidence["cases_source"].startswith("embetets egne opplysninger")
    k3 = _criterion(decision, "K3", "5001")
    assert k3.status == "met" and "Kilde: embetets egne opplysninger" in k3.explanation
    assert decision.outcome == "recommended"
    # without records the same application is unknown there
    empty = make_engine("sqlite://")
    migrate(empty)
    assert _criterion(_decide(empty, raw), "K2", SCHOOL_A).status == "unknown"


def test_what_the_application_states_wins_with_a_warning_naming_both(engine: Engine) -> None:
    add_records(
        engine,
        [NewRecord("case", "unit", SCHOOL_B, 2018, "complaint", False)],
        source="saker.csv",
        recorded_by="kari",
    )
    decision = _decide(engine, baseline())  # Sørby skole: cases = [] in the application
    k2 = _criterion(decision, "K2", SCHOOL_B)
    assert k2.status == "not_met" and "Kilde" not in k2.explanation
    (warning,) = [w for w in decision.warnings if "Sørby skole" in w]
    assert "søknaden oppgir 0 saker (ingen)" in warning
    assert "embetets egne opplysninger" in warning and "1 sak (år 2018)" in warning


def test_over_http_the_workers_use_the_records(client_factory: Any) -> None:
    client = client_factory(workers=1)
    engine = client.app.state.services.log.engine
    add_records(
        engine,
        [NewRecord("case", "unit", SCHOOL_A, 2019, "complaint", False)],
        source="saker.csv",
        recorded_by="kari",
    )
    raw = baseline()
    del raw["schools"][0]["cases"]
    response = client.post("/v1/evaluations", json=raw)
    assert response.status_code == 201, response.text
    k2 = next(
        c
        for c in response.json()["criteria"]
        if c["criterion"] == "K2" and c["subject"]["id"] == SCHOOL_A
    )
    assert k2["status"] == "met" and "Kilde: embetets egne opplysninger" in k2["explanation"]
