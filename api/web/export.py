"""Export a county's ranking (or another table) as CSV or as an .xlsx workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from api.spreadsheet import inert_text, looks_like_formula
from api.web.listing import CountyList, RankedApplication
from engine import Decision, RuleSet
from engine.types import Status

Cell = str | int | None

# Statuses in the order a reader scans them: what counts first, what is missing, what fails.
_STATUS_ORDER: tuple[Status, ...] = ("met", "unknown", "not_met")

# the media type of an .xlsx workbook, for every export's download
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def criterion_cell(decision: Decision, criterion: str, ruleset: RuleSet) -> str:
    """One criterion for one application in a cell: its status, per subject when several."""
    labels = ruleset.labels.status
    results = [r for r in decision.criteria if r.criterion == criterion]
    if not results:
        return ""
    if len(results) == 1 and results[0].subject.kind in ("application", "municipality"):
        return labels[results[0].status]
    groups = []
    for status in _STATUS_ORDER:
        names = [r.subject.name for r in results if r.status == status]
        if names:
            groups.append(f"{labels[status]}: {', '.join(names)}")
    return "; ".join(groups)


def headers(ruleset: RuleSet) -> list[str]:
    """Column headings: the application's place and outcome, then one column per criterion."""
    return [
        "Rang",
        "Søknad",
        "Kommunenr.",
        "Kommune",
        "Fylke",
        "Mottatt",
        "Utfall",
        "Poeng",
        "Innenfor kapasitet",
        *(f"{c.id} {c.title}" for c in ruleset.criteria),
    ]


def row(item: RankedApplication, ruleset: RuleSet) -> list[Cell]:
    """The cells of one application, in the order of `headers`."""
    d = item.decision
    return [
        item.entry.rank,
        d.application_id,
        item.municipality_number,
        item.municipality_name,
        item.county,
        item.received.isoformat() if item.received else "",
        ruleset.labels.outcome[item.entry.outcome],
        item.entry.score,
        "Ja" if item.entry.within_capacity else "Nei",
        *(criterion_cell(d, c.id, ruleset) for c in ruleset.criteria),
    ]


def table(
    listing: CountyList, ruleset: RuleSet, items: Sequence[RankedApplication] | None = None
) -> list[list[Cell]]:
    """Heading row and one row per application (all of the county's, or those given)."""
    chosen = listing.items if items is None else items
    return [list(headers(ruleset)), *(row(i, ruleset) for i in chosen)]


def _inert(value: Cell) -> Cell:
    # A text that a spreadsheet would run as a formula (CSV injection) is kept as text.
    if isinstance(value, str):
        return inert_text(value)
    return "" if value is None else value


def to_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV as Norwegian Excel opens it: UTF-8 with BOM, semicolons, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for r in rows:
        writer.writerow([_inert(v) for v in r])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[Cell]], listing: CountyList, ruleset: RuleSet) -> bytes:
    """An .xlsx workbook: one sheet with a bold, frozen heading row and a filter."""
    return workbook(rows, f"Fylke {listing.county}", f"{ruleset.title}: {listing.name}")


def workbook(rows: Sequence[Sequence[Cell]], sheet: str, title: str) -> bytes:
    """Rows as an .xlsx sheet: bold, frozen heading row, a filter, texts never formulas."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = sheet[:31]
    for r in rows:
        ws.append(list(r))
    for line in ws.iter_rows():
        for cell in line:
            # a name that looks like a formula is text, never a formula (api/spreadsheet.py)
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and looks_like_formula(cell.value)
            ):
                cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"
    for index, heading in enumerate(rows[0] if rows else [], start=1):
        longest = max(len(str(r[index - 1] or "")) for r in rows)
        width = min(60, max(8, longest + 2, len(str(heading)) // 2 + 2))
        ws.column_dimensions[get_column_letter(index)].width = width
    wb.properties.title = title
    wb.properties.creator = "utvalg"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
