"""CSV and xlsx export: one row per application, a column per criterion, no formulas."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from api.spreadsheet import to_csv
from api.web.export import criterion_cell, headers, table, to_xlsx
from api.web.listing import Evaluated, rank_county
from engine import evaluate, load_application_file, load_ruleset, rankable
from tests.api.web.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "pulje-5")


def _listing(county: str, rename: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    evaluated = []
    for path in sorted((ROOT / "examples" / "pulje-5").glob("*.yaml")):
        app = load_application_file(path)
        d = evaluate(app, RULES)
        name = (rename or {}).get(app.municipality.name, app.municipality.name)
        evaluated.append(Evaluated(rankable(app, d), d, name, "ev-" + d.application_id, True))
    return rank_county(evaluated, RULES, county)


def test_a_criterion_cell_groups_subjects_by_status() -> None:
    d = evaluate(
        load_application_file(ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml"), RULES
    )
    assert criterion_cell(d, "FRIST", RULES) == "oppfylt"
    assert criterion_cell(d, "K1", RULES) == (
        "oppfylt: Lade skole; ikke oppfylt: Ila skole, Trondheim Montessoriskole"
    )
    assert criterion_cell(d, "NOPE", RULES) == ""


def test_the_table_has_a_header_and_a_row_per_application() -> None:
    listing = _listing("50")
    rows = table(listing, RULES)
    assert rows[0] == headers(RULES)
    assert len(rows) == 1 + len(listing.items)
    assert rows[1][:9] == [1, "trondheim-2020", "5001", "Trondheim", "50", "2020-01-27",
                           "Anbefalt", 8, "Ja"]  # fmt: skip
    assert [r[8] for r in rows[1:]].count("Ja") == 2  # capacity 2


def test_csv_and_xlsx_keep_names_as_text_never_formulas() -> None:
    listing = _listing("50", {"Trondheim": '=HYPERLINK("http://x")'})
    rows = table(listing, RULES)
    parsed = list(csv.reader(io.StringIO(to_csv(rows).decode("utf-8-sig")), delimiter=";"))
    assert parsed[1][3] == '\'=HYPERLINK("http://x")'
    sheet = load_workbook(io.BytesIO(to_xlsx(rows, listing, RULES))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert sheet.freeze_panes == "A2"


def test_csv_and_xlsx_guard_formulas_behind_blanks_and_full_width_signs() -> None:
    hidden = '\u200b\u00a0\uff1dHYPERLINK("http://x")'
    listing = _listing("50", {"Trondheim": hidden})
    rows = table(listing, RULES)
    parsed = list(csv.reader(io.StringIO(to_csv(rows).decode("utf-8-sig")), delimiter=";"))
    assert parsed[1][3] == "'" + hidden
    sheet = load_workbook(io.BytesIO(to_xlsx(rows, listing, RULES))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == hidden and cell.data_type == "s"
