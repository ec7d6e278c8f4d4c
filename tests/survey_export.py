"""Write files in Udir's Elevundersøkelsen export format for tests (CSV and .xlsx)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tests.builders import SCHOOL_A, SCHOOL_B

# The export's columns in Udir's order, with a few the importer must ignore.
COLUMNS = [
    "Skoleaarnavn",
    "Fylkekode",
    "Kommunekode",
    "Organisasjonsnummer",
    "EnhetNavn",
    "EnhetNivaa",
    "Spoersmaalkode",
    "Spoersmaaltekst",
    "AndelMobbet",
    "AntallBesvart",
    "Kjoenn",
]
BULLYING = "EUIndeks_1398"
OTHER = "EUIndeks_1401"  # another indicator (Trivsel), skipped by the import


def row(
    year: int,
    org: str,
    percent: str | float | None,
    respondents: str | int | None = "100",
    *,
    level: int | str = 3,
    name: str = "Nordby skole",
    indicator: str = BULLYING,
) -> dict[str, Any]:
    """One export row; `percent` as the export writes it (e.g. "7,3" or "*")."""
    return {
        "Skoleaarnavn": f"{year}-{(year + 1) % 100:02d}",
        "Fylkekode": "50",
        "Kommunekode": "5001",
        "Organisasjonsnummer": org,
        "EnhetNavn": name,
        "EnhetNivaa": level,
        "Spoersmaalkode": indicator,
        "Spoersmaaltekst": "Mobbing på skolen" if indicator == BULLYING else "Trivsel",
        "AndelMobbet": percent,
        "AntallBesvart": respondents,
        "Kjoenn": "Alle",
    }


def national_rows(averages: dict[int, str]) -> list[dict[str, Any]]:
    """Country-level rows (EnhetNivaa 1) with the given averages."""
    return [
        row(y, "", p, "120 000", level=1, name="Nasjonalt") for y, p in sorted(averages.items())
    ]


def sample_rows() -> list[dict[str, Any]]:
    """A small but complete export: country, county, two schools, suppressions, other rows."""
    rows = national_rows({2017: "6,6", 2018: "6,1", 2019: "6,0"})
    rows += [row(y, "", "6,4", "12 345", level=2, name="Trøndelag") for y in (2017, 2018, 2019)]
    rows += [
        row(2016, SCHOOL_A, "9,9", "101"),
        row(2017, SCHOOL_A, "10,4", "1\u00a0234"),
        row(2018, SCHOOL_A, "*", "*"),
        row(2019, SCHOOL_A, "9,1", "97"),
        row(2017, SCHOOL_B, "3,0", "40", name="Sørby skole"),
        row(2018, SCHOOL_B, "2,5", "41", name="Sørby skole"),
        row(2019, SCHOOL_B, "12,0", "8", name="Sørby skole"),
    ]
    rows += [row(y, SCHOOL_A, "80,1", "97", indicator=OTHER) for y in (2017, 2018, 2019)]
    return rows


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    """The rows as the export's semicolon-separated text (CRLF line ends, like Excel)."""
    lines = [";".join(columns)]
    for r in rows:
        cells = ["" if r.get(c) is None else str(r.get(c)) for c in columns]
        lines.append(";".join(f'"{c}"' if ";" in c else c for c in cells))
    return "\r\n".join(lines) + "\r\n"


def write_csv(
    path: Path,
    rows: Iterable[dict[str, Any]],
    *,
    bom: bool = True,
    columns: Sequence[str] = COLUMNS,
) -> Path:
    """Write the rows as a CSV export (UTF-8, with a BOM unless told otherwise)."""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + csv_text(rows, columns).encode())
    return path


def write_xlsx(
    path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS
) -> Path:
    """Write the rows as an .xlsx sheet; numbers that the CSV writes as text become numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Elevundersøkelsen"
    sheet.append(list(columns))
    for r in rows:
        sheet.append([_cell(c, r.get(c)) for c in columns])
    book.save(path)
    return path


def _cell(column: str, value: Any) -> Any:
    if not isinstance(value, str) or value == "*":
        return value
    if column == "AndelMobbet":
        return float(value.replace(",", "."))
    if column == "AntallBesvart":
        return int(value.replace(" ", "").replace("\u00a0", ""))
    if column == "EnhetNivaa":
        return int(value)
    return value
