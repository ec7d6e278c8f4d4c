"""Reading Udir's Elevundersøkelsen export: figures, counts, and every refusal reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from api.survey.parse import (
    MAX_ERRORS,
    Figure,
    InvalidSurveyFile,
    ParsedSurvey,
    national_average_warnings,
    parse_survey,
    parse_survey_file,
)
from tests.builders import SCHOOL_A, SCHOOL_B
from tests.survey_export import (
    COLUMNS,
    OTHER,
    csv_text,
    national_rows,
    row,
    sample_rows,
    typed_table,
    write_csv,
    write_excel_xlsx,
    write_xlsx,
)

BAD_CHECK_DIGIT = SCHOOL_A[:8] + str((int(SCHOOL_A[8]) + 1) % 10)


def _figure(parsed: ParsedSurvey, org: str, year: int) -> Figure:
    return next(f for f in parsed.schools if f.org_number == org and f.year == year)


def _refusal(tmp_path: Path, content: str | bytes, name: str = "eu.csv") -> list[tuple[str, int]]:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(InvalidSurveyFile) as caught:
        parse_survey_file(str(path))
    for d in caught.value.diagnostics:
        assert d.location.file == str(path)
        assert d.message  # Norwegian text for the person who uploaded it
    return [(d.code, d.location.line or 0) for d in caught.value.diagnostics]


def _with(*rows: dict[str, object]) -> str:
    return csv_text([*national_rows({2019: "6,0"}), *rows])


# --- a valid export --------------------------------------------------------------------


def test_csv_with_bom_gives_school_and_national_figures_and_counts(tmp_path: Path) -> None:
    parsed = parse_survey_file(str(write_csv(tmp_path / "eu.csv", sample_rows(), bom=True)))
    assert parsed.rows_read == 16
    assert parsed.skipped == 3  # the other indicator
    assert parsed.county_rows == 3
    assert len(parsed.schools) == 7
    assert parsed.suppressed == 1
    assert [(f.year, f.percent, f.respondents) for f in parsed.national] == [
        (2017, 6.6, 120000),
        (2018, 6.1, 120000),
        (2019, 6.0, 120000),
    ]
    a2017 = _figure(parsed, SCHOOL_A, 2017)
    assert (a2017.percent, a2017.respondents, a2017.suppressed) == (10.4, 1234, False)
    assert a2017.name == "Nordby skole" and a2017.indicator == "EUIndeks_1398"
    assert a2017.line == 9  # header, 3 national, 3 county, then 2016 and 2017
    a2018 = _figure(parsed, SCHOOL_A, 2018)
    assert (a2018.percent, a2018.respondents, a2018.suppressed) == (None, None, True)
    assert _figure(parsed, SCHOOL_B, 2019).respondents == 8


def test_bom_or_not_gives_the_same_figures_but_another_checksum(tmp_path: Path) -> None:
    with_bom = parse_survey_file(str(write_csv(tmp_path / "a.csv", sample_rows(), bom=True)))
    without = parse_survey_file(str(write_csv(tmp_path / "b.csv", sample_rows(), bom=False)))
    assert with_bom.schools == without.schools
    assert with_bom.sha256 != without.sha256
    assert len(with_bom.sha256) == 64


def test_xlsx_gives_the_same_figures_as_csv(tmp_path: Path) -> None:
    from_csv = parse_survey_file(str(write_csv(tmp_path / "eu.csv", sample_rows())))
    from_xlsx = parse_survey_file(str(write_xlsx(tmp_path / "eu.xlsx", sample_rows())))
    assert from_xlsx.schools == from_csv.schools
    assert from_xlsx.national == from_csv.national
    assert (from_xlsx.rows_read, from_xlsx.skipped, from_xlsx.county_rows) == (16, 3, 3)


def test_an_excel_workbook_with_shared_strings_gives_the_same_figures(tmp_path: Path) -> None:
    from_csv = parse_survey_file(str(write_csv(tmp_path / "eu.csv", sample_rows())))
    path = write_excel_xlsx(tmp_path / "eu.xlsx", typed_table(sample_rows()), rich=True)
    from_excel = parse_survey_file(str(path))
    assert from_excel.schools == from_csv.schools
    assert from_excel.national == from_csv.national
    assert _figure(from_excel, SCHOOL_A, 2017).name == "Nordby skole"  # runs joined, no hint


def test_a_sheet_may_leave_trailing_empty_cells_out(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "AntallBesvart"] + ["AntallBesvart"]
    rows = [*national_rows({2019: "6,0"}), row(2019, SCHOOL_A, "7,0", None)]
    parsed = parse_survey_file(
        str(write_excel_xlsx(tmp_path / "eu.xlsx", typed_table(rows, columns)))
    )
    assert [(f.percent, f.respondents) for f in parsed.schools] == [(7.0, None)]


def test_column_order_and_extra_columns_do_not_matter(tmp_path: Path) -> None:
    shuffled = [*reversed(COLUMNS), "Ekstra"]
    parsed = parse_survey_file(str(write_csv(tmp_path / "eu.csv", sample_rows(), columns=shuffled)))
    reference = parse_survey_file(str(write_csv(tmp_path / "ref.csv", sample_rows())))
    assert parsed.schools == reference.schools


def test_thousands_separators_and_decimal_point_are_read(tmp_path: Path) -> None:
    text = _with(
        row(2017, SCHOOL_A, "7.5", "1 234"),
        row(2018, SCHOOL_A, "7,25", "1\u202f234"),
        row(2019, SCHOOL_A, "", ""),
    )
    parsed = parse_survey(io.BytesIO(text.encode()), "eu.csv")
    got = [(f.percent, f.respondents, f.suppressed) for f in parsed.schools]
    assert got == [(7.5, 1234, False), (7.25, 1234, False), (None, None, False)]


def test_other_indicators_are_skipped_without_checking_their_values(tmp_path: Path) -> None:
    text = _with(
        row(2019, "123", "mye", "?", indicator=OTHER, level="x"),
        row(2019, SCHOOL_A, "7,0"),
    )
    parsed = parse_survey(io.BytesIO(text.encode()), "eu.csv")
    assert (parsed.rows_read, parsed.skipped, len(parsed.schools)) == (3, 1, 1)


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0")) + "\r\n;;;;;;;;;;\r\n"
    parsed = parse_survey(io.BytesIO(text.encode()), "eu.csv")
    assert parsed.rows_read == 2


def test_a_quoted_name_over_two_lines_keeps_the_line_numbers_right(tmp_path: Path) -> None:
    text = _with(
        row(2018, SCHOOL_A, "7,0", name="Nordby\nskole"),
        row(2019, SCHOOL_A, "not a number"),
    ).replace("Nordby\nskole", '"Nordby\nskole"')
    # the line feed in the name is refused too (a name stands on one line), at its row's line
    assert _refusal(tmp_path, text) == [("NAME_CONTROL_CHARACTER", 3), ("BAD_NUMBER", 5)]


def test_progress_is_reported_up_to_the_whole_file(tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    path = write_csv(tmp_path / "eu.csv", sample_rows())
    parse_survey_file(str(path), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)


# --- refusals, one per reason ---------------------------------------------------------


def test_missing_column_is_refused_at_the_header_with_a_suggestion(tmp_path: Path) -> None:
    columns = [c if c != "AndelMobbet" else "AndelMobbede" for c in COLUMNS]
    text = csv_text([row(2019, SCHOOL_A, "7,0")], columns=columns)
    path = tmp_path / "eu.csv"
    path.write_text(text)
    with pytest.raises(InvalidSurveyFile) as caught:
        parse_survey_file(str(path))
    [d] = caught.value.diagnostics
    assert (d.code, d.location.line, d.loc) == ("MISSING_COLUMN", 1, ("AndelMobbet",))
    assert "AndelMobbede" in d.message


def test_a_comma_separated_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = csv_text([row(2019, SCHOOL_A, "7.0")]).replace(";", ",")
    codes = _refusal(tmp_path, text)
    assert {c for c, _ in codes} == {"MISSING_COLUMN"} and len(codes) == 7


def test_duplicate_column_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, csv_text([], columns=[*COLUMNS, "AntallBesvart"])) == [
        ("DUPLICATE_COLUMN", 1)
    ]


def test_bad_year_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = row(2019, SCHOOL_A, "7,0") | {"Skoleaarnavn": "2019-21"}
    assert _refusal(tmp_path, _with(bad)) == [("BAD_YEAR", 3)]


def test_bad_level_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, SCHOOL_A, "7,0", level="skole"))) == [
        ("BAD_LEVEL", 3)
    ]


def test_bad_percent_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, SCHOOL_A, "7,0 %"))) == [("BAD_NUMBER", 3)]


def test_bad_respondents_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, SCHOOL_A, "7,0", "12,5"))) == [("BAD_NUMBER", 3)]


def test_percent_above_100_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, SCHOOL_A, "100,5"))) == [("OUT_OF_RANGE", 3)]


def test_org_number_with_bad_check_digit_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, BAD_CHECK_DIGIT, "7,0"))) == [("BAD_ORG_NUMBER", 3)]


def test_school_without_org_number_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _with(row(2019, "", "7,0"))) == [("BAD_ORG_NUMBER", 3)]


def test_two_rows_for_one_school_and_year_are_refused(tmp_path: Path) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0"), row(2018, SCHOOL_A, "7,0"), row(2019, SCHOOL_A, "8"))
    assert _refusal(tmp_path, text) == [("DUPLICATE_ROW", 5)]


def test_a_row_with_too_few_fields_is_refused(tmp_path: Path) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0")) + "2019-20;50;5001\r\n"
    assert _refusal(tmp_path, text) == [("BAD_ROW", 4)]


def test_an_unquoted_semicolon_in_a_name_is_refused(tmp_path: Path) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0", name="Nordby skole"))
    text = text.replace("Nordby skole", "Nordby;skole")
    assert _refusal(tmp_path, text) == [("BAD_ROW", 3)]


def test_a_file_that_is_not_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    text = _with(row(2018, SCHOOL_A, "7,0"), row(2019, SCHOOL_A, "7,0", name="Bø skole"))
    latin1 = text.encode().replace("Bø".encode(), "Bø".encode("cp1252"))
    assert _refusal(tmp_path, latin1) == [("BAD_ENCODING", 4)]


def test_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0", name='"Nordby' + "x" * 200_000))
    assert _refusal(tmp_path, text) == [("BAD_CSV", 3)]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, b"\xef\xbb\xbf\r\n") == [("EMPTY_FILE", 0)]


def test_a_file_without_the_indicator_is_refused(tmp_path: Path) -> None:
    text = csv_text([row(2019, SCHOOL_A, "80,0", indicator=OTHER)])
    assert _refusal(tmp_path, text) == [("NO_FIGURES", 0)]


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hei.txt", "ikke et regneark")
    assert _refusal(tmp_path, buffer.getvalue(), name="eu.xlsx") == [("BAD_FORMAT", 0)]


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buffer.getvalue()


def test_a_workbook_with_a_doctype_is_refused(tmp_path: Path) -> None:
    workbook = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>'
    content = _zip({"xl/workbook.xml": workbook})
    assert _refusal(tmp_path, content, name="eu.xlsx") == [("BAD_FORMAT", 0)]


def test_a_damaged_sheet_is_refused(tmp_path: Path) -> None:
    content = _zip(
        {
            "xl/workbook.xml": "<workbook/>",
            "xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r='1'><c r='A1'",
        }
    )
    assert _refusal(tmp_path, content, name="eu.xlsx") == [("BAD_FORMAT", 0)]


def test_every_error_is_listed_in_order(tmp_path: Path) -> None:
    text = _with(
        row(2017, SCHOOL_A, "x"),
        row(2018, SCHOOL_A, "7,0"),
        row(2019, BAD_CHECK_DIGIT, "7,0", "mange"),
    )
    assert _refusal(tmp_path, text) == [
        ("BAD_NUMBER", 3),
        ("BAD_NUMBER", 5),
        ("BAD_ORG_NUMBER", 5),
    ]


def test_errors_stop_at_the_cap(tmp_path: Path) -> None:
    text = _with(*(row(2019, SCHOOL_A, f"x{i}") for i in range(MAX_ERRORS + 10)))
    codes = _refusal(tmp_path, text)
    assert len(codes) == MAX_ERRORS + 1
    assert codes[-1] == ("TOO_MANY_ERRORS", MAX_ERRORS + 3)


def test_xlsx_errors_name_the_sheet_row(tmp_path: Path) -> None:
    rows = [*national_rows({2019: "6,0"}), row(2019, BAD_CHECK_DIGIT, "7,0")]
    path = write_xlsx(tmp_path / "eu.xlsx", rows)
    with pytest.raises(InvalidSurveyFile) as caught:
        parse_survey_file(str(path))
    [d] = caught.value.diagnostics
    assert (d.code, d.location.line) == ("BAD_ORG_NUMBER", 3)
    assert d.render().startswith(f"{path}:3:1: BAD_ORG_NUMBER Organisasjonsnummer: ")


# --- national averages ------------------------------------------------------------------


def _national(averages: dict[int, str]) -> list[Figure]:
    text = csv_text([*national_rows(averages), row(2019, SCHOOL_A, "7,0")])
    return parse_survey(io.BytesIO(text.encode()), "eu.csv").national


def test_no_warning_when_national_figures_match_the_ruleset() -> None:
    figures = _national({2016: "7,0", 2017: "6,6", 2018: "6,1", 2019: "6,0"})
    assert national_average_warnings(figures, {2017: 6.6, 2018: 6.1, 2019: 6.0}) == []


def test_warning_names_year_and_both_figures_when_they_differ() -> None:
    figures = _national({2018: "6,1", 2019: "6,3"})
    [warning] = national_average_warnings(figures, {2018: 6.1, 2019: 6.0}, "pulje-5")
    assert "2019" in warning and "6,3 %" in warning and "6,0 %" in warning
    assert "pulje-5" in warning


@pytest.mark.parametrize("name", ["Nordby\x00skole", "Nordby\tskole", "Nordby\u2028skole"])
def test_a_school_name_with_a_control_character_is_refused(tmp_path: Path, name: str) -> None:
    text = _with(row(2019, SCHOOL_A, "7,0", name="Nordby skole")).replace("Nordby skole", name)
    assert _refusal(tmp_path, text) == [("NAME_CONTROL_CHARACTER", 3)]


@pytest.mark.parametrize("count", [str(2**64), "9" * 5000, "10 000 001"])
def test_a_count_of_respondents_beyond_any_school_is_refused_with_its_line(
    tmp_path: Path, count: str
) -> None:
    text = _with(row(2017, SCHOOL_A, "7,5", count))
    assert ("OUT_OF_RANGE", 3) in _refusal(tmp_path, text)
