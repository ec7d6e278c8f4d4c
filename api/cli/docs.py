"""`utvalg docs --out DIR`: the living documentation, a static HTML site of rules and scenarios.

One round: its site in DIR. Several rounds (a rules root with more than one): each round's
site in DIR/<round id>/ and a page in DIR that links to them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from api.cli.shared import print_diagnostics
from api.livingdocs.runner import ScenarioReport, report_from_cucumber, run_scenarios
from api.livingdocs.site import build_docs, build_round_index
from api.settings import Settings
from engine import InvalidRules, RuleSet, load_ruleset


def cmd_docs(args: argparse.Namespace) -> int:
    """`utvalg docs --out DIR`: write the HTML site (2 when the rules are invalid)."""
    layout = Settings().layout(args.rules)
    folders = layout.rule_folders() or [layout.rules]  # no ruleset: say what is missing
    rulesets: list[RuleSet] = []
    for folder in folders:
        try:
            rulesets.append(load_ruleset(folder))
        except InvalidRules as exc:
            print_diagnostics(exc.diagnostics, sys.stdout)
            print(f"Regelmappen {folder} er ugyldig.")
            return 2
    out: Path = args.out
    written: list[Path] = []
    for folder, ruleset in zip(folders, rulesets, strict=True):
        features = layout.features_of(ruleset.id)
        report, run_at = _report(args.cucumber, folder, features)
        target = out / ruleset.id if len(rulesets) > 1 else out
        written += build_docs(ruleset, report, target, run_at=run_at)
    if len(rulesets) > 1:
        written.append(build_round_index(rulesets, out))
    print(f"Skrev {len(written)} sider til {out} (start med {out / 'index.html'}).")
    return 0


def _report(
    cucumber: Path | None, folder: Path, features: Path
) -> tuple[ScenarioReport, dt.datetime]:
    if cucumber is not None:
        run_at = dt.datetime.fromtimestamp(cucumber.stat().st_mtime)
        return report_from_cucumber(cucumber, folder, features), run_at
    print(f"Kjører scenarioene mot {folder} …")
    return run_scenarios(folder, features), dt.datetime.now()
