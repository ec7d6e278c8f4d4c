"""`utvalg import-survey FILE…`: Elevundersøkelsen figures from Udir's export into the database."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from api.cli.shared import load_rounds_or_exit, print_diagnostics
from api.settings import Settings
from api.store.db import make_engine, migrate
from api.survey.parse import InvalidSurveyFile, ParsedSurvey, file_checksum, parse_survey
from api.survey.store import ImportReport, find_import, import_survey
from engine import Diagnostic
from engine.diagnostics import Location
from engine.text import format_fixed


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


def cmd_import_survey(args: argparse.Namespace) -> int:
    """`utvalg import-survey`: check every file, then import each in its own transaction."""
    rulesets = load_rounds_or_exit(args.rules)
    averages = {rid: rs.survey.national_average for rid, rs in rulesets.items()}
    engine = make_engine(Settings().resolved_database_url())
    try:
        migrate(engine)
        plans, problems = _read_all(engine, args.files)
        if problems:
            print_diagnostics(problems)
            print("Ingen filer ble importert: rett feilene over og prøv igjen.", file=sys.stderr)
            return 2
        reports = [
            plan
            if isinstance(plan, ImportReport)
            else import_survey(
                engine,
                plan,
                national_averages=averages,
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
