"""The decision log: every evaluation, stored once and never changed.

An *evaluation* is one request to evaluate one application. It gets its own id
(`ev-` + a millisecond timestamp + randomness, so ids sort by time); the
application's own `id` is stored beside it. Sending an application with the same
id again makes a new evaluation and leaves the old one as it was. Looking up an
id finds the evaluation with that id, else the newest evaluation of the
application with that id.

Writes go through one writer thread that commits whatever is waiting in one
transaction (group commit): with SQLite in WAL mode that keeps up with hundreds
of evaluations a second, and the request is answered only after its row is
committed, so `GET /v1/evaluations/{id}` finds it right away.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.orm import Mapped, mapped_column

from api.store.db import Base

log = logging.getLogger("utvalg.log")


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

    __table_args__ = (
        Index("ix_evaluations_county_round_seq", "county", "round", "seq"),
        Index("ix_evaluations_outcome_seq", "outcome", "seq"),
    )


TABLE: Table = cast(Table, Evaluation.__table__)


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


class _Pending:
    __slots__ = ("rows", "loop", "future")

    def __init__(
        self, rows: list[dict[str, Any]], loop: asyncio.AbstractEventLoop, future: Any
    ) -> None:
        self.rows = rows
        self.loop = loop
        self.future = future


class DecisionLog:
    """Append-only store of evaluations with a group-committing writer thread."""

    def __init__(self, engine: Engine, *, max_rows_per_commit: int = 2000) -> None:
        self.engine = engine
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._max = max_rows_per_commit
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writer thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._writer, name="utvalg-log", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Write what is waiting, stop the writer thread and close the connections."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self.engine.dispose()

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Store rows (one transaction with whatever else is waiting); return once committed."""
        if not rows:
            return
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Pending(rows, loop, future))
        await future

    def append_now(self, rows: list[dict[str, Any]]) -> None:
        """Store rows synchronously (for commands and tests)."""
        with self.engine.begin() as conn:
            conn.execute(insert(TABLE), rows)

    def _writer(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            count = len(first.rows)
            while count < self._max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
                count += len(item.rows)
            error: BaseException | None = None
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(TABLE), [r for p in batch for r in p.rows])
            except Exception as exc:  # reported to every waiting request
                log.exception("kunne ikke skrive %d vurderinger til loggen", count)
                error = exc
            for p in batch:
                p.loop.call_soon_threadsafe(_settle, p.future, error)

    # --- reading ----------------------------------------------------------------------

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def find(self, ident: str) -> Record | None:
        """The evaluation with this evaluation id, else the newest one of this application id."""
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


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the request was cancelled (client went away); the row is stored
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
