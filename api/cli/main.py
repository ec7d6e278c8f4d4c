"""The `utvalg` command line (CONTRACT section 4)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from api.cli.check import add_check_command, add_docs_command, cmd_check, cmd_docs
from api.cli.import_survey import add_import_command, cli_survey_lookup, cmd_import_survey
from api.cli.serve import add_serve_command, cmd_serve
from api.cli.text import format_decision, format_ranking
from api.settings import DEFAULT_RULES
from engine import (
    Application,
    Decision,
    DiagnosticError,
    InvalidRules,
    RuleSet,
    evaluate,
    load_application_file,
    load_ruleset,
    rank,
    rankable,
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="utvalg",
        description="Utvalg til Læringsmiljøprosjektet: vurder og ranger søknader.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    for name, text in (
        ("evaluate", "vurder søknadsfiler"),
        ("rank", "vurder og ranger søknadsfiler per fylke"),
    ):
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument("files", nargs="+", metavar="FIL")
        c.add_argument("--rules", type=Path, default=DEFAULT_RULES, metavar="MAPPE")
        c.add_argument("--format", choices=("text", "json"), default="text")
    add_check_command(sub)
    add_docs_command(sub)
    add_import_command(sub)
    add_serve_command(sub)
    return p


def _load_rules(folder: Path) -> RuleSet:
    try:
        return load_ruleset(folder)
    except InvalidRules as exc:
        for d in exc.diagnostics:
            print(d.render(), file=sys.stderr)
        print(f"Regelmappen {folder} er ugyldig.", file=sys.stderr)
        raise SystemExit(2) from None


def _load_applications(files: Sequence[str], ruleset: RuleSet) -> list[Application]:
    rounds = {ruleset.id: list(ruleset.counties)}
    apps, failed = [], False
    for name in files:
        try:
            apps.append(load_application_file(name, rounds=rounds))
        except DiagnosticError as exc:
            failed = True
            for d in exc.diagnostics:
                print(d.render(), file=sys.stderr)
    if failed:
        print("Ingen søknader ble vurdert: rett feilene over og prøv igjen.", file=sys.stderr)
        raise SystemExit(2)
    return apps


def _evaluate_all(args: argparse.Namespace) -> tuple[RuleSet, list[Application], list[Decision]]:
    ruleset = _load_rules(args.rules)
    apps = _load_applications(args.files, ruleset)
    lookup = cli_survey_lookup(apps)  # imported Elevundersøkelsen figures, when a DB has them
    return ruleset, apps, [evaluate(a, ruleset, survey_lookup=lookup) for a in apps]


def cmd_evaluate(args: argparse.Namespace) -> int:
    """`utvalg evaluate`: decisions in input order."""
    ruleset, _, decisions = _evaluate_all(args)
    if args.format == "json":
        print(
            json.dumps([d.model_dump(mode="json") for d in decisions], ensure_ascii=False, indent=2)
        )
    else:
        print("\n\n".join(format_decision(d, ruleset) for d in decisions))
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    """`utvalg rank`: evaluate, then rank per county with capacity."""
    ruleset, apps, decisions = _evaluate_all(args)
    ranking = rank([rankable(a, d) for a, d in zip(apps, decisions, strict=True)], ruleset)
    if args.format == "json":
        print(json.dumps(ranking.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(format_ranking(ranking, ruleset), end="")
    return 0


COMMANDS = {
    "evaluate": cmd_evaluate,
    "rank": cmd_rank,
    "check": cmd_check,
    "docs": cmd_docs,
    "import-survey": cmd_import_survey,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `utvalg` console script."""
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
