"""`utvalg simulate DRAFT_DIR FIL…`: a rules change tried on application files (CONTRACT 10).

The scenario run is replaced by a stand-in here (it is a pytest subprocess, run for real by
`utvalg check`'s tests); `scenario_results` is tested on a real report's shape.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.cli import simulate as simulate_command
from api.livingdocs.runner import ScenarioReport, ScenarioResult, StepResult
from api.simulation import scenario_results
from engine.simulate import ScenarioFailure, ScenarioResults
from tests.api.cli.test_evaluate import EXAMPLES, RULES, run
from tests.builders import changed

FAILING = ScenarioResults(
    total=3,
    passed=2,
    failed=[
        ScenarioFailure(
            feature="K1 – Høye mobbetall over tid",
            scenario="Nøyaktig på terskelen",
            file="features/pulje-5/k1-hoye-mobbetall.feature",
            line=29,
            step="Så er K1 for «Nordby skole» «ikke oppfylt»",
            expected="K1 for «Nordby skole» er «ikke oppfylt»",
            got="«oppfylt»",
        )
    ],
)


@pytest.fixture
def scenarios(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The draft folders the scenarios were asked to run against (answer: FAILING)."""
    asked: list[Path] = []

    def stand_in(folder: Path, round_id: str, layout: object) -> ScenarioResults:
        asked.append(folder)
        return FAILING

    monkeypatch.setattr(simulate_command, "draft_scenarios", stand_in)
    return asked


def _draft(tmp_path: Path, old: str = "  margin: 3.0", new: str = "  margin: 2.5") -> str:
    draft = tmp_path / "utkast"
    shutil.copytree(RULES, draft)
    k1 = draft / "criteria" / "k1-hoye-mobbetall.yaml"
    k1.write_text(k1.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return str(draft)


def _application(tmp_path: Path) -> str:
    """Trondheim with figures that are high at margin 2.5 and not at 3.0."""
    figures = [
        {"year": 2017, "percent": 9.3, "respondents": 100},
        {"year": 2018, "percent": 8.8, "respondents": 100},
    ]
    path = tmp_path / "grense.json"
    path.write_text(json.dumps(changed(**{"schools.0.bullying": figures})), encoding="utf-8")
    return str(path)


def test_json_lists_the_changed_case_and_the_scenario_results(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenarios: list[Path]
) -> None:
    draft = _draft(tmp_path)
    code, out, err = run(
        capsys, "simulate", draft, "--rules", RULES, "--format", "json", _application(tmp_path)
    )
    assert code == 1, err  # a scenario fails under the draft
    result = json.loads(out)
    (county,) = result["counties"]
    (change,) = county["changes"]
    assert change["case_id"] == "pulje-5:5001"
    assert change["before"]["outcome"] == "not_recommended"
    assert change["after"]["outcome"] == "recommended"
    assert change["changed"] == ["outcome", "score", "within_capacity"]
    assert result["scenarios"]["failed"][0]["line"] == 29
    assert scenarios == [Path(draft)]


def test_text_is_norwegian_with_before_and_after(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenarios: list[Path]
) -> None:
    code, out, _ = run(
        capsys, "simulate", _draft(tmp_path), "--rules", RULES, _application(tmp_path)
    )
    assert code == 1
    assert "Fylke 50 Trøndelag – kapasitet 2" in out
    assert "Endringer (1 kommune):" in out
    assert "5001 Trondheim (pulje-5:5001): utfall Ikke anbefalt → Anbefalt" in out
    assert "innenfor kapasitet nei → ja" in out
    assert "Scenarioer mot utkastet: 3 kjørt, 2 bestått, 1 feilet." in out
    assert "Forventet: K1 for «Nordby skole» er «ikke oppfylt»" in out


def test_unchanged_rules_on_the_examples_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        simulate_command, "draft_scenarios", lambda *_: ScenarioResults(total=3, passed=3)
    )
    code, out, _ = run(
        capsys, "simulate", _draft(tmp_path, new="  margin: 3.0"), "--rules", RULES,
        "--county", "18", *EXAMPLES,
    )  # fmt: skip
    assert code == 0
    assert "Ingen endringer" in out and "Fylke 18 Nordland" in out and "Trøndelag" not in out
    assert "3 kjørt, 3 bestått, 0 feilet." in out


def test_no_scenarios_skips_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenarios: list[Path]
) -> None:
    code, out, _ = run(
        capsys, "simulate", _draft(tmp_path), "--rules", RULES, "--no-scenarios", *EXAMPLES
    )
    assert code == 0 and scenarios == []
    assert "Scenarioene ble ikke kjørt" in out


def test_a_draft_with_a_yaml_mistake_is_refused_with_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenarios: list[Path]
) -> None:
    draft = _draft(tmp_path, new="  margin 2.5")
    code, out, err = run(capsys, "simulate", draft, "--rules", RULES, *EXAMPLES)
    assert code == 2 and out == "" and scenarios == []
    assert "k1-hoye-mobbetall.yaml:17:3: YAML_SYNTAX Linje 17 mangler kolon" in err
    assert "ingenting ble simulert" in err


def test_an_unknown_county_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenarios: list[Path]
) -> None:
    code, out, err = run(
        capsys, "simulate", _draft(tmp_path), "--rules", RULES, "--county", "99", *EXAMPLES
    )
    assert code == 2 and out == "" and "Fylke «99» finnes ikke" in err


def test_scenario_results_from_a_report() -> None:
    step = StepResult("Så", "er K1 for «Nordby skole» «ikke oppfylt»", 31, "failed")
    failed = ScenarioResult(
        feature="K1", file="features/pulje-5/k1.feature", tags=("K1",), name="Terskel",
        line=29, test="t1", steps=(step,), passed=False, failed_step=step,
        expected="ikke oppfylt", got="oppfylt",
    )  # fmt: skip
    passed = ScenarioResult(
        feature="K1", file="features/pulje-5/k1.feature", tags=("K1",), name="Annet",
        line=40, test="t2", steps=(), passed=True,
    )  # fmt: skip
    report = ScenarioReport(Path("r"), Path("f"), (failed, passed))
    result = scenario_results(report)
    assert (result.total, result.passed, result.ok) == (2, 1, False)
    assert result.failed[0].line == 31
    assert result.failed[0].step == "Så er K1 for «Nordby skole» «ikke oppfylt»"
