"""Fixtures and hooks for the Gherkin scenarios: which rules, the scenario log, unknown steps.

Each round's own scenarios (features/<round>/) run against that round's rules only. The
runner names one round (api.settings.ScenarioRun: that is how `utvalg check DIR` runs the
scenarios against DIR without installing it); without it, as in `make test`, every round
under the rules root is bound. Every scenario and every status it checks is logged to the
file the runner names or, without it, beside the --cucumberjson report
(var/cucumber.logg.jsonl in `make test`), for coverage counts.

pytest-bdd finds a step's definition by walking every fixture name for every step; the suite
walks them once per test module instead (`cached_step_lookup`).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _pytest.fixtures import FixtureDef, FixtureManager
from _pytest.nodes import Node
from gherkin.parser import Parser
from pytest_bdd import parsers, scenario, step
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.parser import Feature, Scenario, Step
from pytest_bdd.scenario import find_fixturedefs_for_step
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from api.livingdocs.runner import log_beside
from api.livingdocs.steps.values import StepProblem
from api.livingdocs.steps.world import ScenarioLog, World
from api.settings import ScenarioRun, Settings
from engine import RuleSet, load_ruleset

RULES_MARK = "rules"  # the mark that carries a scenario's ruleset folder
# pytest-bdd's module of that name (the package's own `scenario` is the function of it)
BDD_SCENARIO = sys.modules["pytest_bdd.scenario"]


@dataclass(frozen=True)
class Round:
    """One round as the suite runs it: its ruleset folder and the folder of its own scenarios."""

    rules: Path
    features: Path


def rounds_to_run() -> list[Round]:
    """The round the runner names, else every round under the rules root with its scenarios."""
    run = ScenarioRun()
    if run.rules is not None and run.features is not None:
        return [Round(run.rules, run.features)]
    layout = Settings().layout()
    return [Round(f, layout.features_of(ruleset_at(f).id)) for f in layout.rule_folders()]


@functools.cache
def ruleset_at(folder: Path) -> RuleSet:
    """The ruleset in a folder, loaded once per process."""
    return load_ruleset(folder)


def bind_rounds(namespace: MutableMapping[str, Any]) -> None:
    """Put a test for every scenario of every round to run into a test module's namespace.

    A test is named after its round and scenario (`test_<round>__…`), so the names stay unique
    when the Cucumber JSON of several rounds is read together, and carries its ruleset folder
    in a mark. Feature files are named relative to the folder above the features root
    (`features/<round>/k1-hoye-mobbetall.feature`), which is what reports show.
    """
    for one in rounds_to_run():
        base = one.features.resolve().parent
        prefix = f"test_{_python_name(one.features.name)}__"
        for path in sorted(one.features.resolve().glob("*.feature")):
            name = path.relative_to(base).as_posix()
            for title in _scenario_names(path):
                test = scenario(name, title, features_base_dir=str(base))(_no_body)
                key = prefix + _python_name(title)
                while key in namespace:
                    key += "_"
                namespace[key] = pytest.mark.rules(str(one.rules))(test)


def _no_body() -> None:
    """A scenario's test does all its work in its steps."""


def _scenario_names(path: Path) -> list[str]:
    doc: dict[str, Any] = dict(Parser().parse(path.read_text(encoding="utf-8")))
    children = (doc.get("feature") or {}).get("children", [])
    inner = [c for child in children if "rule" in child for c in child["rule"]["children"]]
    return [c["scenario"]["name"] for c in [*children, *inner] if "scenario" in c]


def _python_name(text: str) -> str:
    return re.sub(r"\W+", "_", text.lower()).strip("_") or "x"


