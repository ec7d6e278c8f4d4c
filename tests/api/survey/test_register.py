"""Reading the school register (NSR) and the export's municipality columns."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.survey.parse import InvalidSurveyFile, parse_survey_file
from api.survey.register import InvalidRegisterFile, parse_register
from tests.builders import SCHOOL_A, SCHOOL_B
from tests.survey_export import COLUMNS, row, typed_table, write_csv, write_excel_xlsx
from tests.survey_national import REGISTER_COLUMNS, register_rows, schools, write_register


def _register(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode()


def test_the_export_names_each_schools_municipality_by_kommunekode(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eu.csv", [row(2019, SCHOOL_A, "7,0")])
    parsed = parse_survey_file(str(path))
    assert parsed.municipality_columns
    assert parsed.schools[0].municipality_number == "5001"
    assert parsed.schools[0].municipality_name is None


def test_kommunenummer_and_kommunenavn_are_read_too(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "Kommunekode"] + ["Kommunenummer", "Kommunenavn"]
    r = row(2019, SCHOOL_A, "7,0") | {"Kommunenummer": "5001", "Kommunenavn": "Trondheim"}
    parsed = parse_survey_file(str(write_csv(tmp_path / "eu.csv", [r], columns=columns)))
    assert (parsed.schools[0].municipality_number, parsed.schools[0].municipality_name) == (
        "5001",
        "Trondheim",
    )


def test_without_the_columns_the_municipality_is_left_to_the_register(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "Kommunekode"]
    parsed = parse_survey_file(
        str(write_csv(tmp_path / "eu.csv", [row(2019, SCHOOL_A, "7,0")], columns=columns))
    )
    assert not parsed.municipality_columns
    assert parsed.schools[0].municipality_number is None


def test_a_spreadsheet_number_gets_oslos_leading_zero_back(tmp_path: Path) -> None:
    table = typed_table([row(2019, SCHOOL_A, "7,0") | {"Kommunekode": 301}])
    parsed = parse_survey_file(str(write_excel_xlsx(tmp_path / "eu.xlsx", table)))
    assert parsed.schools[0].municipality_number == "0301"


def test_a_bad_or_changing_municipality_refuses_the_file_with_lines(tmp_path: Path) -> None:
    rows = [
        row(2017, SCHOOL_A, "7,0") | {"Kommunekode": "50x1"},
        row(2018, SCHOOL_B, "7,0"),
        row(2019, SCHOOL_B, "7,0") | {"Kommunekode": "5006"},
    ]
    with pytest.raises(InvalidSurveyFile) as caught:
        parse_survey_file(str(write_csv(tmp_path / "eu.csv", rows)))
    found = [(d.code, d.location.line) for d in caught.value.diagnostics]
    assert found == [("BAD_MUNICIPALITY_NUMBER", 2), ("MUNICIPALITY_CHANGES", 4)]


def test_the_register_is_read_from_semicolon_csv_with_a_bom(tmp_path: Path) -> None:
    path = write_register(tmp_path / "nsr.csv")
    with open(path, "rb") as stream:
        parsed = parse_register(stream, "nsr.csv")
    first = schools()[0]
    assert len(parsed.entries) == len(schools())
    entry = parsed.entries[0]
    assert (entry.org_number, entry.name, entry.municipality_number) == (
        first.org_number,
        first.name,
        first.municipality,
    )
    assert entry.active is True and entry.private is False and entry.line == 2


def test_the_register_is_read_from_xlsx(tmp_path: Path) -> None:
    rows = register_rows()[:2]
    rows[1] |= {"ErAktiv": "Nei", "ErOffentligSkole": "Nei", "Kommunenummer": 5001}
    table = [REGISTER_COLUMNS, *([r[c] for c in REGISTER_COLUMNS] for r in rows)]
    with open(write_excel_xlsx(tmp_path / "nsr.xlsx", table), "rb") as stream:
        parsed = parse_register(stream, "nsr.xlsx")
    second = parsed.entries[1]
    assert (second.active, second.private, second.municipality_number) == (False, True, "5001")


def test_a_private_column_is_read_as_it_says() -> None:
    text = f"Organisasjonsnummer;Navn;Kommunekode;Aktiv;Privat\r\n{SCHOOL_A};Friskolen;5001;1;J\r\n"
    parsed = parse_register(io.BytesIO(_register(text)), "nsr.csv")
    assert parsed.entries[0].private is True and parsed.entries[0].active is True


def test_a_register_with_errors_is_refused_whole_with_every_line() -> None:
    text = (
        "Organisasjonsnummer;Navn;Kommunenummer;ErAktiv\r\n"
        f"{SCHOOL_A};Nordby skole;5001;Ja\r\n"
        "123456789;Feil skole;5001;Ja\r\n"
        f"{SCHOOL_B};;50;kanskje\r\n"
        f"{SCHOOL_A};Nordby skole;5001;Ja\r\n"
    )
    with pytest.raises(InvalidRegisterFile) as caught:
        parse_register(io.BytesIO(_register(text)), "nsr.csv")
    found = [(d.code, d.location.line) for d in caught.value.diagnostics]
    assert found == [
        ("BAD_ORG_NUMBER", 3),
        ("MISSING_VALUE", 4),
        ("BAD_MUNICIPALITY_NUMBER", 4),
        ("BAD_VALUE", 4),
        ("DUPLICATE_ROW", 5),
    ]
    assert all(d.location.file == "nsr.csv" for d in caught.value.diagnostics)


def test_a_register_without_its_columns_names_each_missing_one() -> None:
    with pytest.raises(InvalidRegisterFile) as caught:
        parse_register(io.BytesIO(_register("Orgnr;Navn\r\n")), "nsr.csv")
    messages = [d.message for d in caught.value.diagnostics]
    assert [d.code for d in caught.value.diagnostics] == ["MISSING_COLUMN", "MISSING_COLUMN"]
    assert "«Kommunenummer»" in messages[0] and "«Kommunekode»" in messages[0]
    assert "«ErAktiv»" in messages[1]


def test_an_empty_register_is_refused() -> None:
    with pytest.raises(InvalidRegisterFile) as caught:
        parse_register(io.BytesIO(b""), "nsr.csv")
    assert [d.code for d in caught.value.diagnostics] == ["EMPTY_FILE"]
