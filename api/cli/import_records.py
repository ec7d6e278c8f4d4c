"""`utvalg import-records FILE…`: the office's own cases and supervisions into the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.cli.shared import print_diagnostics
from api.office.records import NewRecord, UnknownReplaced, add_records
from api.office.sheet import InvalidRecordsFile, parse_records
from api.settings import Settings
from api.store.db import make_engine, migrate
from engine import Diagnostic
from engine.diagnostics import Location
from engine.text import join_list, plural


def cmd_import_records(args: argparse.Namespace) -> int:
    """Check every file first; then add each file's rows in one transaction."""
    parsed: list[tuple[str, list[NewRecord]]] = []
    problems: list[Diagnostic] = []
    for name in args.files:
        try:
            with open(name, "rb") as stream:
                parsed.append((Path(name).name, parse_records(stream, Path(name).name)))
        except InvalidRecordsFile as exc:
            problems += exc.diagnostics
        except OSError as exc:
            message = f"Filen kan ikke leses: {exc.strerror or exc}."
            problems.append(Diagnostic("UNREADABLE_FILE", message, Location(file=name)))
    if problems:
        print_diagnostics(problems)
        print("Ingenting ble registrert: rett feilene over og prøv igjen.", file=sys.stderr)
        return 2
    engine = make_engine(Settings().resolved_database_url())
    try:
        migrate(engine)
        for name, records in parsed:
            try:
                ids = add_records(engine, records, source=name, recorded_by="kommandolinjen")
            except UnknownReplaced as exc:
                print(
                    f"{name}: UNKNOWN_RECORD «Erstatter» viser til "
                    f"{join_list(str(i) for i in exc.ids)}, som ikke finnes. Ingenting ble "
                    "registrert fra filen.",
                    file=sys.stderr,
                )
                return 2
            first, last = (ids[0], ids[-1]) if ids else (0, 0)
            print(f"{name}: {plural(len(ids), 'rad', 'rader')} registrert (id {first}–{last}).")
    finally:
        engine.dispose()
    return 0
