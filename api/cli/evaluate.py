"""`utvalg evaluate FILE…`: a decision per application file, in input order (CONTRACT 4).

Each application is decided by the rules of its own `round`, found among the rulesets under
--rules (one ruleset folder, or a rules root; default: the configured rules root).
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from api.cli.shared import load_rounds_or_exit, print_diagnostics, width_cut
from api.settings import Settings
from engine import Application, Decision, DiagnosticError, RuleSet, evaluate, load_application_file
from engine.evaluate import SurveyLookup
from engine.facts.core import RecordsLookup

NOTHING_EVALUATED = "Ingen søknader ble vurdert: rett feilene over og prøv igjen."


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
    # imported Elevundersøkelsen figures and the office's cases and supervisions, when a
    # database has them
    figures, records = survey_lookup(apps)
    decisions = [
        evaluate(a, rulesets[a.round], survey_lookup=figures, records_lookup=records) for a in apps
    ]
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
        print(NOTHING_EVALUATED, file=sys.stderr)
        raise SystemExit(2)
    return apps


def survey_lookup(
    applications: Sequence[Application],
) -> tuple[SurveyLookup | None, RecordsLookup | None]:
    """Imported figures and the office's records, from the configured database if any."""
    url = Settings.database_url_alone()
    if _no_sqlite_file(url):
        return None, None  # no database yet: nothing was ever imported or recorded
    # imported only now: SQLAlchemy and the store cost more than evaluating a county
    figures = importlib.import_module("api.cli.survey_figures")
    found = figures.lookup_in_database(url, applications)
    return (found, found.record) if found is not None else (None, None)


def _no_sqlite_file(url: str) -> bool:
    """True when `url` is surely SQLite in memory or in a file that does not exist.

    Read without SQLAlchemy; a URL this does not know (another driver, a `file:` URI, a
    query) is left to api.cli.survey_figures, which reads it properly.
    """
    scheme, found, rest = url.partition("://")
    if not found or scheme.split("+", 1)[0] != "sqlite" or "?" in rest:
        return False
    if rest == "" or rest == "/:memory:":
        return True
    if not rest.startswith("/") or rest.startswith("/file:"):
        return False  # a host, or a URI: not for this reader
    return not Path(rest[1:]).exists()


# The table's explanation column starts here; narrower than this beside it, an explanation
# goes on its own lines under its row.
_EXPLANATION_AT = 2 + 6 + 1 + 34 + 1 + 13 + 1
_MIN_EXPLANATION = 30


def terminal_width() -> int:
    """The terminal's width (COLUMNS when set, 80 when not a terminal)."""
    return shutil.get_terminal_size().columns


def format_decision(decision: Decision, ruleset: RuleSet, width: int | None = None) -> str:
    """One application as a small table: outcome, score, a line per criterion and unit.

    Long texts are wrapped to `width` (default: the terminal's width).
    """
    width = max(width or terminal_width(), 40)
    status_label = ruleset.labels.status
    lines = [
        f"Søknad {decision.application_id}: {decision.label.upper()} (poeng {decision.score})",
        *_wrapped(decision.summary, width, "  "),
        f"  Regelsett {decision.ruleset.id} {decision.ruleset.version} "
        f"({decision.ruleset.digest[:19]})",
    ]
    beside = width - _EXPLANATION_AT >= _MIN_EXPLANATION
    header = f"  {'Krit.':<6} {'Gjelder':<34} {'Status':<13}"
    lines += ["", f"{header} Forklaring" if beside else header.rstrip()]
    for r in decision.criteria:
        row = f"  {r.criterion:<6} {width_cut(r.subject.name, 34):<34} {status_label[r.status]:<13}"
        if beside:
            text = _wrap(r.explanation, width - _EXPLANATION_AT) or [""]
            lines.append(f"{row} {text[0]}")
            lines += [" " * _EXPLANATION_AT + more for more in text[1:]]
        else:
            lines.append(row.rstrip())
            lines += _wrapped(r.explanation, width, "      ")
    if decision.units:
        lines += ["", f"  {'Enhet':<40} {'Org.nr.':<10} Status"]
        for u in decision.units:
            lines.append(f"  {width_cut(u.name, 40):<40} {u.org_number:<10} {u.label}")
    for w in decision.warnings:
        lines += _wrapped(f"Merk: {w}", width, "  ", "        ")
    return "\n".join(lines)


def _wrap(text: str, width: int, indent: str = "", more: str = "") -> list[str]:
    """`text` in lines of at most `width`, never parting a figure from its «%»."""
    kept = text.replace(" %", "\u00a0%")  # textwrap breaks only at ASCII whitespace
    lines = textwrap.wrap(kept, width, initial_indent=indent, subsequent_indent=more)
    return [line.replace("\u00a0", " ") for line in lines]


def _wrapped(text: str, width: int, indent: str, more: str | None = None) -> list[str]:
    return _wrap(text, width, indent, indent if more is None else more) or [indent.rstrip()]
