"""engine.simulate: a draft's effect on rankings, from parameter changes or whole files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Application, InvalidApplication, InvalidRules
from engine.simulate import current_files, draft_files, load_draft, simulate
from tests.builders import application, changed, ruleset

K1 = "criteria/k1-hoye-mobbetall.yaml"


def _figures(*percents: float) -> list[dict[str, Any]]:
    return [
        {"year": y, "percent": p, "respondents": 100}
        for y, p in zip((2017, 2018, 2019), percents, strict=True)
    ]


def _app(number: str, name: str, received: str, figures: list[dict[str, Any]]) -> Application:
    data = changed(**{"id": f"s-{number}", "county": number[:2], "municipality.number": number,
                      "municipality.name": name, "received": received,
                      "schools.0.bullying": figures})  # fmt: skip
    return application(data)


# High at margin 2.5, not at 3.0 (thresholds 2017: 9.6 → 9.1, 2018: 9.1 → 8.6).
BORDERLINE = _app("5001", "Trondheim", "2020-01-20", _figures(9.3, 8.8, 3.0))
HIGH = _app("5006", "Steinkjer", "2020-01-10", _figures(12.0, 12.0, 12.0))
LOW = _app("5007", "Namsos", "2020-01-05", _figures(3.0, 3.0, 3.0))
NORDLAND = _app("1804", "Bodø", "2020-01-05", _figures(3.0, 3.0, 3.0))


def _draft(tmp_path: Path, **how: Any) -> Any:
    files = draft_files(ruleset(), **how)
    return load_draft(files, tmp_path / "utkast", ruleset())


def test_a_margin_change_lists_exactly_the_applications_that_change(tmp_path: Path) -> None:
    before_files = current_files(ruleset())
    draft = _draft(tmp_path, parameters={"K1": {"margin": 2.5}})
    result = simulate(ruleset(), draft, [BORDERLINE, HIGH, LOW])
    (county,) = result.counties
    assert (county.county, county.capacity_before, county.capacity_after) == ("50", 2, 2)
    assert [e.case_id for e in county.before] == ["pulje-5:5006", "pulje-5:5007", "pulje-5:5001"]
    assert [e.case_id for e in county.after] == ["pulje-5:5006", "pulje-5:5001", "pulje-5:5007"]
    by_case = {c.case_id: c for c in county.changes}
    assert set(by_case) == {"pulje-5:5001", "pulje-5:5007"}  # Steinkjer stands where it stood
    moved = by_case["pulje-5:5001"]
    assert moved.changed == ["outcome", "score", "rank", "within_capacity"]
    assert (moved.before.outcome, moved.before.rank, moved.before.within_capacity) == (
        "not_recommended", 3, False,
    )  # fmt: skip
    assert (moved.after.outcome, moved.after.rank, moved.after.within_capacity) == (
        "recommended", 2, True,
    )  # fmt: skip
    assert moved.after.score == moved.before.score + 3  # K1's weight
    assert by_case["pulje-5:5007"].changed == ["rank"]
    # the rules in force are untouched; the draft is a ruleset of its own
    assert current_files(ruleset()) == before_files
    assert draft.digest != ruleset().digest and draft.criterion("K1").parameters["margin"] == 2.5
    assert ruleset().criterion("K1").parameters["margin"] == 3.0


def test_a_parameter_change_keeps_the_files_comments_and_layout() -> None:
    old = current_files(ruleset())[K1]
    new = draft_files(ruleset(), parameters={"K1": {"margin": 2.5, "years": [2018, 2019]}})[K1]
    assert new == old.replace("margin: 3.0", "margin: 2.5").replace(
        "years: [2017, 2018, 2019]", "years: [2018, 2019]"
    )


def test_a_whole_file_draft_equals_the_same_parameter_change(tmp_path: Path) -> None:
    text = current_files(ruleset())[K1].replace("margin: 3.0", "margin: 2.5")
    by_file = _draft(tmp_path / "a", files={K1: text})
    by_parameter = _draft(tmp_path / "b", parameters={"K1": {"margin": 2.5}})
    assert by_file.digest == by_parameter.digest


def test_the_same_rules_change_nothing(tmp_path: Path) -> None:
    result = simulate(ruleset(), _draft(tmp_path), [BORDERLINE, HIGH, LOW, NORDLAND])
    assert [c.county for c in result.counties] == ["18", "50"]
    assert all(c.changes == [] and c.before == c.after for c in result.counties)
    assert result.ruleset_before == result.ruleset_after


def test_one_county_only(tmp_path: Path) -> None:
    draft = _draft(tmp_path, parameters={"K1": {"margin": 2.5}})
    result = simulate(ruleset(), draft, [BORDERLINE, NORDLAND], county="18")
    assert [(c.county, [e.case_id for e in c.after]) for c in result.counties] == [
        ("18", ["pulje-5:1804"])
    ]


def test_a_draft_that_does_not_load_gives_the_loaders_diagnostics(tmp_path: Path) -> None:
    text = current_files(ruleset())[K1].replace("  margin: 3.0", "  margin: 2,5")
    with pytest.raises(InvalidRules) as caught:
        _draft(tmp_path, files={K1: text})
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.location.file, diag.location.line) == ("BAD_TYPE", K1, 17)
    assert "Skriv 2.5" in diag.message


def test_a_yaml_mistake_in_a_draft_file_names_the_file_and_line(tmp_path: Path) -> None:
    text = current_files(ruleset())[K1].replace("  margin: 3.0", "\tmargin: 3.0")
    with pytest.raises(InvalidRules) as caught:
        _draft(tmp_path, files={K1: text})
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.location.file, diag.location.line) == ("YAML_SYNTAX", K1, 17)


@pytest.mark.parametrize(
    ("how", "code", "words"),
    [
        ({"parameters": {"K9": {"margin": 2.5}}}, "UNKNOWN_CRITERION", "K1, K2"),
        ({"parameters": {"K1": {"margni": 2.5}}}, "UNKNOWN_PARAMETER", "Mente du «margin»?"),
        ({"files": {"../ruleset.yaml": "x"}}, "BAD_FILE_NAME", "criteria/<navn>.yaml"),
    ],
)
def test_a_draft_naming_what_does_not_exist_is_refused(
    how: dict[str, Any], code: str, words: str
) -> None:
    with pytest.raises(InvalidRules) as caught:
        draft_files(ruleset(), **how)
    (diag,) = caught.value.diagnostics
    assert diag.code == code and words in diag.message


def test_a_draft_of_another_round_is_refused(tmp_path: Path) -> None:
    text = current_files(ruleset())["ruleset.yaml"].replace("id: pulje-5", "id: pulje-6", 1)
    with pytest.raises(InvalidRules) as caught:
        _draft(tmp_path, files={"ruleset.yaml": text})
    assert [d.code for d in caught.value.diagnostics] == ["DRAFT_ROUND_MISMATCH"]


def test_two_applications_from_one_municipality_are_refused(tmp_path: Path) -> None:
    twin = _app("5001", "Trondheim", "2020-01-21", _figures(3.0, 3.0, 3.0))
    with pytest.raises(InvalidApplication) as caught:
        simulate(ruleset(), _draft(tmp_path), [BORDERLINE, twin])
    assert [d.code for d in caught.value.diagnostics] == ["DUPLICATE_MUNICIPALITY"]
