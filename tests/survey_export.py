"""Write files in Udir's Elevundersøkelsen export format for tests (CSV and .xlsx)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

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


def typed_table(
    rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS
) -> list[list[Any]]:
    """Header plus rows, with numbers as numbers (as a spreadsheet holds them)."""
    return [list(columns), *([_cell(c, r.get(c)) for c in columns] for r in rows)]


def write_excel_xlsx(path: Path, table: Iterable[Sequence[Any]], *, rich: bool = False) -> Path:
    """Write a table the way Excel does (shared strings, empty cells left out), streamed.

    openpyxl writes inline strings; Excel and most exports use a shared-string table,
    which this writes. With `rich`, each string is split into two formatted runs and
    gets a phonetic hint, which a reader must leave out of the text.
    """
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        # the sheet is not called sheet1.xml: a reader must follow the workbook's relations
        with z.open("xl/worksheets/data.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'.encode()
            )
            sheet.write(b'<dimension ref="A1"/><sheetData>')
            for number, cells in enumerate(table, start=1):
                parts = []
                for i, value in enumerate(cells):
                    ref = f"{_letters(i)}{number}"
                    if value is None or value == "":
                        continue
                    if isinstance(value, bool):
                        parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, int | float):
                        parts.append(f'<c r="{ref}"><v>{value!r}</v></c>')
                    else:
                        index = strings.setdefault(str(value), len(strings))
                        parts.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(parts)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        items = []
        for text in strings:
            if rich and len(text) > 1:
                half = len(text) // 2
                items.append(
                    f"<si><r><t>{escape(text[:half])}</t></r>"
                    f'<r><rPr><b/></rPr><t xml:space="preserve">{escape(text[half:])}</t></r>'
                    '<rPh sb="0" eb="1"><t>fonetisk</t></rPh></si>'
                )
            else:
                items.append(f"<si><t>{escape(text)}</t></si>")
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(items)}">'
            + "".join(items)
            + "</sst>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Elevundersøkelsen" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        package = "http://schemas.openxmlformats.org/package/2006/relationships"
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="rId7" Type="{rel}/worksheet" Target="worksheets/data.xml"/>'
            f'<Relationship Id="rId8" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
    return path


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out
