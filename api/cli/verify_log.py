"""`utvalg verify-log`: check the decision log's hash chain and its append-only triggers.

Exit 0 when the chain is whole and every guard trigger is in place, 1 when a row does not
follow the chain (the first such row is named), a trigger is missing, or the hash given with
`--head` is not in the chain; 2 when the database cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from sqlalchemy import Connection, RowMapping, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from api.settings import Settings
from api.store import chain
from api.store.append_only import GUARDED_TABLES, installed_triggers, trigger_names
from api.store.db import make_engine
from api.store.decision_log import TABLE
from engine.text import plural


def cmd_verify_log(args: argparse.Namespace) -> int:
    """Check the chain row by row; print the result in Norwegian."""
    engine = make_engine(Settings().resolved_database_url())
    try:
        with engine.connect() as conn:
            if "chain" not in {c["name"] for c in inspect(conn).get_columns("evaluations")}:
                print(
                    "Beslutningsloggen har ingen kjede-hash ennå: databasen er ikke oppgradert. "
                    "Start tjenesten (utvalg serve) én gang, så oppgraderes den.",
                    file=sys.stderr,
                )
                return 2
            missing = _missing_triggers(conn)
            verdict = chain.verify(_rows(conn), keep_heads=args.head is not None)
    except SQLAlchemyError as exc:
        print(f"Kan ikke lese beslutningsloggen: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    broken = False
    if verdict.broken_at is not None:
        broken = True
        print(
            f"Beslutningsloggen er BRUTT ved rad {verdict.broken_at} (vurdering "
            f"{verdict.broken_id}): raden stemmer ikke med kjede-hashen. Raden er endret, "
            "eller en rad foran den er endret, fjernet eller satt inn i ettertid. "
            + _before(verdict.rows)
        )
    if missing:
        broken = True
        names = ", ".join(sorted(missing))
        print(
            f"Vernet mot endringer mangler: {plural(len(missing), 'utløser', 'utløsere')} "
            f"er fjernet ({names}). Da kan rader ha blitt endret med SQL."
        )
    if args.head is not None and verdict.broken_at is None:
        wanted = args.head.strip().lower()
        if wanted not in verdict.heads_seen:
            broken = True
            print(
                f"Kjede-hashen {wanted} som ble notert tidligere, finnes ikke i loggen: "
                "loggen er skrevet om fra en rad foran den."
            )
    if broken:
        return 1
    print(
        f"Beslutningsloggen er hel: {plural(verdict.rows, 'vurdering', 'vurderinger')} "
        f"kontrollert, og vernet mot endringer er på plass. Siste kjede-hash: "
        f"{verdict.head or '(tom logg)'}"
    )
    return 0


def _before(rows: int) -> str:
    if rows == 0:
        return "Den er den første raden i loggen."
    if rows == 1:
        return "Raden foran den stemmer."
    return f"De {rows} radene foran den stemmer."


def _rows(conn: Connection) -> Iterator[RowMapping]:
    columns = [TABLE.c.seq, TABLE.c.chain, *(TABLE.c[name] for name in chain.CONTENT_COLUMNS)]
    query = select(*columns).order_by(TABLE.c.seq).execution_options(yield_per=1000)
    yield from conn.execute(query).mappings()


def _missing_triggers(conn: Connection) -> set[str]:
    dialect = conn.dialect.name
    expected = set().union(*(trigger_names(dialect, table) for table in GUARDED_TABLES))
    return expected - installed_triggers(conn)
