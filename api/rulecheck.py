"""`utvalg check [DIR] [--coverage]` and `utvalg docs --out DIR`: the gate before a rules change.

check: the rules folder is validated (problems as `path:line:col: CODE message`, exit 2); then
every scenario in features/ runs against it, each failing scenario is printed in Norwegian
(feature, scenario, step, expected and got) and the exit code is 1 when any fails, else 0.
With --coverage it also prints how many scenarios reach each criterion status, outcome and
unit status, and exits 1 when any is reached by none.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from api.scenarios import (
    ROOT,
    STATUS_LABELS,
    ScenarioReport,
    ScenarioResult,
    report_from_cucumber,
    run_scenarios,
)
from api.settings import DEFAULT_RULES
from engine import InvalidRules, RuleSet, check_rules, load_ruleset
from engine.types import STATUSES


def add_check_command(sub: Any) -> None:
    """Register `check` on the `utvalg` subcommand parser."""
    c = sub.add_parser(
        "check",
        help="kontroller en regelmappe og kjør scenarioene mot den",
        description="Kontroller en regelmappe og kjør alle scenarioene i features/ mot den. "
        "Avslutter med 0 når alt er i orden, 1 når et scenario feiler, 2 når reglene er ugyldige.",
    )
    c.add_argument("dir", nargs="?", type=Path, default=DEFAULT_RULES, metavar="MAPPE")
    c.add_argument(
        "--coverage",
        action="store_true",
        help="vis hvor mange scenarioer som når hver status, og feil når noen ikke nås",
    )
    c.add_argument("--cucumber", type=Path, metavar="FIL", help="lagre Cucumber JSON fra kjøringen")


def add_docs_command(sub: Any) -> None:
    """Register `docs` on the `utvalg` subcommand parser."""
    c = sub.add_parser(
        "docs",
        help="lag HTML-dokumentasjon av reglene og scenarioene",
        description="Skriv et statisk HTML-nettsted med hvert kriterium, parameterne, "
        "forklaringene og scenarioene med resultatet fra siste kjøring.",
    )
    c.add_argument("--out", type=Path, required=True, metavar="MAPPE")
    c.add_argument("--rules", type=Path, default=DEFAULT_RULES, metavar="MAPPE")
    c.add_argument(
        "--cucumber",
        type=Path,
        metavar="FIL",
        help="bruk resultatene i en Cucumber JSON-fil i stedet for å kjøre scenarioene",
    )


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


def cmd_docs(args: argparse.Namespace) -> int:
    """`utvalg docs --out DIR`: write the HTML site (2 when the rules are invalid)."""
    from api.docs import build_docs  # jinja2 and gherkin only when docs are asked for

    try:
        ruleset = load_ruleset(args.rules)
    except InvalidRules as exc:
        for d in exc.diagnostics:
            print(d.render())
        print(f"Regelmappen {args.rules} er ugyldig.")
        return 2
    if args.cucumber is not None:
        report = report_from_cucumber(args.cucumber, args.rules)
        run_at = dt.datetime.fromtimestamp(args.cucumber.stat().st_mtime)
    else:
        print(f"Kjører scenarioene mot {args.rules} …")
        report = run_scenarios(args.rules)
        run_at = dt.datetime.now()
    files = build_docs(ruleset, report, args.out, run_at=run_at)
    print(f"Skrev {len(files)} sider til {args.out} (start med {args.out / 'index.html'}).")
    return 0


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
