"""`utvalg check [DIR] [--coverage]`: the gate before a rules change.

check: the rules folder is validated (problems as `path:line:col: CODE message`, exit 2); then
every scenario in features/ runs against it, each failing scenario is printed in Norwegian
(feature, scenario, step, expected and got) and the exit code is 1 when any fails, else 0.
With --coverage it also prints how many scenarios reach each criterion status, outcome and
unit status, and exits 1 when any is reached by none.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.livingdocs.runner import (
    ROOT,
    STATUS_LABELS,
    STATUSES,
    ScenarioReport,
    ScenarioResult,
    run_scenarios,
)
from engine import RuleSet, check_rules, load_ruleset


def cmd_check(args: argparse.Namespace) -> int:
    """`utvalg check`: 2 when the rules are invalid, 1 when a scenario fails, else 0."""
    folder: Path = args.dir
    diagnostics = check_rules(folder)
    for d in diagnostics:
        print(d.render())
    if any(d.severity == "error" for d in diagnostics):
        print(f"Regelmappen {folder} er ugyldig ({len(diagnostics)} feil).")
        return 2
    ruleset = load_ruleset(folder)
    print(f"Regelmappen {folder} er gyldig. Kjører scenarioene mot den …")
    report = run_scenarios(folder, cucumber_json=args.cucumber)
    print_report(report)
    failed = not report.ok
    if args.coverage:
        failed = print_coverage(report, ruleset) or failed
    return 1 if failed else 0


def print_report(report: ScenarioReport) -> None:
    """Print each failing scenario in Norwegian, then a one-line summary."""
    for result in report.failed:
        print()
        print(_describe_failure(result))
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


def _describe_failure(result: ScenarioResult) -> str:
    step = result.failed_step
    line = step.line if step is not None else result.line
    lines = [
        f"{result.file}:{line}:{_column(result.file, line)}: SCENARIO_FAILED "
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


def _column(file: str, line: int) -> int:
    try:
        text = (ROOT / file).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError):
        return 1
    return len(text) - len(text.lstrip()) + 1


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def print_coverage(report: ScenarioReport, ruleset: RuleSet) -> bool:
    """Print coverage by criterion, outcome and unit status; True when something is uncovered."""
    criteria = [c.id for c in ruleset.criteria]
    rows = report.coverage(criteria)
    counts = {(r.what, r.key, r.status): r.count for r in rows}
    width = max(len(c) for c in [*criteria, "kriterium"])
    heads = [STATUS_LABELS[s] for s in STATUSES]
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
