"""The decision log: every evaluation, stored once and never changed.

An *evaluation* is one request to evaluate one application. It gets its own id
(`ev-` + a millisecond timestamp + randomness, so ids sort by time); the
application's own `id` is stored beside it. Sending an application with the same
id again makes a new evaluation and leaves the old one as it was. Looking up an
id finds the evaluation with that id, else the newest evaluation of the
application with that id.

The service writes each evaluation together with its case through the group writer
(api/store/case_writer.py): requests that arrive together share one transaction, each in
its own savepoint, so a row the database refuses fails only its own request, and each
request is answered only after its rows are committed. `DecisionLog.append` writes rows
without a case, for commands and tests.

Each row carries `chain`, the sha256 of the previous row's chain and its own
content (api/store/chain.py); a write takes a lock first (PostgreSQL: an advisory
lock, SQLite: BEGIN IMMEDIATE) so that two servers never chain onto the same row.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from api.store import chain
from api.store.db import Base


class Evaluation(Base):
    """One stored evaluation: the application as received, the decision, and who asked."""

    __tablename__ = "evaluations"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[str] = mapped_column(String(64), index=True)
    round: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(2))
    municipality_number: Mapped[str] = mapped_column(String(4))
    municipality_name: Mapped[str] = mapped_column(Text)
    received: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    ruleset_digest: Mapped[str] = mapped_column(String(80))
    application: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    api_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    chain: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_evaluations_county_round_seq", "county", "round", "seq"),
        Index("ix_evaluations_outcome_seq", "outcome", "seq"),
    )


TABLE: Table = cast(Table, Evaluation.__table__)


# every evaluation id (`ev-…`) and application id (CONTRACT section 1) has this form
_REF = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_evaluation_id() -> str:
    """A fresh evaluation id that sorts by creation time."""
    return f"ev-{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"


@dataclass(frozen=True)
class Record:
    """A stored evaluation as read back (the JSON columns still as text)."""

    seq: int
    id: str
    application_id: str
    round: str
    county: str
    municipality_number: str
    municipality_name: str
    received: dt.date | None
    outcome: str
    score: int
    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str
    application: str
    decision: str
    created_at: dt.datetime
    api_key: str | None
    chain: str


def _record(row: Any) -> Record:
    return record_from(dict(row._mapping))


def record_from(values: dict[str, Any]) -> Record:
    """A Record from a row's columns (as a dict), with `created_at` in UTC."""
    created = values["created_at"]
    if created.tzinfo is None:  # SQLite keeps no zone; we always write UTC
        values["created_at"] = created.replace(tzinfo=dt.UTC)
    return Record(**values)


@dataclass(frozen=True)
class Filters:
    """Filters of the evaluation list."""

    county: str | None = None
    outcome: str | None = None
    round: str | None = None
    application_id: str | None = None


