"""The scenario side of a simulation: a draft's scenario results in the engine's shape.

`engine.simulate` compares rankings and knows nothing of the scenario runner; this module
runs a draft folder's scenarios (`api.livingdocs.runner`, the same run as `utvalg check` and
the reload gate) and turns the report into `engine.simulate.ScenarioResults`.
"""

from __future__ import annotations

from pathlib import Path

from api.livingdocs.runner import ScenarioReport, run_scenarios
from api.rounds import Layout
from engine.simulate import ScenarioFailure, ScenarioResults


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
