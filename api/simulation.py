"""Simulations of a rules change over the stored cases, and a draft's scenario results.

`engine.simulate` compares rankings and knows nothing of the scenario runner or the
database; this module runs a draft's scenarios (`api.livingdocs.runner`, the same run as
`utvalg check` and the reload gate) and turns the report into
`engine.simulate.ScenarioResults`, and `simulate_cases` evaluates every current case (not
withdrawn or void, newest version) under the rules in force and under the draft. Nothing is
stored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.evaluation import survey_lookup
from api.livingdocs.runner import ScenarioReport, run_scenarios
from api.rounds import Layout
from api.rules_files import feature_files, rule_files, write_round
from api.rules_versions import RulesVersions, problem
from api.store.cases import CaseHistory, CaseStore
from engine import Application, InvalidApplication, RuleSet
from engine.application import parse_application
from engine.simulate import ScenarioFailure, ScenarioResults, Simulation, load_draft, simulate


def draft_scenarios(draft_folder: Path, round_id: str, layout: Layout) -> ScenarioResults:
    """Run the round's own scenarios against a draft rules folder."""
    return scenario_results(run_scenarios(draft_folder, layout.features_of(round_id)))


def scenario_results(report: ScenarioReport) -> ScenarioResults:
    """A scenario report as counts and one entry per failing scenario."""
    failed = []
    for result in report.failed:
        step = result.failed_step
        failed.append(
            ScenarioFailure(
                feature=result.feature,
                scenario=result.title,
                file=result.file,
                line=step.line if step is not None else result.line,
                step=str(step) if step is not None else None,
                expected=result.expected,
                got=result.got,
                message=result.message,
                example=dict(result.example),
            )
        )
    total = len(report.scenarios)
    return ScenarioResults(
        total=total, passed=total - len(failed), failed=failed, problem=report.problem
    )


def simulate_cases(
    versions: RulesVersions,
    cases: CaseStore,
    round_id: str,
    *,
    county: str | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    files: Mapping[str, str] | None = None,
) -> Simulation:
    """Every current case of the round (of `county`) under the rules in force and the draft.

    Raises UnknownRound, InvalidRules (the draft's diagnostics with its file names, an
    unknown county); stores nothing.
    """
    current = versions.in_force(round_id)
    if county is not None and county not in current.counties:
        known = ", ".join(sorted(current.counties))
        raise problem(
            "UNKNOWN_COUNTY",
            f"Fylke «{county}» finnes ikke i runde {round_id} (kjente: {known}).",
            "county",
        )
    draft_files = versions.draft_of(round_id, parameters=parameters, files=files)
    apps = current_applications(cases.histories(round_id=round_id, county=county), current)
    with tempfile.TemporaryDirectory(prefix="utvalg-simulate-") as tmp:
        rules_folder = Path(tmp) / "rules" / round_id
        features_folder = Path(tmp) / "features" / round_id
        rules_folder.mkdir(parents=True)
        draft = load_draft(rule_files(draft_files), rules_folder, current)
        write_round(feature_files(draft_files), rules_folder, features_folder)
        scenarios = scenario_results(run_scenarios(rules_folder, features_folder))
    lookup = survey_lookup(cases.engine, apps)
    return simulate(
        current,
        draft,
        apps,
        county=county,
        survey_lookup=lookup,
        records_lookup=lookup.record if lookup is not None else None,
        scenarios=scenarios,
    )


def current_applications(histories: list[CaseHistory], ruleset: RuleSet) -> list[Application]:
    """The newest version of every case that is not withdrawn or void, validated again.

    A version the rules in force no longer take (a county dropped) is left out: it could
    not be ranked under them either.
    """
    rounds = {ruleset.id: list(ruleset.counties)}
    out = []
    for history in histories:
        if history.closed() is not None:
            continue
        try:
            out.append(parse_application(history.newest.application, rounds=rounds))
        except InvalidApplication:
            continue
    return out
