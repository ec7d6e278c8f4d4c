"""The feature files and their README: Norwegian, one per criterion, and every sentence known.

Each round under rules/ has its own feature files in features/<round id>/, checked against
that round's criteria.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from gherkin.parser import Parser
from pytest_bdd.parsers import StepParser
from pytest_bdd.steps import step_function_context_registry

import api.livingdocs.steps.given
import api.livingdocs.steps.then
import api.livingdocs.steps.when
from api.livingdocs.steps import values
from api.rounds import Layout
from engine import RuleSet, load_ruleset
from tests.builders import ROOT

FEATURES = ROOT / "features"
LAYOUT = Layout.beside(ROOT / "rules")
ROUNDS = [load_ruleset(folder) for folder in LAYOUT.rule_folders()]
STEP_MODULES = (api.livingdocs.steps.given, api.livingdocs.steps.when, api.livingdocs.steps.then)
KEYWORD = re.compile(r"^\s*(Gitt|Når|Så|Og|Men)\s+(.*\S)\s*$")


def parsed(ruleset: RuleSet) -> dict[Path, dict[str, Any]]:
    folder = LAYOUT.features_of(ruleset.id)
    return {
        p: Parser().parse(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.feature"))
    }


def test_every_round_has_its_own_features() -> None:
    assert ROUNDS
    for ruleset in ROUNDS:
        assert parsed(ruleset), f"features/{ruleset.id}/ has no feature files"


def scenarios_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [c["scenario"] for c in doc["feature"]["children"] if "scenario" in c]


def step_parsers() -> list[StepParser]:
    modules = {m.__name__ for m in STEP_MODULES}
    return [
        ctx.parser
        for ctx in list(step_function_context_registry.values())
        if ctx.step_func.__module__ in modules
    ]


@pytest.mark.parametrize("ruleset", ROUNDS, ids=lambda rs: rs.id)
def test_every_feature_is_norwegian_with_unique_scenario_names(ruleset: RuleSet) -> None:
    for path, doc in parsed(ruleset).items():
        assert path.read_text(encoding="utf-8").startswith("# language: no\n"), path
        assert doc["feature"]["language"] == "no"
        names = [s["name"] for s in scenarios_of(doc)]
        assert len(names) == len(set(names)), f"{path.name}: two scenarios share a name"


@pytest.mark.parametrize("ruleset", ROUNDS, ids=lambda rs: rs.id)
def test_every_criterion_has_a_feature_with_at_least_four_scenarios(ruleset: RuleSet) -> None:
    by_tag: dict[str, int] = {}
    for doc in parsed(ruleset).values():
        for tag in doc["feature"]["tags"]:
            by_tag[tag["name"].lstrip("@")] = len(scenarios_of(doc))
    for criterion in ruleset.criteria:
        assert by_tag.get(criterion.id, 0) >= 4, criterion.id
    assert sum(len(scenarios_of(d)) for d in parsed(ruleset).values()) >= 45


def readme_steps() -> list[str]:
    text = (FEATURES / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```gherkin\n(.*?)```", text, re.S)
    return [
        m.group(2) for block in blocks for line in block.splitlines() if (m := KEYWORD.match(line))
    ]


def test_readme_sentences_are_all_in_the_vocabulary() -> None:
    parsers = step_parsers()
    for sentence in readme_steps():
        assert any(p.is_matching(sentence) for p in parsers), sentence


def test_every_step_has_an_example_in_the_readme() -> None:
    sentences = readme_steps()
    for parser in step_parsers():
        assert any(parser.is_matching(s) for s in sentences), f"no README example: {parser.name}"


@pytest.mark.parametrize("name", ["Nordby skole", "Solsikken barnehage", "Æ", ""])
def test_org_numbers_from_names_are_valid_and_stable(name: str) -> None:
    number = values.org_number_for(name)
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    rest = sum(int(d) * w for d, w in zip(number[:8], weights, strict=True)) % 11
    assert len(number) == 9 and number[0] in "89"
    assert int(number[8]) == (0 if rest == 0 else 11 - rest)
    assert values.org_number_for(name) == number


def test_cells_map_unknown_to_null() -> None:
    assert values.yes_no("ukjent") is None and values.yes_no(" ") is None
    assert values.yes_no("Ja") is True and values.yes_no("kanskje") == "kanskje"
    assert values.number("9,6") == 9.6 and values.number("") is None
    assert values.integer("10") == 10 and values.integer("ukjent") is None
    assert values.list_marker("ingen") == [] and values.list_marker("") is None
    assert values.deficiencies("praksis, system") == ["practice", "system"]
    assert values.slug("Bodø") == "bodo"
