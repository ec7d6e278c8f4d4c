"""`utvalg check [DIR] [--coverage]`: the gate before a rules change, for each round.

DIR is one round's rules folder or a rules root (every round under it); without DIR every
round under the configured rules root is checked. Each rules folder is validated first
(problems as `path:line:col: CODE message`, exit 2 when any round's rules are invalid, before
any scenario runs). Then each round's own scenarios (features/<round id>/) run against that
round's rules; each failing scenario is printed in Norwegian (feature, scenario, step,
expected and got) and the exit code is 1 when any fails, else 0. With --coverage it also
prints how many scenarios reach each criterion status, outcome and unit status, and exits 1
when any is reached by none.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from api.cli.shared import shown_path
from api.livingdocs.runner import (
    ScenarioReport,
    ScenarioResult,
    log_beside,
    run_scenarios,
)
from api.rounds import Layout
from api.settings import Settings
from engine import RuleSet, check_rules, load_ruleset
from engine.types import STATUSES


def cmd_check(args: argparse.Namespace) -> int:
    """`utvalg check`: 2 when any rules are invalid, 1 when a scenario fails, else 0."""
    layout = Settings().layout(args.dir)
    folders = layout.rule_folders() or [layout.rules]  # no ruleset: say what is missing
    invalid = False
    for folder in folders:
        diagnostics = check_rules(folder)
        for d in diagnostics:
            print(d.render())
        if any(d.severity == "error" for d in diagnostics):
            print(f"Regelmappen {folder} er ugyldig ({len(diagnostics)} feil).")
            invalid = True
    if invalid:
        return 2
    failed = False
    with tempfile.TemporaryDirectory(prefix="utvalg-check-") as tmp:
        runs: list[Path] = []
        for i, folder in enumerate(folders):
            if i:
                print()
            ruleset = load_ruleset(folder)
            cucumber = Path(tmp) / f"{i}.json" if args.cucumber else None
            report = _run(folder, ruleset, layout, cucumber)
            failed = not report.ok or failed
            if args.coverage:
                failed = print_coverage(report, ruleset) or failed
            if cucumber is not None and cucumber.is_file():
                runs.append(cucumber)
        if args.cucumber:
            _merge_cucumber(runs, args.cucumber)
    return 1 if failed else 0


def _run(folder: Path, ruleset: RuleSet, layout: Layout, cucumber: Path | None) -> ScenarioReport:
    features = layout.features_of(ruleset.id)
    print(f"Regelmappen {folder} er gyldig. Kjører scenarioene i {shown_path(features)} mot den …")
    report = run_scenarios(folder, features, cucumber_json=cucumber)
    print_report(report)
    return report


def _merge_cucumber(runs: list[Path], target: Path) -> None:
    """One Cucumber JSON (and step log) from the runs of several rounds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if len(runs) == 1:
        shutil.copyfile(runs[0], target)
        if log_beside(runs[0]).is_file():
            shutil.copyfile(log_beside(runs[0]), log_beside(target))
        return
    features = [f for run in runs for f in json.loads(run.read_text(encoding="utf-8"))]
    target.write_text(json.dumps(features, ensure_ascii=False, indent=1), encoding="utf-8")
    logs = [log_beside(run) for run in runs]
    log_beside(target).write_text(
        "".join(p.read_text(encoding="utf-8") for p in logs if p.is_file()), encoding="utf-8"
    )


def print_report(report: ScenarioReport) -> None:
    """Print each failing scenario in Norwegian, then a one-line summary."""
    for result in report.failed:
        print()
        print(_describe_failure(result, report.path_of(result)))
    total, failed = len(report.scenarios), len(report.failed)
    print()
    if report.problem:
        print(f"Scenarioene kunne ikke kjøres ferdig: {report.problem}")
        if report.output:
            print(_indent(report.output, "  | "))
    print(
        f"{total} scenarioer kjørt mot {report.rules_dir}: {total - failed} bestått, "
        f"{failed} feilet."
    )


def _describe_failure(result: ScenarioResult, path: Path) -> str:
    step = result.failed_step
    line = step.line if step is not None else result.line
    lines = [
        f"{shown_path(path)}:{line}:{_column(path, line)}: SCENARIO_FAILED "
        f"Scenarioet feilet i egenskapen «{result.feature}»",
        f"  Scenario:  {result.title}",
    ]
    if step is not None:
        lines.append(f"  Steg:      {step}")
    if result.expected is not None:
        lines.append(f"  Forventet: {_indent(result.expected, ' ' * 13).lstrip()}")
        lines.append(f"  Fikk:      {_indent(result.got or '', ' ' * 13).lstrip()}")
    elif result.message:
        lines.append(f"  Feil:      {_indent(result.message, ' ' * 13).lstrip()}")
    return "\n".join(lines)


def _column(path: Path, line: int) -> int:
    try:
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError):
        return 1
    return len(text) - len(text.lstrip()) + 1


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def print_coverage(report: ScenarioReport, ruleset: RuleSet) -> bool:
    """Print coverage by criterion, outcome and unit status; True when something is uncovered."""
    criteria = [c.id for c in ruleset.criteria]
    rows = report.coverage(ruleset)
    counts = {(r.what, r.key, r.status): r.count for r in rows}
    width = max(len(c) for c in [*criteria, "kriterium"])
    heads = [ruleset.labels.status[s] for s in STATUSES]
    print()
    print("Dekning: antall scenarioer som når og kontrollerer hver status (! = ingen).")
    print("  " + "kriterium".ljust(width) + "".join(f"  {h} " for h in heads) + " tittel")
    for cid in criteria:
        cells = ""
        for s, head in zip(STATUSES, heads, strict=True):
            n = counts[("criterion", cid, s)]
            cells += f"  {n:>{len(head)}}{'!' if n == 0 else ' '}"
        print("  " + cid.ljust(width) + cells + " " + ruleset.criterion(cid).title)
    for what, title in (("outcome", "Utfall"), ("unit", "Enhetsstatus")):
        parts = [
            f"{r.label} {r.count}" + (" !" if r.count == 0 else "") for r in rows if r.what == what
        ]
        print(f"  {title}: " + ", ".join(parts))
    gaps = [r for r in rows if r.count == 0]
    without = [cid for cid in criteria if all(counts[("criterion", cid, s)] == 0 for s in STATUSES)]
    for cid in without:
        has_feature = bool(report.tagged(cid))
        where = "" if has_feature else f" og ingen egenskapsfil med taggen @{cid}"
        print(f"Kriteriet {cid} ({ruleset.criterion(cid).title}) har ingen scenarioer{where}.")
    if gaps:
        print("Ingen scenarioer når: " + ", ".join(r.label for r in gaps) + ".")
        return True
    print("Alle statuser, utfall og enhetsstatuser nås av minst ett scenario.")
    return False
