"""`utvalg docs`: one page per criterion with its scenarios and their last results."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from gherkin.parser import Parser

from engine import load_ruleset
from tests.api.cli.conftest import RULES
from tests.api.cli.test_check import run
from tests.builders import ROOT


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
    for feature in sorted((ROOT / "features" / "pulje-5").glob("*.feature")):
        doc = Parser().parse(feature.read_text(encoding="utf-8"))
        for child in doc["feature"]["children"]:
            if "scenario" in child:
                assert child["scenario"]["name"] in site, child["scenario"]["name"]
    assert 'class="merke bestått"' in site and 'class="merke feilet"' not in site
    assert "http://" not in site and "https://" not in site  # no external assets
