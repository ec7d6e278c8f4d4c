"""engine.messages: one translator, so applications, rules and requests word problems alike."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from engine import check_rules
from engine.application import Application
from engine.messages import translate_request
from tests.engine.samples import ORG_A, codes, full_application, one, refused, with_change

ROOT = Path(__file__).resolve().parents[2]


def rules_with(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    """A copy of the shipped rules with one text replaced in one file."""
    target = tmp_path / "pulje-5"
    shutil.copytree(ROOT / "rules" / "pulje-5", target)
    path = target / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


# --- applications ---------------------------------------------------------------------


def test_unquoted_county_gets_quoting_hint() -> None:
    diags = refused(with_change(("county",), 50))
    diag = one(diags, "BAD_TYPE", ("county",))
    assert "anførselstegn" in diag.message and '"50"' in diag.message
    assert "Fylkesnummeret" in diag.message


def test_unquoted_municipality_number_and_org_number_get_quoting_hint() -> None:
    data = with_change(("municipality", "number"), 5001)
    data["schools"][0]["org_number"] = int(ORG_A)
    diags = refused(data)
    assert "anførselstegn" in one(diags, "BAD_TYPE", ("municipality", "number")).message
    org = one(diags, "BAD_TYPE", ("schools", 0, "org_number")).message
    assert f'"{ORG_A}"' in org


def test_unknown_top_level_field_lists_allowed_fields() -> None:
    data = full_application()
    data["skools"] = []
    diags = refused(data)
    diag = one(diags, "UNKNOWN_FIELD", ("skools",))
    assert "«skools»" in diag.message
    assert "schools" in diag.message and "kindergartens" in diag.message


def test_unknown_nested_field_has_full_path() -> None:
    data = full_application()
    data["schools"][0]["bullying"][1]["pupils"] = 130
    data["schools"][1]["owner"]["kommune"] = "Trondheim"
    diags = refused(data)
    assert codes(diags) == {
        ("UNKNOWN_FIELD", ("schools", 0, "bullying", 1, "pupils")),
        ("UNKNOWN_FIELD", ("schools", 1, "owner", "kommune")),
    }
    pupils = one(diags, "UNKNOWN_FIELD", ("schools", 0, "bullying", 1, "pupils")).message
    assert "respondents" in pupils  # lists the Survey's own fields


@pytest.mark.parametrize("percent", [112.5, -0.1, 100.01])
def test_percent_outside_0_to_100(percent: float) -> None:
    path = ("schools", 0, "bullying", 0, "percent")
    diag = one(refused(with_change(path, percent)), "OUT_OF_RANGE", path)
    assert "mellom 0 og 100" in diag.message
    assert "Prosentandelen" in diag.message and "percent" in diag.message
    assert f"{percent}".replace(".", ",") in diag.message  # decimal comma


def test_diagnostics_render_with_path_and_code() -> None:
    diags = refused(with_change(("schools", 0, "bullying", 0, "percent"), 112.5))
    rendered = diags[0].render()
    assert "OUT_OF_RANGE" in rendered and "schools[0].bullying[0].percent" in rendered
    assert diags[0].as_error()["loc"] == ["schools", 0, "bullying", 0, "percent"]


def test_field_titles_come_from_the_schema() -> None:
    assert Application.model_fields["received"].title == "Mottaksdatoen"
    diag = one(refused(with_change(("received",), 20200120)), "BAD_DATE", ("received",))
    assert diag.message.startswith("Mottaksdatoen («received»)")


def test_a_list_item_is_named_by_its_type() -> None:
    data = with_change(("schools", 0, "bullying", 0), 7)
    data["kindergartens"][0]["feeds_schools"] = [7]
    data["municipality"]["supervision"][0]["deficiencies"] = [7]
    diags = refused(data)
    assert one(diags, "BAD_TYPE", ("schools", 0, "bullying", 0)).message.startswith(
        "Mobbetallet («bullying[0]»)"
    )
    assert one(diags, "BAD_TYPE", ("kindergartens", 0, "feeds_schools", 0)).message.startswith(
        "Organisasjonsnummeret («feeds_schools[0]»)"
    )
    deficiency = one(diags, "BAD_VALUE", ("municipality", "supervision", 0, "deficiencies", 0))
    assert deficiency.message.startswith(
        "Avviket («deficiencies[0]») må være en av «practice», «routines» eller «system»"
    )


# --- rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "loc", "expected"),
    [
        (
            "deadline: 2020-02-14, capacity: 1}",
            "deadline: 2020-02-14, capasity: 1}",
            ("counties", "18", "capasity"),
            "Tillatt her: name, deadline, capacity. Mente du «capacity»?",
        ),
        (
            "  min_respondents: 10",
            "  min_respondets: 10",
            ("survey", "min_respondets"),
            "Tillatt her: indicator, min_respondents, national_average. "
            "Mente du «min_respondents»?",
        ),
        (
            "    recommended: Anbefalt",
            "    recomended: Anbefalt",
            ("labels", "outcome", "recomended"),
            "Tillatt her: recommended, incomplete, not_recommended. Mente du «recommended»?",
        ),
    ],
    ids=["counties", "survey", "labels"],
)
def test_an_unknown_key_in_the_rules_lists_the_allowed_keys_with_a_did_you_mean(
    tmp_path: Path, old: str, new: str, loc: tuple[str, ...], expected: str
) -> None:
    rules = rules_with(tmp_path, "ruleset.yaml", old, new)
    (diag,) = [d for d in check_rules(rules) if d.code == "UNKNOWN_KEY"]
    assert diag.loc == loc
    assert diag.message == f"Ukjent nøkkel «{loc[-1]}».{' ' + expected}"
    assert diag.location.file == str(rules / "ruleset.yaml") and diag.location.line


def test_rules_and_applications_word_a_wrong_type_alike(tmp_path: Path) -> None:
    rules = rules_with(tmp_path, "ruleset.yaml", "  min_respondents: 10", "  min_respondents: ti")
    (rule,) = [d for d in check_rules(rules) if d.code == "BAD_TYPE"]
    application = one(
        refused(with_change(("schools", 0, "cases", 0, "months_open"), "ti")),
        "BAD_TYPE",
        ("schools", 0, "cases", 0, "months_open"),
    )
    assert rule.message == "«min_respondents» må være et heltall, men er tekst «ti»."
    assert application.message.endswith("må være et heltall (eller null), men er tekst «ti».")


def test_a_date_in_the_rules_gets_the_application_date_message(tmp_path: Path) -> None:
    rules = rules_with(
        tmp_path, "ruleset.yaml", "application_deadline: 2020-02-01", "application_deadline: 1/2"
    )
    (diag,) = [d for d in check_rules(rules) if d.code == "BAD_DATE"]
    assert "må være en dato på formen ÅÅÅÅ-MM-DD, f.eks. 2020-01-15" in diag.message


# --- HTTP request parameters ----------------------------------------------------------


def _request_error(kind: str, name: str, given: Any, **ctx: Any) -> dict[str, Any]:
    return {"type": kind, "loc": ("query", name), "msg": "…", "input": given, "ctx": ctx}


def test_request_parameters_are_worded_by_the_same_translator() -> None:
    errors = [
        _request_error("greater_than_equal", "limit", "0", ge=1),
        _request_error("literal_error", "outcome", "maybe", expected="'a' or 'b'"),
        _request_error("string_pattern_mismatch", "county", "5", pattern=r"^\d{2}$"),
        _request_error("int_parsing", "limit", "abc"),
    ]
    diags = translate_request(errors)
    assert {d.code for d in diags} == {"INVALID_PARAMETER"}
    assert [d.loc for d in diags][0] == ("query", "limit")
    assert [d.message for d in diags] == [
        "Parameteren «limit» må være minst 1, men er «0».",
        "Parameteren «outcome» må være en av «a» eller «b», men er «maybe».",
        "Parameteren «county» må ha nøyaktig to sifre, men er «5».",
        "Parameteren «limit» må være et heltall, men er «abc».",
    ]


def test_a_literal_lists_its_values_in_norwegian_quotes() -> None:
    [d] = translate_request(
        [
            _request_error(
                "literal_error",
                "outcome",
                "x",
                expected="'recommended', 'incomplete' or 'not_recommended'",
            )
        ]
    )
    assert "«recommended», «incomplete» eller «not_recommended»" in d.message
    assert " or " not in d.message and "'" not in d.message
