"""The scenario runner: Cucumber JSON read into scenario results; unknown sentences fail."""

from __future__ import annotations

from pathlib import Path

from api.livingdocs.runner import parse_cucumber, run_scenarios
from tests.builders import ROOT

RULES = ROOT / "rules" / "pulje-5"


def test_parse_cucumber_reads_the_failing_step_and_message() -> None:
    error = (
        "    def _(...):\n>       raise fail(...)\n"
        "E       api.livingdocs.steps.then.Avvik: Forventet: utfallet er «Anbefalt»\n"
        "E       Fikk: «Ufullstendig» – Søknaden kan ikke avgjøres ennå.\n\ntests/steps/then.py:9"
    )
    data = [
        {
            "name": "Utfall",
            "uri": "features/utfall.feature",
            "tags": [{"name": "utfall", "line": 1}],
            "elements": [
                {
                    "id": "test_mal[1-2]",
                    "name": "Mal",
                    "line": 7,
                    "steps": [
                        {"keyword": "Når", "name": "søknaden vurderes", "line": 8,
                         "result": {"status": "passed"}},
                        {"keyword": "Så", "name": "er utfallet «Anbefalt»", "line": 9,
                         "result": {"status": "failed", "error_message": error}},
                    ],
                }
            ],
        }
    ]  # fmt: skip
    (result,), hits = parse_cucumber(data, [])
    assert not result.passed and hits == ()
    assert str(result.failed_step) == "Så er utfallet «Anbefalt»"
    assert result.expected == "utfallet er «Anbefalt»"
    assert result.got == "«Ufullstendig» – Søknaden kan ikke avgjøres ennå."
    assert result.title == "Mal [1-2]" and result.tags == ("utfall",)
    log = [{"type": "scenario", "test": "test_mal[1-2]", "example": {"a": "1", "b": "2"}}]
    (with_log,), _ = parse_cucumber(data, log)
    assert with_log.title == "Mal (a = 1, b = 2)"


def test_a_sentence_outside_the_vocabulary_fails_in_norwegian(tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "skrivefeil.feature").write_text(
        "# language: no\n"
        "Egenskap: Skrivefeil\n"
        "  Scenario: Et steg uten «» rundt statusen\n"
        "    Gitt en søknad fra Trondheim kommune i fylke 50 mottatt 2020-01-20\n"
        "    Når søknaden vurderes\n"
        "    Så er FRIST oppfylt\n",
        encoding="utf-8",
    )
    report = run_scenarios(RULES, features_dir=features)
    assert report.problem is None and not report.ok
    (result,) = report.scenarios
    assert result.feature == "Skrivefeil" and not result.passed
    assert str(result.failed_step) == "Så er FRIST oppfylt"
    assert "Ingen setning i ordlisten passer til «er FRIST oppfylt»" in (result.message or "")
