"""`utvalg check`: the rules are validated, then the scenarios run against them (exit 0, 1, 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.cli.main import main
from tests.api.cli.conftest import RULES

K1_FEATURE = "features/pulje-5/k1-hoye-mobbetall.feature"

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


def test_check_valid_and_invalid_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "pulje-5"
    shutil.copytree(RULES, rules)
    k2 = rules / "criteria" / "k2-klagesaker.yaml"
    k2.write_text(k2.read_text(encoding="utf-8").replace("weight: 2", "weight: 2\nwight: 1"))
    code, out = run(capsys, "check", str(rules))
    assert code == 2
    assert f"{k2}:13:1: UNKNOWN_KEY" in out
