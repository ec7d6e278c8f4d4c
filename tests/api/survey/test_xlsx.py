"""api.survey.xlsx: crafted workbooks are refused at once, within bounds, by file name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import api.survey.xlsx as xlsx
from api.survey.parse import InvalidSurveyFile, parse_survey
from tests.survey_export import national_rows, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(tmp_path: Path, sheet_xml: str) -> bytes:
    """A valid workbook (written by openpyxl) with its first sheet replaced."""
    source = write_xlsx(tmp_path / "base.xlsx", national_rows({2019: "6,0"}))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in book.infolist():
            data = sheet_xml.encode() if info.filename == SHEET else book.read(info)
            new.writestr(info.filename, data)
    return out.getvalue()


def _sheet(body: str, dimension: str = "A1:G2") -> str:
    return (
        f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _refused(content: bytes, name: str = "eu.xlsx") -> str:
    with pytest.raises(InvalidSurveyFile) as caught:
        parse_survey(io.BytesIO(content), name)
    (d,) = caught.value.diagnostics
    assert d.code == "TOO_LARGE" and d.location.file == name
    assert f"«{name}»" in d.message
    return d.message


def test_a_cell_in_column_zzzzzzz_is_refused_not_read_as_eight_billion_cells(
    tmp_path: Path,
) -> None:
    content = _workbook(tmp_path, _sheet('<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>'))
    assert len(content) < 10_000
    _refused(content, "angrep.xlsx")


def test_a_declared_dimension_of_twenty_million_rows_is_refused_before_any_row(
    tmp_path: Path,
) -> None:
    content = _workbook(tmp_path, _sheet("<row/>" * 10, dimension="A1:G20000000"))
    assert "20000000" in _refused(content)


def test_more_rows_than_the_bound_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 100)
    content = _workbook(tmp_path, _sheet("<row/>" * 500, dimension="A1"))
    _refused(content)


def test_an_archive_that_unpacks_beyond_the_bound_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED", 4096)
    content = _workbook(tmp_path, _sheet("<row/>" * 2000))
    assert "MB" in _refused(content)


def test_a_sheet_packed_a_thousand_to_one_is_refused_before_reading(tmp_path: Path) -> None:
    # two million empty rows: 12 MB of XML in about 12 KB
    content = _workbook(tmp_path, _sheet("<row/>" * 2_000_000, dimension="A1"))
    assert len(content) < 100_000
    _refused(content)
