"""Fixtures and hooks for the Gherkin scenarios: which rules, the scenario log, unknown steps.

The rules under test are rules/pulje-5 unless UTVALG_RULES names another folder (that is how
`utvalg check DIR` runs the scenarios against DIR without installing it). Every scenario and
every status it checks is logged to the file UTVALG_SCENARIO_LOG names or, without it, beside
the --cucumberjson report (var/cucumber.logg.jsonl in `make test`), for coverage counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import parsers, step
from pytest_bdd.parser import Feature, Scenario

from api.livingdocs.runner import LOG_ENV, RULES_ENV, log_beside
from api.livingdocs.steps.values import StepProblem
from api.livingdocs.steps.world import ScenarioLog, World
from api.settings import DEFAULT_RULES
from engine import RuleSet, load_ruleset


@pytest.fixture(scope="session")
def scenario_ruleset() -> RuleSet:
    """The rules the scenarios run against (UTVALG_RULES, else rules/pulje-5)."""
    return load_ruleset(os.environ.get(RULES_ENV) or DEFAULT_RULES)


@pytest.fixture(scope="session")
def scenario_log(request: pytest.FixtureRequest) -> ScenarioLog:
    """Where scenarios record what they reach (env, else beside --cucumberjson, else nowhere)."""
    path = os.environ.get(LOG_ENV)
    cucumber = request.config.getoption("cucumber_json_path", None)
    if not path and cucumber:
        path = str(log_beside(Path(cucumber)))
    log = ScenarioLog(Path(path) if path else None)
    if log.path is not None:
        log.path.parent.mkdir(parents=True, exist_ok=True)
        log.path.write_text("", encoding="utf-8")  # one session, one log
    return log


@pytest.fixture
def world(
    request: pytest.FixtureRequest, scenario_ruleset: RuleSet, scenario_log: ScenarioLog
) -> World:
    """A fresh scenario: no applications yet."""
    return World(scenario_ruleset, scenario_log, request.node.name)


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
