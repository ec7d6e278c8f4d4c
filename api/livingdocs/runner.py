"""Run one round's Gherkin scenarios against a rules folder and report each scenario.

`run_scenarios(rules, features)` runs pytest-bdd in a subprocess on the suite
(api/livingdocs/suite), with the ruleset folder and the folder of the round's own feature
files named in the environment (api.settings.ScenarioRun) so that nothing is installed or
changed. It reads the run's Cucumber JSON and the step layer's log (which criterion statuses,
outcomes and unit statuses each scenario checked, and the expected and actual value of each
mismatch), and returns a ScenarioReport. `utvalg check`, `utvalg docs` and the reload gate use
it; the gate's own fresh process (api/reload_gate.py) runs pytest in itself (`run_pytest`).
The module keeps no state between calls.

A scenario's `file` is the feature file's path as the suite names it, relative to the folder
above the features root (`features/<round>/k1-hoye-mobbetall.feature`);
`ScenarioReport.path_of` turns it into the file on disk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.rounds import PROJECT_ROOT
from api.settings import ScenarioRun
from engine import RuleSet
from engine.types import OUTCOMES, STATUSES, UNIT_STATUSES

SCENARIO_TESTS = Path(__file__).resolve().parent / "suite"
SUITE_PACKAGE = "api.livingdocs.suite"  # the package of those tests


@dataclass(frozen=True)
class StepResult:
    """One step of a scenario as it ran: `Så` + `er K1 for «Nordby skole» «oppfylt»`."""

    keyword: str
    text: str
    line: int
    status: str  # passed, failed or skipped

    def __str__(self) -> str:
        return f"{self.keyword} {self.text}"


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario (one example row of an outline) with its outcome and, if failed, why."""

    feature: str
    file: str  # the feature file, e.g. features/<round>/k1-hoye-mobbetall.feature
    tags: tuple[str, ...]  # the feature's tags without @, e.g. ("K1",)
    name: str
    line: int
    test: str  # pytest's name for it, unique within one run
    steps: tuple[StepResult, ...]
    passed: bool
    example: tuple[tuple[str, str], ...] = ()
    failed_step: StepResult | None = None
    expected: str | None = None
    got: str | None = None
    message: str | None = None

    @property
    def title(self) -> str:
        """The scenario's name, with the example row for an outline."""
        if self.example:
            return f"{self.name} ({', '.join(f'{k} = {v}' for k, v in self.example)})"
        match = re.search(r"\[(.*)\]$", self.test)
        if match is None:
            return self.name
        row = match.group(1).encode("ascii", "backslashreplace").decode("unicode_escape")
        return f"{self.name} [{row}]"


@dataclass(frozen=True)
class Hit:
    """A scenario checked a status: criterion K1 at `met`, an outcome, or a unit status."""

    test: str
    what: str  # criterion, outcome or unit
    key: str  # the criterion id, the outcome or the unit status
    status: str = ""  # the criterion's status (empty for outcomes and unit statuses)


@dataclass(frozen=True)
class CoverageRow:
    """How many scenarios reach one criterion status, outcome or unit status."""

    what: str
    key: str
    status: str
    label: str  # Norwegian, e.g. «K1 ikke oppfylt» or «Ufullstendig»
    tests: tuple[str, ...]

    @property
    def count(self) -> int:
        """The number of scenarios that reach it."""
        return len(self.tests)


@dataclass(frozen=True)
class ScenarioReport:
    """The result of running every scenario against one rules folder."""

    rules_dir: Path
    features_dir: Path  # the round's own feature files
    scenarios: tuple[ScenarioResult, ...]
    hits: tuple[Hit, ...] = ()
    problem: str | None = None  # set when the scenarios could not run as a whole
    output: str = ""  # the tail of pytest's output, for diagnosis

    @property
    def failed(self) -> tuple[ScenarioResult, ...]:
        """The scenarios that failed."""
        return tuple(s for s in self.scenarios if not s.passed)

    @property
    def ok(self) -> bool:
        """True when the scenarios ran and every one passed."""
        return self.problem is None and bool(self.scenarios) and not self.failed

    def path_of(self, result: ScenarioResult) -> Path:
        """The feature file of a scenario on disk."""
        return scenario_path(self.features_dir, result.file)

    def titles(self) -> dict[str, str]:
        """Scenario titles by pytest test name."""
        return {s.test: s.title for s in self.scenarios}

    def coverage(self, ruleset: RuleSet) -> list[CoverageRow]:
        """For each criterion × status, outcome and unit status: the scenarios that reach it."""
        criteria = [c.id for c in ruleset.criteria]
        labels = ruleset.labels
        reach: dict[tuple[str, str, str], set[str]] = {}
        for hit in self.hits:
            reach.setdefault((hit.what, hit.key, hit.status), set()).add(hit.test)

        def row(what: str, key: str, status: str, label: str) -> CoverageRow:
            return CoverageRow(
                what, key, status, label, tuple(sorted(reach.get((what, key, status), ())))
            )

        rows = [
            row("criterion", c, s, f"{c} {labels.status[s]}") for c in criteria for s in STATUSES
        ]
        rows += [row("outcome", o, "", labels.outcome[o]) for o in OUTCOMES]
        rows += [row("unit", u, "", labels.unit[u]) for u in UNIT_STATUSES]
        return rows

    def tagged(self, tag: str) -> tuple[ScenarioResult, ...]:
        """The scenarios of the features tagged @tag (a criterion's own feature)."""
        return tuple(s for s in self.scenarios if tag in s.tags)


