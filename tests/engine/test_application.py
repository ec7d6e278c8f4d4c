"""engine.application (CONTRACT section 1): what parses, and how bad input is refused."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from engine.application import (
    Application,
    first_control_character,
    load_application_file,
    load_application_text,
    parse_application,
    valid_org_number,
)
from engine.diagnostics import InvalidApplication
from tests.engine.samples import (
    ORG_A,
    ORG_B,
    ORG_BAD_CHECK,
    ORG_C,
    ORG_D,
    ROUNDS,
    codes,
    full_application,
    one,
    refused,
    refused_text,
    with_change,
    without,
)

# --- valid input ----------------------------------------------------------------------


def test_full_application_parses_with_every_value_kept() -> None:
    app = parse_application(full_application(), rounds=ROUNDS)
    assert app.id == "trondheim-2020"
    assert app.received == date(2020, 1, 20)
    assert app.municipality.supervision is not None
    assert app.municipality.supervision[0].deficiencies == ["practice", "system"]
    assert app.participants.kindergarten_owner is None
    assert app.participants.ppt is False
    nordby, sorby = app.schools
    assert nordby.bullying is not None
    assert nordby.bullying[1].percent == 10.0
    assert isinstance(nordby.bullying[1].percent, float)
    assert nordby.bullying[2].suppressed is True
    assert nordby.bullying[0].suppressed is False
    assert nordby.supervision == []  # an empty list stays empty ...
    assert sorby.bullying is None  # ... and absent stays None
    assert sorby.cases is None
    assert nordby.owner is None
    assert sorby.owner is not None and sorby.owner.private is True
    assert sorby.owner.participates is None
    assert app.kindergartens[0].feeds_schools == [ORG_A]
    assert app.kindergartens[0].supervision is None


def test_minimal_application_gets_contract_defaults() -> None:
    app = parse_application(
        {"round": "pulje-5", "county": "50", "municipality": {"number": "5001", "name": "T"}}
    )
    assert app.id is None
    assert app.received is None
    assert app.schools == [] and app.kindergartens == []
    assert app.municipality.motivated is None
    assert app.municipality.supervision is None
    assert (app.participants.school_owner, app.participants.ppt) == (None, None)


def test_case_defaults() -> None:
    data = with_change(("schools", 0, "cases"), [{"year": 2019, "kind": "other"}])
    case = parse_application(data).schools[0].cases
    assert case is not None
    assert (case[0].complex, case[0].months_open) == (False, None)


def test_model_is_frozen() -> None:
    app = parse_application(full_application())
    with pytest.raises(ValidationError):
        app.county = "18"


def test_date_object_from_yaml_is_accepted() -> None:
    app = parse_application(with_change(("received",), date(2020, 2, 1)))
    assert app.received == date(2020, 2, 1)


# --- org numbers ----------------------------------------------------------------------


def test_the_check_digit_is_brreg_modulus_11_for_every_prefix_tried() -> None:
    # the definition written plainly, against the fast version, over 20,000 numbers
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    for prefix in range(10_000_000, 100_000_000, 4_999):
        digits = str(prefix)
        remainder = sum(int(c) * w for c, w in zip(digits, weights, strict=True)) % 11
        expected = None if remainder == 1 else (11 - remainder) % 11
        for check in (0, 1, 5, 9, expected if expected is not None else 3):
            assert valid_org_number(f"{digits}{check}") is (check == expected), digits


@pytest.mark.parametrize("number", [ORG_A, ORG_B, ORG_C, ORG_D, "964338531", "940155223"])
def test_known_valid_org_numbers(number: str) -> None:
    assert valid_org_number(number)


@pytest.mark.parametrize(
    "number",
    [
        ORG_BAD_CHECK,
        "974123457",
        "97476067",
        "9747606730",
        "97476067a",
        " 974760673",
        "",
        "٩٧٤٧٦٠٦٧٣",
    ],
)
def test_invalid_org_numbers(number: str) -> None:
    assert not valid_org_number(number)


def test_org_number_whose_check_digit_would_be_10_is_invalid() -> None:
    # 00000001x: weighted sum 2, remainder 2 -> check 9; find a prefix with check 10 instead
    prefix = next(
        f"{n:08d}"
        for n in range(10_000_000, 10_100_000)
        if 11
        - sum(int(d) * w for d, w in zip(f"{n:08d}", (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        == 10
    )
    assert not any(valid_org_number(prefix + str(d)) for d in range(10))


def test_bad_org_number_check_digit_is_refused() -> None:
    diags = refused(with_change(("schools", 1, "org_number"), ORG_BAD_CHECK))
    diag = one(diags, "BAD_ORG_NUMBER", ("schools", 1, "org_number"))
    assert ORG_BAD_CHECK in diag.message
    assert "kontrollsiffer" in diag.message


def test_bad_org_number_format_is_refused() -> None:
    diags = refused(with_change(("kindergartens", 0, "org_number"), "97476067"))
    one(diags, "BAD_ORG_NUMBER", ("kindergartens", 0, "org_number"))


def test_bad_org_numbers_in_owner_and_feeds_schools() -> None:
    data = with_change(("schools", 1, "owner", "org_number"), ORG_BAD_CHECK)
    data["kindergartens"][0]["feeds_schools"] = [ORG_A, "123"]
    diags = refused(data)
    assert codes(diags) == {
        ("BAD_ORG_NUMBER", ("schools", 1, "owner", "org_number")),
        ("BAD_ORG_NUMBER", ("kindergartens", 0, "feeds_schools", 1)),
    }


def test_duplicate_org_number_between_schools() -> None:
    diags = refused(with_change(("schools", 1, "org_number"), ORG_A))
    diag = one(diags, "DUPLICATE_ORG_NUMBER", ("schools", 1, "org_number"))
    assert ORG_A in diag.message and "schools[0].org_number" in diag.message
    assert len(diags) == 1


def test_duplicate_org_number_between_school_and_kindergarten() -> None:
    diags = refused(with_change(("kindergartens", 0, "org_number"), ORG_B))
    assert codes(diags) == {("DUPLICATE_ORG_NUMBER", ("kindergartens", 0, "org_number"))}


def test_duplicate_is_reported_alongside_other_errors() -> None:
    data = with_change(("kindergartens", 0, "org_number"), ORG_B)
    data["county"] = "5"
    assert codes(refused(data)) == {
        ("DUPLICATE_ORG_NUMBER", ("kindergartens", 0, "org_number")),
        ("BAD_FORMAT", ("county",)),
    }


def test_model_validate_directly_also_refuses_duplicates() -> None:
    with pytest.raises(ValidationError):
        Application.model_validate(with_change(("schools", 1, "org_number"), ORG_A))


# --- types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("municipality", "motivated"), "true"),
        (("municipality", "motivated"), 1),
        (("participants", "ppt"), "ja"),
        (("schools", 0, "bullying", 0, "suppressed"), None),
        (("schools", 0, "bullying", 0, "year"), "2017"),
        (("schools", 0, "bullying", 0, "year"), True),
        (("schools", 0, "bullying", 0, "year"), 2017.0),
        (("schools", 0, "bullying", 0, "respondents"), "5"),
        (("schools", 0, "bullying", 0, "percent"), "9.6"),
        (("schools", 0, "bullying", 0, "percent"), True),
        (("schools", 0, "cases", 0, "months_open"), 6.5),
        (("schools", 0, "cases", 0, "complex"), "false"),
        (("schools", 1, "owner", "private"), None),
        (("schools", 1, "name"), 42),
        (("round",), 5),
        (("schools", 0, "cases"), {"year": 2018, "kind": "other"}),
        (("schools",), None),
        (("schools", 1, "owner"), "Sørby AS"),
        (("municipality",), ["5001"]),
        (("kindergartens", 0, "feeds_schools"), ORG_A),
    ],
)
def test_wrong_types_are_refused(path: tuple[str | int, ...], value: Any) -> None:
    diags = refused(with_change(path, value))
    diag = one(diags, "BAD_TYPE", path)
    field = next(p for p in reversed(path) if isinstance(p, str))
    assert f"«{field}" in diag.message
    assert " må være " in diag.message  # Norwegian, not pydantic's English
    assert len(diags) == 1


def test_int_percent_is_accepted() -> None:
    app = parse_application(with_change(("schools", 0, "bullying", 0, "percent"), 12))
    assert app.schools[0].bullying is not None
    assert app.schools[0].bullying[0].percent == 12.0


def test_literal_values_are_checked() -> None:
    data = with_change(("schools", 0, "cases", 0, "kind"), "klage")
    data["municipality"]["supervision"][0]["deficiencies"] = ["practice", "rutiner"]
    diags = refused(data)
    assert codes(diags) == {
        ("BAD_VALUE", ("schools", 0, "cases", 0, "kind")),
        ("BAD_VALUE", ("municipality", "supervision", 0, "deficiencies", 1)),
    }
    kind = one(diags, "BAD_VALUE", ("schools", 0, "cases", 0, "kind")).message
    assert "complaint" in kind and "klage" in kind


# --- unknown and missing fields -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ("round",),
        ("county",),
        ("municipality",),
        ("municipality", "number"),
        ("municipality", "name"),
        ("schools", 0, "org_number"),
        ("schools", 1, "name"),
        ("schools", 0, "bullying", 0, "year"),
        ("schools", 0, "cases", 0, "kind"),
        ("municipality", "supervision", 0, "deficiencies"),
        ("schools", 1, "owner", "private"),
        ("kindergartens", 0, "name"),
    ],
)
def test_missing_required_fields(path: tuple[str | int, ...]) -> None:
    diags = refused(without(path))
    diag = one(diags, "MISSING_FIELD", path)
    assert f"«{path[-1]}»" in diag.message
    assert len(diags) == 1


def test_missing_optional_fields_are_fine() -> None:
    data = without(("received",))
    del data["id"]
    del data["participants"]
    del data["schools"][0]["bullying"]
    del data["schools"][1]["owner"]["org_number"]
    app = parse_application(data)
    assert app.schools[0].bullying is None


# --- ranges and formats ---------------------------------------------------------------


@pytest.mark.parametrize("percent", [0, 100, 0.0, 100.0])
def test_percent_bounds_are_inclusive(percent: float) -> None:
    parse_application(with_change(("schools", 0, "bullying", 0, "percent"), percent))


def test_percent_nan_is_refused() -> None:
    path = ("schools", 0, "bullying", 0, "percent")
    one(refused(with_change(path, float("nan"))), "BAD_VALUE", path)


@pytest.mark.parametrize(
    "path",
    [
        ("schools", 0, "bullying", 0, "year"),
        ("schools", 0, "cases", 0, "year"),
        ("municipality", "supervision", 0, "year"),
    ],
)
@pytest.mark.parametrize("year", [1999, 2101, 19])
def test_year_outside_2000_to_2100(path: tuple[str | int, ...], year: int) -> None:
    diag = one(refused(with_change(path, year)), "OUT_OF_RANGE", path)
    assert "2000" in diag.message and "2100" in diag.message and str(year) in diag.message


@pytest.mark.parametrize("year", [2000, 2100])
def test_year_bounds_are_inclusive(year: int) -> None:
    parse_application(with_change(("schools", 0, "cases", 0, "year"), year))


@pytest.mark.parametrize(
    "path",
    [("schools", 0, "bullying", 0, "respondents"), ("schools", 0, "cases", 0, "months_open")],
)
def test_negative_counts_are_refused(path: tuple[str | int, ...]) -> None:
    one(refused(with_change(path, -1)), "OUT_OF_RANGE", path)


@pytest.mark.parametrize("county", ["5", "500", "5O", "", " 50", "50\n", "٥٠"])
def test_bad_county_format(county: str) -> None:
    diag = one(refused(with_change(("county",), county)), "BAD_FORMAT", ("county",))
    assert "Fylkesnummeret" in diag.message and "county" in diag.message


@pytest.mark.parametrize("number", ["501", "50011", "abcd"])
def test_bad_municipality_number_format(number: str) -> None:
    one(
        refused(with_change(("municipality", "number"), number)),
        "BAD_FORMAT",
        ("municipality", "number"),
    )


@pytest.mark.parametrize("bad_id", ["", "trondheim 2020", "æøå", "a/b", "x" * 65])
def test_bad_id_pattern(bad_id: str) -> None:
    diag = one(refused(with_change(("id",), bad_id)), "BAD_FORMAT", ("id",))
    assert "«id»" in diag.message


@pytest.mark.parametrize("good_id", ["a", "A.b_c-9", "x" * 64])
def test_good_id_pattern(good_id: str) -> None:
    assert parse_application(with_change(("id",), good_id)).id == good_id


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_names_are_refused(name: str) -> None:
    one(refused(with_change(("schools", 0, "name"), name)), "BAD_FORMAT", ("schools", 0, "name"))


@pytest.mark.parametrize(
    "received", ["2020-02-30", "20.01.2020", "2020-1-5", "2020-01-20T10:00:00", 20200120, True]
)
def test_bad_date(received: Any) -> None:
    diag = one(refused(with_change(("received",), received)), "BAD_DATE", ("received",))
    assert "received" in diag.message


# --- rounds and counties --------------------------------------------------------------


def test_unknown_round_lists_known_rounds() -> None:
    diags = refused(with_change(("round",), "pulje-6"), rounds=ROUNDS)
    diag = one(diags, "UNKNOWN_ROUND", ("round",))
    assert "pulje-6" in diag.message and "pulje-5" in diag.message
    assert len(diags) == 1


def test_unknown_county_lists_known_counties() -> None:
    diags = refused(with_change(("county",), "99"), rounds=ROUNDS)
    diag = one(diags, "UNKNOWN_COUNTY", ("county",))
    assert "99" in diag.message and "50" in diag.message and "18" in diag.message


def test_round_and_county_are_free_without_rounds() -> None:
    data = with_change(("round",), "pulje-6")
    data["county"] = "99"
    data["municipality"]["number"] = "9901"  # a kommunenummer begins with its county
    assert parse_application(data).round == "pulje-6"


def test_county_is_checked_against_its_own_round() -> None:
    rounds = {"pulje-5": ["50"], "pulje-6": ["18"]}
    parse_application(with_change(("county",), "50"), rounds=rounds)
    diags = refused(with_change(("round",), "pulje-6"), rounds=rounds)
    assert codes(diags) == {("UNKNOWN_COUNTY", ("county",))}


# --- many problems at once ------------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    data = full_application()
    data["county"] = 50
    data["extra"] = 1
    data["municipality"]["motivated"] = "yes"
    data["schools"][0]["org_number"] = ORG_BAD_CHECK
    data["schools"][0]["bullying"][0]["percent"] = 112.5
    data["schools"][0]["cases"][0]["year"] = 1990
    del data["schools"][1]["name"]
    data["kindergartens"][0]["org_number"] = ORG_B
    diags = refused(data, rounds=ROUNDS)
    assert codes(diags) == {
        ("BAD_TYPE", ("county",)),
        ("UNKNOWN_FIELD", ("extra",)),
        ("BAD_TYPE", ("municipality", "motivated")),
        ("BAD_ORG_NUMBER", ("schools", 0, "org_number")),
        ("OUT_OF_RANGE", ("schools", 0, "bullying", 0, "percent")),
        ("OUT_OF_RANGE", ("schools", 0, "cases", 0, "year")),
        ("MISSING_FIELD", ("schools", 1, "name")),
        ("DUPLICATE_ORG_NUMBER", ("kindergartens", 0, "org_number")),
    }
    assert len(diags) == 8  # no doubles


def test_not_a_mapping() -> None:
    assert codes(refused(["round", "pulje-5"])) == {("NOT_A_MAPPING", ())}
    assert codes(refused(None)) == {("NOT_A_MAPPING", ())}


# --- YAML and JSON text ---------------------------------------------------------------

YAML_TEXT = f"""\
id: trondheim-2020
round: pulje-5
county: "50"
received: 2020-01-20
municipality:
  number: "5001"
  name: Trondheim
  motivated: true