def pytest_configure(config: pytest.Config) -> None:
    """Register the mark that names a scenario's rules; look each step up once per module."""
    config.addinivalue_line("markers", f"{RULES_MARK}(folder): the rules a scenario runs against")
    config.stash[_STEP_DEFINITIONS] = {}
    patch = config.stash[_PATCH] = pytest.MonkeyPatch()
    patch.setattr(BDD_SCENARIO, "find_fixturedefs_for_step", cached_step_lookup)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give pytest-bdd its own step lookup back (pytest may run again in this process)."""
    patch = config.stash.get(_PATCH, None)
    if patch is not None:
        patch.undo()


# pytest-bdd 9.0.1 (pinned in pyproject.toml) looks a step up by asking pytest, for every
# fixture name in the session, which definitions are visible to the test, and then keeps the
# step definitions of the step's type whose parser matches the sentence. Walking once per
# module took a run of the 125 scenarios (916 steps) from ~2.6 to ~2.1 CPU seconds. They are
# module-level fixtures (the step modules and this plugin, imported into the suite's test
# module and conftest), so every test of one module sees the same ones: the walk is done
# once per module, and each step is matched against its result as pytest-bdd matches it, in
# the same order. Fixtures a step injects (target_fixture) are registered on the test itself
# and are never step definitions, so they cannot change the walk's result.
_FIND_FIXTUREDEFS = find_fixturedefs_for_step
_PATCH = pytest.StashKey[pytest.MonkeyPatch]()
_STEP_DEFINITIONS = pytest.StashKey[
    dict[str, tuple[tuple[FixtureDef[object], StepFunctionContext], ...]]
]()


def cached_step_lookup(
    step: Step, fixturemanager: FixtureManager, node: Node
) -> Iterable[FixtureDef[object]]:
    """pytest-bdd's step lookup, with the visible step definitions found once per module."""
    known = node.config.stash.get(_STEP_DEFINITIONS, None)
    scope = node.parent
    if known is None or scope is None:
        return _FIND_FIXTUREDEFS(step, fixturemanager, node)
    definitions = known.get(scope.nodeid)
    if definitions is None:
        definitions = known[scope.nodeid] = tuple(_step_definitions(fixturemanager, node))
    return [
        fixturedef
        for fixturedef, context in definitions
        if context.type in (None, step.type) and context.parser.is_matching(step.name)
    ]


def _step_definitions(
    fixturemanager: FixtureManager, node: Node
) -> Iterator[tuple[FixtureDef[object], StepFunctionContext]]:
    """Every step definition visible to `node`, in pytest-bdd's order, with its context."""
    for name in get_fixture_names(fixturemanager=fixturemanager):
        for fixturedef in getfixturedefs(fixturemanager, name, node) or []:
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None:
                yield fixturedef, context


@pytest.fixture(scope="session")
def scenario_log(request: pytest.FixtureRequest) -> ScenarioLog:
    """Where scenarios record what they reach (the runner's, else beside --cucumberjson)."""
    path = ScenarioRun().log
    cucumber = request.config.getoption("cucumber_json_path", None)
    if path is None and cucumber:
        path = log_beside(Path(cucumber))
    log = ScenarioLog(path)
    if log.path is not None:
        log.path.parent.mkdir(parents=True, exist_ok=True)
        log.path.write_text("", encoding="utf-8")  # one session, one log
    return log


@pytest.fixture
def world(request: pytest.FixtureRequest, scenario_log: ScenarioLog) -> World:
    """A fresh scenario under its own round's rules: no applications yet."""
    mark = request.node.get_closest_marker(RULES_MARK)
    if mark is None:
        raise StepProblem("Scenarioet er ikke knyttet til noe regelsett.")
    return World(ruleset_at(Path(mark.args[0])), scenario_log, request.node.name)


# The step modules are imported into the test module, which makes their steps win over this
# one: a sentence that matches none of them ends here with a Norwegian message, so it shows up
# as the failing step of the scenario in every report.
@step(parsers.re(r"(?P<text>.*)"))
def unknown_step(text: str) -> None:
    """A sentence the step vocabulary does not know."""
    raise StepProblem(
        f"Ingen setning i ordlisten passer til «{text}». Se features/README.md for "
        "setningene som finnes, og sjekk stavemåten og «»-tegnene."
    )


def pytest_bdd_before_scenario(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario
) -> None:
    """Record which feature and scenario (and which example row) a test is."""
    log: ScenarioLog = request.getfixturevalue("scenario_log")
    try:
        example: dict[str, Any] = dict(request.getfixturevalue("_pytest_bdd_example"))
    except pytest.FixtureLookupError:
        example = {}
    log.write(
        {
            "type": "scenario",
            "test": request.node.name,
            "feature": feature.name,
            "file": feature.rel_filename,
            "scenario": scenario.name,
            "line": scenario.line_number,
            "example": {str(k): str(val) for k, val in example.items()},
        }
    )


def pytest_bdd_apply_tag(tag: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Feature tags (@K1 …) name the criterion a feature documents; they are not pytest marks."""
    return function