# How pytest is run: (arguments after `pytest`, environment to add, timeout) -> (exit code,
# output). By default in a subprocess; the reload gate's own process runs it in itself.
PytestRun = Callable[[list[str], Mapping[str, str], float], tuple[int, str]]


def run_scenarios(
    rules_dir: Path,
    features_dir: Path,
    *,
    cucumber_json: Path | None = None,
    timeout: float = 600.0,
    run_pytest: PytestRun | None = None,
) -> ScenarioReport:
    """Run the scenarios in `features_dir` against `rules_dir` (pytest in a subprocess)."""
    features = Path(features_dir).resolve()
    rules = Path(rules_dir).resolve()
    if not features.is_dir():
        return ScenarioReport(rules, features, (), problem=f"Fant ikke mappen {features}.")
    with tempfile.TemporaryDirectory(prefix="utvalg-scenarier-") as tmp:
        report_file = Path(tmp) / "cucumber.json"
        log_file = Path(tmp) / "scenarier.jsonl"
        args = [
            str(SCENARIO_TESTS),
            "-p", "no:cacheprovider", "-p", "pytest_bdd.plugin", "-q", "--no-header", "-rN",
            "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"),
            f"--cucumberjson={report_file}",
        ]  # fmt: skip
        run = ScenarioRun(rules=rules, features=features, log=log_file)
        environment = {
            **run.environment(),
            "PYTHONDONTWRITEBYTECODE": "1",
            # only pytest-bdd (named above): loading every installed plugin (playwright,
            # xdist, hypothesis …) took 3.5 of the 6.3 s of a run of 125 scenarios
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        try:
            returncode, output = (run_pytest or pytest_subprocess)(args, environment, timeout)
        except subprocess.TimeoutExpired:
            return ScenarioReport(
                rules, features, (), problem=f"Scenarioene ble ikke ferdige på {timeout:.0f} s."
            )
        output = _tail(output)
        if not report_file.is_file():
            return ScenarioReport(
                rules, features, (), problem=_why_not_run(returncode, output), output=output
            )
        if cucumber_json is not None:
            Path(cucumber_json).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report_file, cucumber_json)
            if log_file.is_file():
                shutil.copyfile(log_file, log_beside(cucumber_json))
        data = json.loads(report_file.read_text(encoding="utf-8"))
        log = _read_log(log_file)
    scenarios, hits = parse_cucumber(data, log)
    problem = None
    if returncode not in (0, 1):
        problem = _why_not_run(returncode, output)
    elif returncode == 1 and not any(not s.passed for s in scenarios):
        problem = "pytest meldte feil utenom scenarioene (se utskriften)."
    elif not scenarios:
        problem = f"Fant ingen scenarioer i {features}."
    return ScenarioReport(rules, features, scenarios, hits, problem, output)


