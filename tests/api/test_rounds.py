"""Rounds: found by listing the rules root, with features/ and examples/ beside it; none in code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from api.rounds import PROJECT_ROOT, Layout, rule_folders
from api.settings import Settings
from engine import load_ruleset
from tests.builders import ROOT


def test_the_default_rules_are_the_projects_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UTVALG_RULES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    layout = Settings().layout()
    assert PROJECT_ROOT == ROOT
    assert layout.rules == ROOT / "rules"
    assert layout.features == ROOT / "features" and layout.examples == ROOT / "examples"


def test_features_and_examples_follow_a_copied_rules_root(tmp_path: Path) -> None:
    for name in ("features", "examples"):
        (tmp_path / name).mkdir()
    shutil.copytree(ROOT / "rules" / "pulje-5", tmp_path / "rules" / "pulje-5")
    for rules in (tmp_path / "rules", tmp_path / "rules" / "pulje-5"):
        layout = Layout.beside(rules)
        assert layout.root == tmp_path / "rules"
        assert layout.features_of("pulje-5") == tmp_path / "features" / "pulje-5"
        assert layout.examples_of("pulje-5") == tmp_path / "examples" / "pulje-5"
    assert Layout.beside(tmp_path / "rules").rule_folders() == [tmp_path / "rules" / "pulje-5"]
    assert Layout.beside(tmp_path / "rules" / "pulje-5").rule_folders() == [
        tmp_path / "rules" / "pulje-5"
    ]


def test_a_copy_of_the_rules_alone_uses_the_projects_scenarios(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "rules" / "pulje-5", tmp_path / "kopi" / "pulje-5")
    layout = Layout.beside(tmp_path / "kopi" / "pulje-5")
    assert layout.features == ROOT / "features" and layout.examples == ROOT / "examples"


def test_no_module_of_the_service_names_a_round() -> None:
    rounds = [load_ruleset(folder).id for folder in rule_folders(ROOT / "rules")]
    assert rounds
    words = [re.escape(r) for r in rounds] + [re.escape(r.replace("-", " ")) for r in rounds]
    pattern = re.compile("|".join(words), re.IGNORECASE)
    named = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "api").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert named == []
