"""`utvalg docs --out DIR`: the living documentation, a static HTML site of rules and scenarios."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from api.cli.shared import print_diagnostics
from api.livingdocs.runner import report_from_cucumber, run_scenarios
from api.livingdocs.site import build_docs
from engine import InvalidRules, load_ruleset


def cmd_docs(args: argparse.Namespace) -> int:
    """`utvalg docs --out DIR`: write the HTML site (2 when the rules are invalid)."""
    try:
        ruleset = load_ruleset(args.rules)
    except InvalidRules as exc:
        print_diagnostics(exc.diagnostics, sys.stdout)
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
