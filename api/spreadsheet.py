"""Spreadsheets written by every export (CSV, .xlsx): a text a spreadsheet would run stays text.

The one formula guard for every export. OWASP's rule for CSV injection: a cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice. Spreadsheets also skip leading blanks (a line feed, a space, a no-break
space, a zero-width space) and read full-width signs (`＝`) as their plain forms, so the
rule is applied after removing those and after NFKC normalisation.

The CSV and workbook writers live here too, so that every export (the web pages' and the
API's) writes its cells through the one guard.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

Cell = str | int | float | dt.date | None
Rows = Sequence[Sequence[Cell]]

# the media type of an .xlsx workbook, for every export's download
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = frozenset("=+-@\t\r\n")
# Python's str.isspace() covers space, line feed, NBSP and the other Unicode spaces;
# these are invisible but not "space" to Python
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Norwegian date display; the cell holds a real date, so sorting and filtering work
_DATE_FORMAT = "DD.MM.YYYY"
# Excel's sheet names: at most 31 characters, none of these
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (OWASP rule, see above)."""
    if text[:1] in _FORMULA_START:
        return True
    plain = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(plain) and (plain[start].isspace() or plain[start] in _INVISIBLE):
        start += 1
    return plain[start : start + 1] in _FORMULA_START


def inert_text(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs: prefixed with `'` when it looks like a formula."""
    return "'" + text if looks_like_formula(text) else text


def _csv_cell(value: Cell) -> str | int | float:
    # A text that a spreadsheet would run as a formula (CSV injection) is kept as text.
    if isinstance(value, str):
        return inert_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # every spreadsheet reads ISO dates as dates
    return "" if value is None else value


def to_csv(rows: Rows) -> bytes:
    """CSV as Norwegian Excel opens it: UTF-8 with BOM, semicolons, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for r in rows:
        writer.writerow([_csv_cell(v) for v in r])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(text: str) -> str:
    """`text` as a name Excel accepts for a sheet (no `[]:*?/\\`, at most 31 characters)."""
    return text.translate(_SHEET_FORBIDDEN).strip()[:31] or "Ark"


def _fill(ws: Any, rows: Rows) -> None:
    """One sheet: the rows, texts never formulas, a bold frozen heading row, filter, widths."""
    for r in rows:
        ws.append(list(r))
    for line in ws.iter_rows():
        for cell in line:
            # a name that looks like a formula is text, never a formula
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and looks_like_formula(cell.value)
            ):
                cell.data_type = "s"
            if isinstance(cell.value, str):
                # "@" keeps a text (an org number, a kommunenummer with its leading zero)
                # text when someone edits the cell
                cell.number_format = "@"
            elif isinstance(cell.value, dt.date):
                cell.number_format = _DATE_FORMAT
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"
    for index, heading in enumerate(rows[0] if rows else [], start=1):
        longest = max(len(_shown(r[index - 1])) for r in rows)
        width = min(60, max(8, longest + 2, len(str(heading)) // 2 + 2))
        ws.column_dimensions[get_column_letter(index)].width = width


def _shown(value: Cell) -> str:
    # how wide a cell looks: a date is shown as dd.mm.yyyy
    if isinstance(value, dt.date):
        return "00.00.0000"
    return str(value if value is not None else "")


def workbook_of(sheets: Sequence[tuple[str, Rows]], title: str) -> bytes:
    """Sheets (name, rows) as one .xlsx workbook; each sheet as `workbook` makes it."""
    wb = Workbook()
    first: Any = wb.active
    wb.remove(first)
    used: set[str] = set()
    for name, rows in sheets or [("Ark", [])]:
        unique = sheet_name(name)
        n = 2
        while unique.lower() in used:
            suffix = f" ({n})"
            unique, n = sheet_name(name)[: 31 - len(suffix)] + suffix, n + 1
        used.add(unique.lower())
        _fill(wb.create_sheet(unique), rows)
    wb.properties.title = title
    wb.properties.creator = "utvalg"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook(rows: Rows, sheet: str, title: str) -> bytes:
    """Rows as an .xlsx sheet: bold, frozen heading row, a filter, texts never formulas."""
    return workbook_of([(sheet, rows)], title)