def pytest_subprocess(
    args: list[str], environment: Mapping[str, str], timeout: float
) -> tuple[int, str]:
    """Run pytest with `args` in a subprocess from the project root; its exit code and output."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout + proc.stderr


def log_beside(cucumber_json: Path) -> Path:
    """The step log kept beside a Cucumber JSON: var/cucumber.json -> var/cucumber.logg.jsonl."""
    path = Path(cucumber_json)
    return path.with_name(path.stem + ".logg.jsonl")


def report_from_cucumber(
    cucumber_json: Path, rules_dir: Path, features_dir: Path
) -> ScenarioReport:
    """The scenarios of `features_dir` in the Cucumber JSON of an earlier run (and its log).

    The run may have covered several rounds (`make test` runs them all); only the scenarios
    of this round's feature files, and what they reached, are kept.
    """
    data = json.loads(Path(cucumber_json).read_text(encoding="utf-8"))
    scenarios, hits = parse_cucumber(data, _read_log(log_beside(cucumber_json)))
    folder = Path(features_dir).resolve()
    own = tuple(s for s in scenarios if scenario_path(folder, s.file).parent == folder)
    tests = {s.test for s in own}
    mine = tuple(h for h in hits if h.test in tests)
    return ScenarioReport(Path(rules_dir), folder, own, mine)


def scenario_path(features_dir: Path, file: str) -> Path:
    """The feature file a scenario names, for scenarios run from `features_dir`.

    The suite names a feature file relative to the folder above the features root (the
    parent of the round's folder): `features/<round>/k1.feature` beside `features/`.
    """
    return Path(features_dir).resolve().parent.parent / file


def parse_cucumber(
    data: Any, log: Iterable[dict[str, Any]]
) -> tuple[tuple[ScenarioResult, ...], tuple[Hit, ...]]:
    """Scenario results from pytest-bdd's Cucumber JSON, enriched by the step layer's log."""
    examples: dict[str, tuple[tuple[str, str], ...]] = {}
    mismatches: dict[str, tuple[str, str]] = {}
    hits: list[Hit] = []
    for entry in log:
        test = str(entry.get("test", ""))
        kind = entry.get("type")
        if kind == "scenario":
            examples[test] = tuple((str(k), str(v)) for k, v in entry.get("example", {}).items())
        elif kind == "failure":
            mismatches.setdefault(test, (str(entry["expected"]), str(entry["got"])))
        elif kind == "hit":
            hits.append(Hit(test, str(entry["what"]), str(entry["key"]), str(entry["status"])))
    results: list[ScenarioResult] = []
    for feature in data if isinstance(data, list) else []:
        tags = tuple(str(t["name"]).lstrip("@") for t in feature.get("tags", []))
        for element in feature.get("elements", []):
            steps = tuple(
                StepResult(
                    str(s.get("keyword", "")).strip(),
                    str(s.get("name", "")),
                    int(s.get("line", 0)),
                    str(s.get("result", {}).get("status", "skipped")),
                )
                for s in element.get("steps", [])
            )
            failed_index = next(
                (
                    i
                    for i, s in enumerate(element.get("steps", []))
                    if s["result"]["status"] == "failed"
                ),
                None,
            )
            test = str(element.get("id", ""))
            expected = got = message = None
            failed_step = None
            if failed_index is not None:
                failed_step = steps[failed_index]
                raw = element["steps"][failed_index]["result"].get("error_message", "")
                message = error_text(raw)
                expected, got = mismatches.get(test) or _split_mismatch(message)
            results.append(
                ScenarioResult(
                    feature=str(feature.get("name", "")),
                    file=str(feature.get("uri", "")),
                    tags=tags,
                    name=str(element.get("name", "")),
                    line=int(element.get("line", 0)),
                    test=test,
                    steps=steps,
                    passed=failed_index is None,
                    example=examples.get(test, ()),
                    failed_step=failed_step,
                    expected=expected,
                    got=got,
                    message=message,
                )
            )
    return tuple(results), tuple(hits)


def error_text(longrepr: str) -> str:
    """The exception message in a pytest failure report (its `E   ` lines), without the type."""
    lines = [line[1:].strip() for line in longrepr.splitlines() if line.startswith("E ")]
    if not lines:
        return longrepr.strip().splitlines()[-1] if longrepr.strip() else ""
    lines[0] = re.sub(r"^[A-Za-z_][\w.]*: ", "", lines[0], count=1)
    return "\n".join(lines)


def _split_mismatch(message: str | None) -> tuple[str | None, str | None]:
    match = re.search(r"Forventet: (.*?)\nFikk: (.*)", message or "", re.S)
    return (match.group(1), match.group(2)) if match else (None, None)


def _read_log(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _why_not_run(returncode: int, output: str) -> str:
    if re.search(r"No module named '?(pytest|pytest_bdd)\b", output):
        return (
            "Scenarioene kan ikke kjøres: pytest og pytest-bdd er ikke installert "
            "(installer med «pip install -e '.[dev]'»)."
        )
    if "Error" in output and ("feature" in output.lower() or "gherkin" in output.lower()):
        return (
            f"En egenskapsfil (.feature) kan ikke leses (pytest avsluttet med kode {returncode})."
        )
    return f"Scenarioene kunne ikke kjøres (pytest avsluttet med kode {returncode})."