class DecisionLog:
    """The append-only store of evaluations: writing rows without a case, and reading."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Close the database connections."""
        self.engine.dispose()

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Store rows in one transaction, each chained onto the newest stored row."""
        with self.engine.begin() as conn:
            insert_chained(conn, rows)

    # --- reading ----------------------------------------------------------------------

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def check_writable(self) -> None:
        """Raise unless a write could commit now: a write that changes nothing, rolled back.

        A DELETE matching no row takes the database's write lock (SQLite) or is refused in a
        read-only transaction or on a standby (PostgreSQL), yet fires no row trigger and
        changes nothing, so the log stays append-only.
        """
        with self.engine.connect() as conn:
            try:
                lock_and_read_head(conn)
                conn.execute(TABLE.delete().where(text("1 = 0")))
            finally:
                conn.rollback()

    def find(self, ident: str) -> Record | None:
        """The evaluation with this evaluation id, else the newest one of this application id."""
        if not _REF.fullmatch(ident):
            return None  # no stored id looks like this (and PostgreSQL refuses a NUL in text)
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE).where(TABLE.c.id == ident)).first()
            if row is None:
                row = conn.execute(
                    select(TABLE)
                    .where(TABLE.c.application_id == ident)
                    .order_by(TABLE.c.seq.desc())
                    .limit(1)
                ).first()
        return _record(row) if row is not None else None

    def page(
        self, filters: Filters, *, limit: int, before: int | None = None
    ) -> tuple[list[Record], int | None]:
        """Evaluations newest first; returns the page and the cursor for the next one."""
        q = select(TABLE).order_by(TABLE.c.seq.desc()).limit(limit + 1)
        for column, value in (
            (TABLE.c.county, filters.county),
            (TABLE.c.outcome, filters.outcome),
            (TABLE.c.round, filters.round),
            (TABLE.c.application_id, filters.application_id),
        ):
            if value is not None:
                q = q.where(column == value)
        if before is not None:
            q = q.where(TABLE.c.seq < before)
        with self.engine.connect() as conn:
            rows = [_record(r) for r in conn.execute(q)]
        if len(rows) > limit:
            return rows[:limit], rows[limit - 1].seq
        return rows, None

    def latest_per_application(self, county: str, round_id: str) -> list[Record]:
        """The newest evaluation of each application id in a county and round."""
        newest = (
            select(func.max(TABLE.c.seq))
            .where(TABLE.c.county == county, TABLE.c.round == round_id)
            .group_by(TABLE.c.application_id)
        )
        q = select(TABLE).where(TABLE.c.seq.in_(newest)).order_by(TABLE.c.seq)
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(q)]

    def known(self, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (application id, ruleset digest) pairs already have an evaluation."""
        if not pairs:
            return set()
        ids = sorted({a for a, _ in pairs})
        q = select(TABLE.c.application_id, TABLE.c.ruleset_digest).where(
            TABLE.c.application_id.in_(ids)
        )
        with self.engine.connect() as conn:
            found = {(r[0], r[1]) for r in conn.execute(q)}
        return found & set(pairs)

    def count(self) -> int:
        """How many evaluations are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(TABLE)).scalar_one())


# pg_advisory_xact_lock key of the decision log's writers (any constant; "utvalg-ev")
_WRITE_LOCK = 0x7574_7661_6C67_6576 & 0x7FFF_FFFF_FFFF_FFFF
# built once: SQLAlchemy reuses their compiled form on every write
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD = select(TABLE.c.chain).order_by(TABLE.c.seq.desc()).limit(1)
_INSERT = insert(TABLE)


def insert_chained(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert log rows, each chained onto the newest stored row, under the log's write lock.

    Must be the first statement of its transaction (SQLite: BEGIN IMMEDIATE), and the only
    way rows reach the log's table: `DecisionLog.append` and the case store both use it
    (the case store's group writer as `lock_and_read_head` once, then `insert_after`).
    """
    insert_after(conn, lock_and_read_head(conn), rows)


def insert_after(conn: Connection, previous: str, rows: Sequence[dict[str, Any]]) -> str:
    """Insert log rows chained onto the row with hash `previous`; return the new head.

    The caller holds the log's write lock (`lock_and_read_head` in this transaction) and
    `previous` is the head it read, or the head its own earlier inserts left.
    """
    chained = []
    for row in rows:
        row = {**row, "created_at": chain.utc(row["created_at"])}
        row["chain"] = previous = chain.link(previous, row)
        chained.append(row)
    if chained:
        conn.execute(_INSERT, chained)
    return previous


def lock_and_read_head(conn: Connection) -> str:
    """Take the log's write lock for this transaction; return the newest row's chain."""
    if conn.dialect.name == "sqlite":
        # pysqlite begins lazily, at the first write; take the write lock now instead so
        # that no other process can append between reading the head and inserting
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(_ADVISORY_LOCK, {"key": _WRITE_LOCK})
    head = conn.execute(_HEAD).scalar()
    return head if head is not None else chain.GENESIS


WriteFailure = Literal["refused", "read_only", "unavailable"]


def write_failure(exc: BaseException) -> WriteFailure:
    """Why a write failed: the database refused the row, takes no writes, or did not answer."""
    message = str(getattr(exc, "orig", exc)).lower()
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if sqlstate == "25006" or "readonly" in message or "read-only" in message:
        return "read_only"
    if isinstance(exc, IntegrityError | DataError):
        return "refused"
    if isinstance(exc, SQLAlchemyError) and sqlstate is not None and sqlstate[:2] in ("22", "23"):
        return "refused"  # data exception / integrity constraint violation (PostgreSQL)
    return "unavailable"
