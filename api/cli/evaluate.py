"""`utvalg evaluate FILE…`: a decision per application file, in input order (CONTRACT 4).

Each application is decided by the rules of its own `round`, found among the rulesets under
--rules (one ruleset folder, or a rules root; default: the configured rules root).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.cli.shared import load_rounds_or_exit, print_diagnostics, width_cut
from api.evaluation import needs_survey_figures
from api.settings import Settings
from api.store.db import make_engine
from api.survey.store import SurveyLookup, survey_lookup_for
from engine import Application, Decision, DiagnosticError, RuleSet, evaluate, load_application_file


def cmd_evaluate(args: argparse.Namespace) -> int:
    """`utvalg evaluate`: decisions in input order."""
    rulesets, apps, decisions = evaluate_files(args.files, args.rules)
    if args.format == "json":
        print(
            json.dumps([d.model_dump(mode="json") for d in decisions], ensure_ascii=False, indent=2)
        )
    else:
        print(
            "\n\n".join(
                format_decision(d, rulesets[a.round]) for a, d in zip(apps, decisions, strict=True)
            )
        )
    return 0


def evaluate_files(
    files: Sequence[str], rules: Path | None
) -> tuple[dict[str, RuleSet], list[Application], list[Decision]]:
    """Load the rules and every file (exit 2 on any problem), then evaluate each application."""
    rulesets = load_rounds_or_exit(rules)
    apps = _load_applications(files, rulesets)
    lookup = survey_lookup(apps)  # imported Elevundersøkelsen figures, when a DB has them
    decisions = [evaluate(a, rulesets[a.round], survey_lookup=lookup) for a in apps]
    return rulesets, apps, decisions


def _load_applications(files: Sequence[str], rulesets: dict[str, RuleSet]) -> list[Application]:
    rounds = {rid: list(rs.counties) for rid, rs in rulesets.items()}
    apps, failed = [], False
    for name in files:
        try:
            apps.append(load_application_file(name, rounds=rounds))
        except DiagnosticError as exc:
            failed = True
            print_diagnostics(exc.diagnostics)
    if failed:
        print("Ingen søknader ble vurdert: rett feilene over og prøv igjen.", file=sys.stderr)
        raise SystemExit(2)
    return apps


def survey_lookup(applications: Sequence[Application]) -> SurveyLookup | None:
    """Imported figures for schools without `bullying`, from the configured database if any."""
    if not needs_survey_figures(applications):
        return None
    url = Settings().resolved_database_url()
    parsed_url = make_url(url)
    if parsed_url.get_backend_name() == "sqlite":
        database = parsed_url.database
        if not database or database == ":memory:" or not Path(database).exists():
            return None  # no database yet: nothing was ever imported
    engine = make_engine(url)
    try:
        return survey_lookup_for(engine, applications)
    except SQLAlchemyError as exc:
        print(
            "Advarsel: fant ikke importerte tall fra Elevundersøkelsen i databasen "
            f"({type(exc).__name__}); K1 bruker bare tallene i søknadene.",
            file=sys.stderr,
        )
        return None
    finally:
        engine.dispose()


def format_decision(decision: Decision, ruleset: RuleSet) -> str:
    """One application as a small table: outcome, score, a line per criterion and unit."""
    status_label = ruleset.labels.status
    lines = [
        f"Søknad {decision.application_id}: {decision.label.upper()} (poeng {decision.score})",
        f"  {decision.summary}",
        f"  Regelsett {decision.ruleset.id} {decision.ruleset.version} "
        f"({decision.ruleset.digest[:19]})",
        "",
        f"  {'Krit.':<6} {'Gjelder':<34} {'Status':<13} Forklaring",
    ]
    for r in decision.criteria:
        lines.append(
            f"  {r.criterion:<6} {width_cut(r.subject.name, 34):<34} "
            f"{status_label[r.status]:<13} {r.explanation}"
        )
    if decision.units:
        lines += ["", f"  {'Enhet':<40} {'Org.nr.':<10} Status"]
        for u in decision.units:
            lines.append(f"  {width_cut(u.name, 40):<40} {u.org_number:<10} {u.label}")
    for w in decision.warnings:
        lines.append(f"  Merk: {w}")
    return "\n".join(lines)