schools:
  - org_number: "{ORG_A}"
    name: Nordby skole
    bullying:
      - {{year: 2017, percent: 9.6, respondents: 120}}
      - year: 2018
        percent: 112.5
kindergartens:
  - org_number: "{ORG_C}"
    name: Solsiden barnehage
    feeds_schools: ["{ORG_A}"]
    extra: 1
"""


def test_yaml_text_parses_when_valid() -> None:
    app = load_application_text(YAML_TEXT.replace("112.5", "12.5").replace("    extra: 1\n", ""))
    assert app.received == date(2020, 1, 20)  # a YAML date object
    assert app.schools[0].bullying is not None and len(app.schools[0].bullying) == 2


def test_yaml_line_numbers_point_at_nested_errors() -> None:
    diags = refused_text(YAML_TEXT, file="soknad.yaml", rounds=ROUNDS)
    percent = one(diags, "OUT_OF_RANGE", ("schools", 0, "bullying", 1, "percent"))
    assert (percent.location.file, percent.location.line, percent.location.column) == (
        "soknad.yaml",
        15,
        9,
    )
    extra = one(diags, "UNKNOWN_FIELD", ("kindergartens", 0, "extra"))
    assert (extra.location.line, extra.location.column) == (20, 5)
    assert percent.render().startswith("soknad.yaml:15:9: OUT_OF_RANGE")
    assert [d.location.line for d in diags] == [15, 20]  # in document order


def test_yaml_missing_field_points_at_its_parent() -> None:
    text = YAML_TEXT.replace("    name: Nordby skole\n", "")
    diag = one(refused_text(text), "MISSING_FIELD", ("schools", 0, "name"))
    assert diag.location.line == 10


def test_yaml_unquoted_county_gets_hint_with_line() -> None:
    text = YAML_TEXT.replace('county: "50"', "county: 50")
    diag = one(refused_text(text), "BAD_TYPE", ("county",))
    assert diag.location.line == 3 and "anførselstegn" in diag.message


def test_yaml_numeric_key_is_an_unknown_field() -> None:
    diags = refused_text(YAML_TEXT.replace("    extra: 1\n", "    2019: 1\n"))
    assert one(diags, "UNKNOWN_FIELD", ("kindergartens", 0, "2019")).location.line == 20


def test_duplicate_yaml_key_is_refused() -> None:
    text = YAML_TEXT.replace('county: "50"\n', 'county: "50"\ncounty: "18"\n')
    diags = refused_text(text, file="soknad.yaml")
    assert [d.code for d in diags] == ["DUPLICATE_KEY"]
    assert diags[0].location.line == 4


def test_yaml_syntax_error_is_refused() -> None:
    diags = refused_text("round: pulje-5\ncounty: [50\n", file="x.yaml")
    assert [d.code for d in diags] == ["YAML_SYNTAX"]
    assert diags[0].location.file == "x.yaml"


def test_unsafe_yaml_tag_is_refused() -> None:
    diags = refused_text("round: !!python/name:os.system x\ncounty: '50'\n")
    assert [(d.code, d.location.line) for d in diags] == [("BAD_VALUE", 1)]


@pytest.mark.parametrize("text", ["", "# bare en kommentar\n", "- a\n- b\n", "pulje-5\n"])
def test_document_that_is_not_a_mapping(text: str) -> None:
    assert [d.code for d in refused_text(text)] == ["NOT_A_MAPPING"]


def test_json_text_works() -> None:
    text = json.dumps(full_application(), ensure_ascii=False)
    app = load_application_text(text, rounds=ROUNDS)
    assert app == parse_application(full_application())
    assert app.received == date(2020, 1, 20)


def test_json_with_tab_indentation_and_exponent_works() -> None:
    data = full_application()
    data["schools"][0]["bullying"][0]["percent"] = 0.5e1
    text = json.dumps(data, indent="\t").replace("5.0", "5e0")
    app = load_application_text(text)
    assert app.schools[0].bullying is not None and app.schools[0].bullying[0].percent == 5.0


def test_json_errors_have_positions() -> None:
    data = with_change(("schools", 1, "org_number"), ORG_BAD_CHECK)
    text = json.dumps(data, indent="\t")
    diag = one(refused_text(text, file="s.json"), "BAD_ORG_NUMBER", ("schools", 1, "org_number"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if ORG_BAD_CHECK in row)
    assert (diag.location.file, diag.location.line) == ("s.json", line)


def test_duplicate_json_key_is_refused() -> None:
    text = '{"round": "pulje-5", "round": "pulje-6", "county": "50"}'
    assert [d.code for d in refused_text(text)] == ["DUPLICATE_KEY"]


def test_json_date_string_is_a_date() -> None:
    text = json.dumps(with_change(("received",), "2020-02-14"))
    assert load_application_text(text).received == date(2020, 2, 14)


# --- files ----------------------------------------------------------------------------


def test_file_with_bom_works(tmp_path: Path) -> None:
    path = tmp_path / "soknad.yaml"
    path.write_bytes(
        "\ufeff".encode()
        + YAML_TEXT.replace("112.5", "12.5").replace("    extra: 1\n", "").encode()
    )
    app = load_application_file(path)
    assert app.municipality.name == "Trondheim"


def test_json_file_with_bom_works(tmp_path: Path) -> None:
    path = tmp_path / "soknad.json"
    path.write_text(json.dumps(full_application(), ensure_ascii=False), encoding="utf-8-sig")
    assert load_application_file(str(path)).schools[1].name == "Sørby friskole"


def test_file_errors_carry_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "soknad.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    with pytest.raises(InvalidApplication) as info:
        load_application_file(path)
    assert {d.location.file for d in info.value.diagnostics} == {str(path)}


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "finnes-ikke.yaml"
    with pytest.raises(InvalidApplication) as info:
        load_application_file(path)
    [diag] = info.value.diagnostics
    assert diag.code == "UNREADABLE_FILE" and str(path) in diag.message


def test_file_that_is_not_utf8_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("municipality: {name: Bodø}\n".encode("latin-1"))
    with pytest.raises(InvalidApplication) as info:
        load_application_file(path)
    [diag] = info.value.diagnostics
    assert diag.code == "UNREADABLE_FILE" and "UTF-8" in diag.message


# --- refusals of CONTRACT section 1 beyond one field ----------------------------------


def test_two_survey_rows_for_one_year_are_refused() -> None:
    data = full_application()
    data["schools"][0]["bullying"][2] = {"year": 2017, "percent": 2.0}
    diag = one(refused(data), "DUPLICATE_YEAR", ("schools", 0, "bullying", 2, "year"))
    assert "2017" in diag.message and "schools[0].bullying[0]" in diag.message
    assert "Nordby skole" in diag.message


def test_duplicate_year_is_refused_in_either_order() -> None:
    data = full_application()
    rows = data["schools"][0]["bullying"]
    rows[2] = {"year": 2017, "percent": 2.0}
    rows.reverse()
    one(refused(data), "DUPLICATE_YEAR", ("schools", 0, "bullying", 2, "year"))


def test_duplicate_year_is_listed_with_other_problems() -> None:
    data = full_application()
    data["schools"][0]["bullying"][1]["year"] = 2017
    data["schools"][0]["bullying"][0]["percent"] = 101
    found = codes(refused(data))
    assert ("DUPLICATE_YEAR", ("schools", 0, "bullying", 1, "year")) in found
    assert ("OUT_OF_RANGE", ("schools", 0, "bullying", 0, "percent")) in found


def test_survey_years_of_different_schools_may_repeat() -> None:
    data = full_application()
    data["schools"][1]["bullying"] = [{"year": 2017, "percent": 3.0}]
    parse_application(data)


def test_model_validate_directly_also_refuses_duplicate_years() -> None:
    data = full_application()
    data["schools"][0]["bullying"][1]["year"] = 2017
    with pytest.raises(ValidationError):
        Application.model_validate(data)


@pytest.mark.parametrize("received", ["0001-01-01", "1999-12-31", "2101-01-01", date(1, 1, 1)])
def test_received_outside_2000_to_2100_is_refused(received: Any) -> None:
    diag = one(refused(with_change(("received",), received)), "OUT_OF_RANGE", ("received",))
    assert "2000" in diag.message and "2100" in diag.message and "received" in diag.message
    assert str(received) in diag.message


def test_received_year_out_of_range_in_yaml_is_refused() -> None:
    text = "round: pulje-5\ncounty: '50'\nreceived: 0001-01-01\n"
    text += "municipality: {number: '5001', name: Trondheim}\n"
    diag = one(refused_text(text), "OUT_OF_RANGE", ("received",))
    assert diag.location.line == 3


@pytest.mark.parametrize("received", ["2000-01-01", "2100-12-31"])
def test_received_year_bounds_are_inclusive(received: str) -> None:
    parse_application(with_change(("received",), received))


@pytest.mark.parametrize("number", ["1804", "9999", "0301"])
def test_municipality_outside_its_county_is_refused(number: str) -> None:
    diag = one(
        refused(with_change(("municipality", "number"), number)),
        "MUNICIPALITY_NOT_IN_COUNTY",
        ("municipality", "number"),
    )
    assert number in diag.message and "fylke 50" in diag.message and "«county»" in diag.message


def test_municipality_not_in_county_is_listed_with_other_problems() -> None:
    data = with_change(("municipality", "number"), "1804")
    data["schools"][0]["bullying"][0]["percent"] = 101
    found = codes(refused(data, rounds=ROUNDS))
    assert ("MUNICIPALITY_NOT_IN_COUNTY", ("municipality", "number")) in found
    assert ("OUT_OF_RANGE", ("schools", 0, "bullying", 0, "percent")) in found


def test_municipality_check_waits_for_a_well_formed_county() -> None:
    found = codes(refused(with_change(("county",), "5")))
    assert not any(code == "MUNICIPALITY_NOT_IN_COUNTY" for code, _ in found)


def test_model_validate_directly_also_refuses_a_municipality_outside_its_county() -> None:
    with pytest.raises(ValidationError):
        Application.model_validate(with_change(("municipality", "number"), "1804"))


NAME_PATHS = [
    ("municipality", "name"),
    ("schools", 0, "name"),
    ("kindergartens", 0, "name"),
    ("schools", 1, "owner", "name"),
]


@pytest.mark.parametrize("path", NAME_PATHS)
def test_names_longer_than_200_characters_are_refused(path: tuple[str | int, ...]) -> None:
    diag = one(refused(with_change(path, "Å" * 210_000)), "NAME_TOO_LONG", path)
    assert "200" in diag.message and "210 000" in diag.message
    assert len(diag.message) < 400  # the value is shown cut short


@pytest.mark.parametrize("path", NAME_PATHS)
def test_names_of_200_characters_are_accepted(path: tuple[str | int, ...]) -> None:
    parse_application(with_change(path, "Å" * 200))


@pytest.mark.parametrize(
    "name", ["Nordby\nskole", "Nordby\tskole", "Nordby\x00", "A\x7fB", "A\u2028B"]
)
@pytest.mark.parametrize("path", NAME_PATHS)
def test_names_with_control_characters_are_refused(path: tuple[str | int, ...], name: str) -> None:
    diag = one(refused(with_change(path, name)), "NAME_CONTROL_CHARACTER", path)
    assert "U+" in diag.message and path[-1] in diag.message


@pytest.mark.parametrize("path", NAME_PATHS)
def test_empty_names_are_refused_everywhere(path: tuple[str | int, ...]) -> None:
    one(refused(with_change(path, "")), "BAD_FORMAT", path)


def test_names_with_letters_of_every_kind_are_accepted() -> None:
    app = parse_application(with_change(("municipality", "name"), "Guovdageaidnu – Kautokeino"))
    assert app.municipality.name == "Guovdageaidnu – Kautokeino"


def test_an_unknown_county_is_not_also_a_municipality_outside_it() -> None:
    for data in (with_change(("county",), "99"), with_change(("county",), "51")):
        found = {code for code, _ in codes(refused(data, rounds=ROUNDS))}
        assert found == {"UNKNOWN_COUNTY"}


@pytest.mark.parametrize("text", ["pulje-5\x00", "pulje\n5", "A\u2029B"])
def test_the_round_refuses_control_characters_too(text: str) -> None:
    diag = one(refused(with_change(("round",), text)), "CONTROL_CHARACTER", ("round",))
    assert "U+" in diag.message and "round" in diag.message


def test_first_control_character_names_position_and_code_point() -> None:
    assert first_control_character("Nordby\x00") == (7, "0000")
    assert first_control_character("Guovdageaidnu – Kautokeino") is None


def test_control_characters_are_exactly_unicodes_cc_zl_and_zp() -> None:
    # the search is a character class; Unicode's categories are the definition
    for code in range(0x3000):
        char = chr(code)
        expected = unicodedata.category(char) in ("Cc", "Zl", "Zp")
        assert (first_control_character(f"ab{char}") == (3, f"{code:04X}")) is expected, code
