"""The reload gate's checks, in a process of their own: `python -m api.reload_gate REQUEST OUT`.

`api.registry.gate_in_subprocess` starts this module in a fresh interpreter for every gate,
so rules that crash durable-rules crash only this process. For each ruleset folder of the
request it validates the rules, runs the round's own scenarios (features/<round id>/) and
evaluates the round's examples (examples/<round id>/), and writes the diagnostics as JSON to
OUT. The scenarios run in this process (pytest.main), not in a further one: it is fresh and
ends after the gate, and it has loaded the engine already. The module imports only what the
checks need (no database, no web framework).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from api.livingdocs.runner import SUITE_PACKAGE, run_scenarios
from engine import (
    Diagnostic,
    DiagnosticError,
    InvalidRules,
    RuleSet,
    evaluate,
    load_application_file,
    load_ruleset,
)
from engine.diagnostics import Location


def gate_checks(folders: list[str], features: str, examples: str) -> list[dict[str, Any]]:
    """Validate each folder, run its round's scenarios and evaluate its examples.

    `features` and `examples` are the roots: a round's own are `<root>/<round id>/`.
    """
    out: list[Diagnostic] = []
    for folder in folders:
        try:
            ruleset = load_ruleset(folder)
        except InvalidRules as exc:
            out += exc.diagnostics
            continue
        out += _scenario_problems(Path(folder), Path(features) / ruleset.id)
        out += _example_problems(ruleset, Path(examples) / ruleset.id)
    return [plain(d) for d in out]


def pytest_here(args: list[str], environment: Mapping[str, str], timeout: float) -> tuple[int, str]:
    """Run pytest in this process with `environment` set; its exit code and its output.

    The suite binds its scenarios when its test module is imported, so that module (and the
    suite's conftest) is imported afresh for each run: each round gets its own scenarios.
    The timeout is the parent's, which ends this whole process.
    """
    os.environ.update(environment)
    for name in [m for m in sys.modules if m.startswith(SUITE_PACKAGE + ".")]:
        del sys.modules[name]
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(args)
    return int(code), output.getvalue()


def _scenario_problems(folder: Path, features: Path) -> list[Diagnostic]:
    report = run_scenarios(folder, features, run_pytest=pytest_here)
    if report.ok:
        return []
    out: list[Diagnostic] = []
    if report.problem:
        msg = f"Scenarioene kunne ikke kjøres mot {folder}: {report.problem}"
        out.append(Diagnostic("SCENARIOS_NOT_RUN", msg, Location(str(folder))))
    for s in report.failed:
        why = ""
        if s.expected is not None or s.got is not None:
            why = f": ventet {s.expected}, fikk {s.got}"
        elif s.message:
            why = f": {s.message}"
        msg = f"Scenarioet «{s.title}» i «{s.feature}» feiler med de nye reglene{why}."
        out.append(Diagnostic("SCENARIO_FAILED", msg, Location(str(report.path_of(s)), s.line)))
    return out


def _example_problems(ruleset: RuleSet, examples: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not examples.is_dir():
        return out
    rounds = {ruleset.id: list(ruleset.counties)}
    for path in sorted(examples.glob("*.yaml")):
        try:
            app = load_application_file(path, rounds=rounds)
        except DiagnosticError:
            continue  # e.g. for a county this ruleset dropped: nothing to evaluate
        try:
            evaluate(app, ruleset)
        except Exception as exc:
            msg = f"Eksempelet {path} kunne ikke vurderes med de nye reglene: {exc}"
            out.append(Diagnostic("EXAMPLE_FAILED", msg, Location(str(path))))
    return out


def plain(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as JSON-ready data (read back by `api.registry`)."""
    loc = d.location
    return {
        "code": d.code,
        "message": d.message,
        "severity": d.severity,
        "loc": list(d.loc),
        "location": [loc.file, loc.line, loc.column, loc.criterion],
    }


def main(argv: list[str]) -> int:
    """`python -m api.reload_gate REQUEST OUT`: REQUEST is JSON (folders, features, examples)."""
    request = json.loads(argv[0])
    found = gate_checks(request["folders"], request["features"], request["examples"])
    Path(argv[1]).write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
