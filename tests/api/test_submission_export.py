"""A submission's exports read back: CSV (csv module), .xlsx (openpyxl), PDF (pypdf)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from api.submission_export import (
    submission_csv,
    submission_html,
    submission_pdf,
    submission_rows,
    submission_xlsx,
)
from engine import load_ruleset
from tests.api.web.conftest import ROOT

LABELS = load_ruleset(ROOT / "rules" / "pulje-5").labels

SCHOOL = {"kind": "school", "id": "974123456", "name": "Lade skole"}
KINDERGARTEN = {"kind": "kindergarten", "id": "912345670", "name": "Lade barnehage"}


def _criterion(criterion: str, subject: dict[str, str], status: str) -> dict[str, Any]:
    return {"criterion": criterion, "subject": subject, "status": status}


def _submission() -> dict[str, Any]:
    """A hand-made submission of Trøndelag: a municipality with two units, one without any."""
    application = {"kind": "application", "id": "trondheim-2020", "name": "Trondheim"}
    municipality = {"kind": "municipality", "id": "5001", "name": "Trondheim"}
    return {
        "submission_id": 3,
        "round": "pulje-5",
        "county": "50",
        "county_name": "Trøndelag",
        "capacity": 2,
        "ruleset": {"id": "pulje-5", "version": "2020.1", "digest": "sha256:abc123"},
        "note": "Innstillingen er drøftet med kommunene.",
        "approved_by": "kari",
        "approved_at": "2020-03-02T10:15:00Z",
        "supersedes": 2,
        "reason": "Ny versjon av søknaden fra Trondheim.",
        "superseded_by": None,
        "entries": [
            {
                "rank": 1,
                "case_id": "pulje-5:5001",
                "case_version": 2,
                "evaluation_id": "ev-1",
                "municipality": {"number": "5001", "name": "Trondheim"},
                "received": "2020-01-20",
                "outcome": "recommended",
                "label": "Anbefalt",
                "score": 8,
                "summary": "Søknaden anbefales: alle krav er oppfylt.",
                "proposal": "propose",
                "departs": False,
                "justification": "Høye mobbetall over flere år.",
                "judged_by": "per",
                "judged_at": "2020-02-20T09:00:00Z",
                "within_capacity": True,
                "units": [
                    {
                        "kind": "school",
                        "org_number": "974123456",
                        "name": "Lade skole",
                        "status": "priority",
                        "label": "Prioritert",
                    },
                    {
                        "kind": "kindergarten",
                        "org_number": "912345670",
                        "name": "Lade barnehage",
                        "status": "included",
                        "label": "Med",
                    },
                ],  # fmt: skip
                "criteria": [
                    _criterion("FRIST", application, "met"),
                    _criterion("K1", SCHOOL, "met"),
                    _criterion("K3", municipality, "not_met"),
                    _criterion("K3", SCHOOL, "unknown"),
                    _criterion("K3", KINDERGARTEN, "met"),
                    _criterion("K4", municipality, "met"),
                    _criterion("K4", SCHOOL, "met"),
                    _criterion("K4", KINDERGARTEN, "met"),
                    _criterion("K5", KINDERGARTEN, "unknown"),
                    _criterion("K6", application, "met"),
                ],
            },
            {
                "rank": 2,
                "case_id": "pulje-5:0301",  # not a Trøndelag number: a leading zero to keep
                "case_version": 1,
                "evaluation_id": "ev-2",
                "municipality": {"number": "0301", "name": '=HYPERLINK("http://x")'},
                "received": None,
                "outcome": "incomplete",
                "label": "Ufullstendig",
                "score": 0,
                "summary": "Søknaden kan ikke avgjøres ennå.",
                "proposal": "not_propose",
                "departs": False,
                "justification": "Mangler opplysninger.",
                "judged_by": "per",
                "judged_at": "2020-02-21T09:00:00Z",
                "within_capacity": False,
                "units": [],
                "criteria": [
                    _criterion("FRIST", application | {"id": "oslo"}, "unknown"),
                    _criterion("K6", application | {"id": "oslo"}, "not_met"),
                ],
            },
        ],
    }


SUB = _submission()
HEADINGS = [
    "Fylkesnr.", "Fylke", "Rang", "Kommunenr.", "Kommune", "Sak", "Mottatt", "Utfall", "Poeng",
    "Forslag", "Innenfor kapasitet", "Enhetstype", "Org.nr.", "Enhet", "Enhetsstatus",
    "FRIST", "K1 enheten", "K3 kommunen", "K3 enheten", "K4 kommunen", "K4 enheten",
    "K5 enheten", "K6",
]  # fmt: skip


def _csv(sub: dict[str, Any]) -> list[list[str]]:
    data = submission_csv(sub, LABELS)
    assert data.startswith("\ufeff".encode())  # the BOM Norwegian Excel needs for UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_a_row_per_unit_and_one_for_a_municipality_without_units() -> None:
    rows = _csv(SUB)
    assert rows[0] == HEADINGS
    assert len(rows) == 1 + 2 + 1
    school, kindergarten, alone = (dict(zip(HEADINGS, r, strict=True)) for r in rows[1:])
    assert school["Rang"] == "1" and school["Kommunenr."] == "5001"
    assert school["Mottatt"] == "2020-01-20" and school["Utfall"] == "Anbefalt"
    assert school["Forslag"] == "Foreslås" and school["Innenfor kapasitet"] == "Ja"
    assert (school["Enhetstype"], school["Org.nr."], school["Enhet"], school["Enhetsstatus"]) == (
        "Skole", "974123456", "Lade skole", "Prioritert"
    )  # fmt: skip
    assert kindergarten["Enhetstype"] == "Barnehage" and kindergarten["Enhetsstatus"] == "Med"
    assert alone["Forslag"] == "Foreslås ikke" and alone["Innenfor kapasitet"] == "Nei"
    assert [alone[h] for h in ("Enhetstype", "Org.nr.", "Enhet", "Enhetsstatus")] == [""] * 4
    assert alone["Mottatt"] == ""


def test_unit_rows_carry_their_own_status_and_the_municipalitys_as_such() -> None:
    rows = [dict(zip(HEADINGS, r, strict=True)) for r in _csv(SUB)[1:]]
    school, kindergarten, alone = rows
    # the application's and the municipality's statuses are the same on every unit's row
    for row in (school, kindergarten):
        assert (row["FRIST"], row["K3 kommunen"], row["K4 kommunen"], row["K6"]) == (
            "oppfylt", "ikke oppfylt", "oppfylt", "oppfylt"
        )  # fmt: skip
    # each unit's own status, empty where the criterion does not apply to its kind
    assert (school["K1 enheten"], school["K3 enheten"], school["K5 enheten"]) == (
        "oppfylt", "ukjent", ""
    )  # fmt: skip
    assert (kindergarten["K1 enheten"], kindergarten["K3 enheten"]) == ("", "oppfylt")
    assert kindergarten["K5 enheten"] == "ukjent"
    assert (alone["FRIST"], alone["K6"], alone["K1 enheten"]) == ("ukjent", "ikke oppfylt", "")


def test_a_name_that_looks_like_a_formula_is_text_in_the_csv() -> None:
    assert _csv(SUB)[3][4] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_name_that_looks_like_a_formula_is_text_in_the_workbook(start: str) -> None:
    sub = copy.deepcopy(SUB)
    sub["entries"][0]["units"][0]["name"] = start + "SUM(A1:A9)"
    sheet = load_workbook(io.BytesIO(submission_xlsx([sub], LABELS)))["50 Trøndelag"]
    cell = sheet.cell(row=2, column=HEADINGS.index("Enhet") + 1)
    assert cell.value == start + "SUM(A1:A9)" and cell.data_type == "s"


def test_the_workbook_has_real_dates_numbers_texts_a_frozen_header_and_a_filter() -> None:
    book = load_workbook(io.BytesIO(submission_xlsx([SUB], LABELS)))
    assert book.sheetnames == ["50 Trøndelag"]
    sheet = book["50 Trøndelag"]
    assert [c.value for c in sheet[1]] == HEADINGS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:W{1 + 3}"
    first = {h: c for h, c in zip(HEADINGS, sheet[2], strict=True)}
    assert first["Mottatt"].value == dt.datetime(2020, 1, 20)  # a date cell, read as datetime
    assert first["Mottatt"].is_date
    assert first["Rang"].value == 1 and first["Poeng"].value == 8
    assert first["Org.nr."].value == "974123456" and first["Org.nr."].data_type == "s"
    third = {h: c for h, c in zip(HEADINGS, sheet[4], strict=True)}
    assert third["Kommunenr."].value == "0301"  # the leading zero kept: a text
    assert third["Mottatt"].value is None
    assert sheet.column_dimensions["N"].width >= len("Lade barnehage")
    assert book.properties.title == "Innstilling fra Trøndelag, pulje-5"


def test_the_workbook_rows_are_the_csv_rows() -> None:
    sheet = load_workbook(io.BytesIO(submission_xlsx([SUB], LABELS)))["50 Trøndelag"]
    from_xlsx = [
        ["" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else str(v)
         for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]  # fmt: skip
    from_csv = _csv(SUB)
    from_csv[3][4] = from_csv[3][4].removeprefix("'")  # the CSV's guard against formulas
    assert from_xlsx == from_csv


def test_the_national_workbook_has_a_sheet_per_county_in_county_order() -> None:
    nordland = copy.deepcopy(SUB) | {"county": "18", "county_name": "Nordland", "capacity": 1}
    book = load_workbook(io.BytesIO(submission_xlsx([SUB, nordland], LABELS)))
    assert book.sheetnames == ["18 Nordland", "50 Trøndelag"]
    assert book["18 Nordland"]["A2"].value == "18" and book["18 Nordland"]["B2"].value == "Nordland"
    assert book.properties.title == "Innstillinger pulje-5"


def test_the_national_workbook_of_no_submissions_has_only_the_headings() -> None:
    book = load_workbook(io.BytesIO(submission_xlsx([], LABELS)))
    assert book.sheetnames == ["Ingen innstillinger"]
    assert list(book.active.iter_rows(values_only=True)) == [tuple(HEADINGS[:15])]


def test_the_rows_follow_the_order_of_the_list() -> None:
    rows = submission_rows(SUB, LABELS)
    assert [r[2] for r in rows[1:]] == [1, 1, 2]


def test_the_pdf_is_a_letter_with_the_list_the_justifications_and_who_approved() -> None:
    text = " ".join(
        (page.extract_text() or "")
        for page in PdfReader(io.BytesIO(submission_pdf(SUB, LABELS))).pages
    )
    words = " ".join(text.split())
    for expected in (
        "Innstilling fra Trøndelag (50)",
        "pulje-5",
        "2020.1",
        "sha256:abc123",
        "Utdanningsdirektoratet",
        "kari",
        "02.03.2020 kl. 10:15 UTC",
        "Erstatter innstilling nr. 2",
        "Ny versjon av søknaden fra Trondheim.",
        "Innstillingen er drøftet med kommunene.",
        "Høye mobbetall over flere år.",
        "Mangler opplysninger.",
        "Lade skole",
        "974123456",
        "Prioritert",
        "Foreslås ikke",
        "innenfor kapasiteten",
        "2 saker, av dem 1 sak foreslått",
    ):
        assert expected in words, expected
    assert words.index("1. Trondheim") < words.index("2. =HYPERLINK")


def test_the_html_escapes_what_the_office_wrote() -> None:
    sub = copy.deepcopy(SUB) | {"note": "<script>alert(1)</script>", "superseded_by": 4}
    html = submission_html(sub, LABELS)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "erstattet av innstilling nr. 4" in html
