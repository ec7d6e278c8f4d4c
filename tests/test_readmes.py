"""The READMEs beside the rules and examples say what the pages and decisions say."""

from __future__ import annotations

from pathlib import Path

from engine import load_ruleset

ROOT = Path(__file__).resolve().parents[1]


def test_examples_readme_names_unit_statuses_as_the_pages_do() -> None:
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8").lower()
    labels = load_ruleset(ROOT / "rules" / "pulje-5").labels.unit
    for label in labels.values():
        assert label.lower() in text
    assert "ekskluder" not in text  # the pages say «Utelatt»
