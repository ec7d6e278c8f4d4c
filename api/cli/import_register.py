"""`utvalg import-register FILE`: the school register (NSR) into the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.cli.shared import print_diagnostics
from api.settings import Settings
from api.store.db import make_engine, migrate
from api.survey.register import InvalidRegisterFile, ParsedRegister, parse_register
from api.survey.schools import import_register
from engine import Diagnostic
from engine.diagnostics import Location


def cmd_import_register(args: argparse.Namespace) -> int:
    """`utvalg import-register`: check every file first, then import each."""
    parsed: list[ParsedRegister] = []
    problems: list[Diagnostic] = []
    for name in args.files:
        try:
            with open(name, "rb") as stream:
                parsed.append(parse_register(stream, Path(name).name))
        except InvalidRegisterFile as exc:
            problems += exc.diagnostics
        except OSError as exc:
            message = f"Filen kan ikke leses: {exc.strerror or exc}."
            problems.append(Diagnostic("UNREADABLE_FILE", message, Location(file=name)))
    if problems:
        print_diagnostics(problems)
        print("Ingen filer ble importert: rett feilene over og prøv igjen.", file=sys.stderr)
        return 2
    engine = make_engine(Settings().resolved_database_url())
    try:
        migrate(engine)
        for register in parsed:
            report = import_register(engine, register, imported_by="kommandolinjen")
            print("\n".join(report.lines()))
    finally:
        engine.dispose()
    return 0
