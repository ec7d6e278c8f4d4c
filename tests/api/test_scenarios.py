"""`utvalg check` runs the scenarios against a rules folder; `--coverage`; `utvalg docs`."""

from __future__ import annotations

import contextlib
import html
import io
import json
import shutil
from pathlib import Path

import pytest
from gherkin.parser import Parser

from api.cli.main import main
from api.livingdocs.runner import parse_cucumber, run_scenarios
from engine import load_ruleset
from tests.builders import ROOT

RULES = ROOT / "rules" / "pulje-5"
K1_FEATURE = "features/k1-hoye-mobbetall.feature"
K1_ON_THRESHOLD = (
    "Et år er høyt fra landssnittet pluss 3,0 prosentpoeng, nøyaktig på terskelen teller"
)
K1_EXPLANATION = "Forklaringen viser hvert år med tall og terskel, med desimalkomma"
NEW_CRITERION = """\
id: K7
title: Ny regel uten scenarioer
description: En regel som ingen scenarioer dekker.
source: ["Test"]
applies_to: [application]
role: advantage
weight: 0
met: {fact: ppt_participates, eq: true}
not_met: {fact: ppt_participates, eq: false}
explanation:
  met: "PPT deltar."
  not_met: "PPT deltar ikke."
  unknown: "Det er ukjent om PPT deltar. Mangler: {missing}."
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "pulje-5"
    shutil.copytree(RULES, rules)
    return rules


@pytest.fixture(scope="module")
def installed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """`utvalg check --coverage` on the installed rules, keeping its Cucumber JSON."""
    cucumber = tmp_path_factory.mktemp("kjoring") / "cucumber.json"
    out = io.StringIO()  # a module-scoped fixture cannot use capsys
    with contextlib.redirect_stdout(out):
        code = main(["check", "--coverage", "--cucumber", str(cucumber), str(RULES)])
    return code, out.getvalue(), cucumber


def test_installed_rules_pass_every_scenario_and_cover_every_status(
    installed_run: tuple[int, str, Path],
) -> None:
    code, out, cucumber = installed_run
    assert code == 0, out
    assert "SCENARIO_FAILED" not in out
    assert "Alle statuser, utfall og enhetsstatuser nås av minst ett scenario." in out
    elements = [e for f in json.loads(cucumber.read_text(encoding="utf-8")) for e in f["elements"]]
    assert len(elements) >= 45
    assert (
        f"{len(elements)} scenarioer kjørt" in out and f"{len(elements)} bestått, 0 feilet" in out
    )


def test_k1_margin_change_fails_and_names_the_scenarios(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = copy_rules(tmp_path)
    k1 = rules / "criteria" / "k1-hoye-mobbetall.yaml"
    text = k1.read_text(encoding="utf-8")
    assert "margin: 3.0" in text
    k1.write_text(text.replace("margin: 3.0", "margin: 4.0"), encoding="utf-8")
    code, out = run(capsys, "check", str(rules))
    assert code == 1, out
    failures = [line for line in out.splitlines() if "SCENARIO_FAILED" in line]
    assert failures and all(line.startswith(f"{K1_FEATURE}:") for line in failures)
    assert K1_ON_THRESHOLD in out and K1_EXPLANATION in out
    assert "Steg:      Så er K1 for «Nordby skole» «oppfylt»" in out
    assert "Forventet: K1 for «Nordby skole» er «oppfylt»" in out
    assert "Fikk:      «ikke oppfylt»" in out and "terskel 10,6 %" in out
    assert f"{len(failures)} feilet." in out
    assert (RULES / "criteria" / "k1-hoye-mobbetall.yaml").read_text(encoding="utf-8") == text


def test_criterion_without_scenarios_fails_coverage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = copy_rules(tmp_path)
    (rules / "criteria" / "k7-ny.yaml").write_text(NEW_CRITERION, encoding="utf-8")
    code, out = run(capsys, "check", "--coverage", str(rules))
    assert code == 1, out
    assert "SCENARIO_FAILED" not in out  # the scenarios still pass; only coverage fails
    assert "Kriteriet K7 (Ny regel uten scenarioer) har ingen scenarioer" in out
    assert "Ingen scenarioer når: K7 oppfylt, K7 ikke oppfylt, K7 ukjent." in out


def test_invalid_rules_exit_2_before_any_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = copy_rules(tmp_path)
    (rules / "criteria" / "k7-ny.yaml").write_text(
        NEW_CRITERION.replace("eq: true", "equals: true")
    )
    code, out = run(capsys, "check", str(rules))
    assert code == 2
    assert f"{rules / 'criteria' / 'k7-ny.yaml'}:" in out and "scenarioer kjørt" not in out


def test_docs_show_every_criterion_and_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installed_run: tuple[int, str, Path]
) -> None:
    out_dir = tmp_path / "docs"
    code, out = run(capsys, "docs", "--out", str(out_dir), "--cucumber", str(installed_run[2]))
    assert code == 0, out
    pages = {p.name: html.unescape(p.read_text(encoding="utf-8")) for p in out_dir.glob("*.html")}
    assert "index.html" in pages
    site = "\n".join(pages.values())
    for criterion in load_ruleset(RULES).criteria:
        page = pages[f"kriterium-{criterion.id.lower()}.html"]
        assert criterion.id in page and criterion.title in page
        assert criterion.explanation["unknown"] in page
        assert all(source in page for source in criterion.source)
    for feature in sorted((ROOT / "features").glob("*.feature")):
        doc = Parser().parse(feature.read_text(encoding="utf-8"))
        for child in doc["feature"]["children"]:
            if "scenario" in child:
                assert child["scenario"]["name"] in site, child["scenario"]["name"]
    assert 'class="merke bestått"' in site and 'class="merke feilet"' not in site
    assert "http://" not in site and "https://" not in site  # no external assets


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
