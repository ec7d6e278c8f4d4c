"""`utvalg import-survey FILE…`, and the survey lookup `utvalg evaluate`/`rank` use."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from api.settings import DEFAULT_RULES
from engine import Diagnostic, InvalidRules, load_ruleset
from engine.diagnostics import Location
from engine.text import format_fixed

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from api.survey.parse import ParsedSurvey
    from api.survey.store import ImportReport, SurveyLookup


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self._shown = -1
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        """Redraw for `done` of `total` (bytes or rows); at most ten times a second."""
        if not self.enabled:
            return
        now = time.monotonic()
        share = min(1.0, done / total) if total else 0.0
        permille = int(share * 1000)
        if permille == self._shown or (now - self._last < 0.1 and share < 1.0):
            return
        self._shown, self._last = permille, now
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        percent = format_fixed(share * 100, 1).rjust(5)
        self.stream.write(f"\r{self.label} [{bar}] {percent} %")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line (nothing when it never drew)."""
        if self.enabled and self._shown >= 0:
            self.stream.write("\n")
            self.stream.flush()


def add_import_command(sub: Any) -> None:
    """Register `import-survey` on the `utvalg` subcommand parser."""
    text = "importer tall fra Elevundersøkelsen (Udirs uttrekk som CSV eller .xlsx)"
    c = sub.add_parser("import-survey", help=text, description=text)
    c.add_argument("files", nargs="+", metavar="FIL")
    c.add_argument(
        "--rules",
        type=Path,
        default=DEFAULT_RULES,
        metavar="MAPPE",
        help="regelsettet som landssnittene i filen sammenlignes med",
    )
    c.add_argument("--format", choices=("text", "json"), default="text")


def cmd_import_survey(args: argparse.Namespace) -> int:
    """`utvalg import-survey`: check every file, then import each in its own transaction."""
    from api.db import make_engine, migrate
    from api.settings import Settings
    from api.survey.store import ImportReport, import_survey

    try:
        ruleset = load_ruleset(args.rules)
    except InvalidRules as exc:
        _print_diagnostics(exc.diagnostics)
        print(f"Regelmappen {args.rules} er ugyldig.", file=sys.stderr)
        return 2
    engine = make_engine(Settings().resolved_database_url())
    try:
        migrate(engine)
        plans, problems = _read_all(engine, args.files)
        if problems:
            _print_diagnostics(problems)
            print("Ingen filer ble importert: rett feilene over og prøv igjen.", file=sys.stderr)
            return 2
        reports = [
            plan
            if isinstance(plan, ImportReport)
            else import_survey(
                engine,
                plan,
                national_averages={ruleset.id: ruleset.survey.national_average},
                imported_by="kommandolinjen",
            )
            for plan in plans
        ]
    finally:
        engine.dispose()
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        print("\n".join(line for r in reports for line in r.lines()))
    return 0


def _read_all(
    engine: Engine, files: Sequence[str]
) -> tuple[list[ParsedSurvey | ImportReport], list[Diagnostic]]:
    """Parse every file not imported before (by checksum); collect all problems."""
    from api.survey.parse import InvalidSurveyFile, file_checksum, parse_survey
    from api.survey.store import find_import

    plans: list[ParsedSurvey | ImportReport] = []
    problems: list[Diagnostic] = []
    for name in files:
        bar = ProgressBar(f"Leser {Path(name).name}")
        try:
            with open(name, "rb") as stream:
                earlier = find_import(engine, file_checksum(stream))
                if earlier is not None:
                    plans.append(earlier)  # the same file again: nothing to read or change
                    continue
                plans.append(parse_survey(stream, Path(name).name, progress=bar))
        except InvalidSurveyFile as exc:
            problems += [_with_path(d, name) for d in exc.diagnostics]
        except OSError as exc:
            message = f"Filen kan ikke leses: {exc.strerror or exc}."
            problems.append(Diagnostic("UNREADABLE_FILE", message, Location(file=name)))
        finally:
            bar.close()
    return plans, problems


def _with_path(d: Diagnostic, path: str) -> Diagnostic:
    return replace(d, location=replace(d.location, file=path))


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.render(), file=sys.stderr)


def cli_survey_lookup(applications: Sequence[Any]) -> SurveyLookup | None:
    """Imported figures for schools without `bullying`, from the configured database if any."""
    if not any(s.bullying is None for a in applications for s in a.schools):
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from api.db import make_engine
    from api.settings import Settings
    from api.survey.store import survey_lookup_for

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
