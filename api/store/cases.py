"""Cases: one municipality's application in one round, its versions, evaluations, judgements.

A case's id is `{round}:{municipality number}` (CONTRACT section 6). Every table here is only
ever inserted into (the database refuses UPDATE and DELETE, see migration 0005_cases); the
state of a case is derived from its newest rows:

- `cases`               one row per round and municipality (a unique constraint: two server
                        instances on one PostgreSQL cannot make the same case twice);
- `case_versions`       the application texts, numbered 1, 2, …; a resend identical to the
                        newest version makes no new version (`unique(case_id, version)`: no
                        number is taken twice);
- `case_evaluations`    which decision-log evaluation decided which version;
- `case_judgements`     the office's judgement (proposal, justification, departs);
- `case_statuses`       withdrawn / void / reopened, each with a reason.

Cases and versions are written only together with their decision-log rows, under the log's
write lock (SQLite: BEGIN IMMEDIATE, PostgreSQL: an advisory lock), so writers of one or
many server instances take turns: what a writer reads of a case is still so when it adds
the next version. The constraints stay the database's own guarantee; should one refuse a
row, that request fails (LOG_REFUSED) and no other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    Label,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from api.store.db import Base
from api.store.decision_log import TABLE as EVALUATIONS
from api.store.decision_log import (
    Record,
    insert_after,
    insert_chained,
    lock_and_read_head,
    record_from,
    write_failure,
)

Proposal = Literal["propose", "not_propose"]
ClosingStatus = Literal["withdrawn", "void"]


def _seq() -> Any:
    return BigInteger().with_variant(Integer, "sqlite")


class Case(Base):
    """One municipality's application in one round."""

    __tablename__ = "cases"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(80), unique=True)
    round: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(2), index=True)
    municipality_number: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("round", "municipality_number", name="uq_cases_round"),)


class CaseVersion(Base):
    """One version of a case's application, as received."""

    __tablename__ = "case_versions"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[str] = mapped_column(String(64))
    municipality_name: Mapped[str] = mapped_column(Text)
    received: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    digest: Mapped[str] = mapped_column(String(80))
    application: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_case_versions_case_id"),)


class CaseEvaluation(Base):
    """An evaluation of the decision log that decided one version of a case."""

    __tablename__ = "case_evaluations"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CaseJudgement(Base):
    """The office's judgement of a case (the newest one is in force)."""

    __tablename__ = "case_judgements"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    evaluation_id: Mapped[str] = mapped_column(ForeignKey("evaluations.id"))
    proposal: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    departs: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CaseStatus(Base):
    """A status change recorded by hand (withdrawn, void) or on a new version (reopened)."""

    __tablename__ = "case_statuses"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


CASES = cast(Table, Case.__table__)
VERSIONS = cast(Table, CaseVersion.__table__)
LINKS = cast(Table, CaseEvaluation.__table__)
JUDGEMENTS = cast(Table, CaseJudgement.__table__)
STATUSES = cast(Table, CaseStatus.__table__)
# every table of a case, in the order rows may be inserted (for triggers and tests)
CASE_TABLES = ("cases", "case_versions", "case_evaluations", "case_judgements", "case_statuses")
REOPENED_REASON = "Ny versjon av søknaden er mottatt."


# The statements of storing an evaluation, built once: SQLAlchemy reuses their compiled
# form instead of building and keying a new statement for every request.
def _newest(column: Column[Any], order_by: Column[Any]) -> Label[Any]:
    """`column` of the case's newest row of its table (the greatest `order_by`), labelled."""
    return (
        select(column)
        .where(column.table.c.case_id == CASES.c.id)
        .order_by(order_by.desc())
        .limit(1)
        .scalar_subquery()
        .label(column.name)
    )


# what the cases of a group of requests already have, in one statement: which exist, the
# newest version of each and that version's digest, and its newest status change (a
# withdrawn case reopens on a new version); a case that is not there has no versions or
# statuses either (foreign keys)
_CASES_STATE = select(
    CASES.c.id,
    _newest(VERSIONS.c.version, VERSIONS.c.version),
    _newest(VERSIONS.c.digest, VERSIONS.c.version),
    _newest(STATUSES.c.status, STATUSES.c.seq),
).where(CASES.c.id.in_(bindparam("case_ids", expanding=True)))
_INSERT_CASE = insert(CASES)
_INSERT_VERSION = insert(VERSIONS)
_INSERT_STATUS = insert(STATUSES)
_INSERT_LINK = insert(LINKS)


def case_id(round_id: str, municipality_number: str) -> str:
    """The id of a case: `{round}:{municipality number}`."""
    return f"{round_id}:{municipality_number}"


def application_digest(application: Any) -> str:
    """The digest of an application's content: the same JSON gives the same digest."""
    text = json.dumps(application, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One evaluation to store with its case: the decision-log row and the application."""

    row: dict[str, Any]  # the decision-log row (api.evaluation.log_row)
    application: Any  # the application as received (JSON value), for the digest


@dataclass(frozen=True)
class Stored:
    """Where an evaluation went: its case and version, and whether the version is new."""

    evaluation_id: str
    case_id: str
    version: int
    new_version: bool


@dataclass(frozen=True)
class Version:
    """A version of a case's application."""

    version: int
    application_id: str
    municipality_name: str
    received: dt.date | None
    digest: str
    application: Any
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class Judgement:
    """The office's judgement as recorded."""

    seq: int
    version: int
    evaluation_id: str
    proposal: Proposal
    outcome: str
    departs: bool
    justification: str
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class StatusChange:
    """A status change recorded with its reason."""

    seq: int
    status: str
    reason: str
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class Linked:
    """An evaluation of a version (the decision-log record) and who linked it when."""

    version: int
    record: Record


@dataclass
class CaseHistory:
    """Everything stored about one case, oldest first in each list."""

    id: str
    round: str
    county: str
    municipality_number: str
    created_at: dt.datetime
    created_by: str | None
    versions: list[Version] = field(default_factory=list)
    evaluations: list[Linked] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)

    @property
    def newest(self) -> Version:
        """The newest version (a case has at least one)."""
        return self.versions[-1]

    def decision(self) -> Record | None:
        """The newest evaluation of the newest version."""
        found = [e.record for e in self.evaluations if e.version == self.newest.version]
        return found[-1] if found else None

    def judgement(self) -> Judgement | None:
        """The judgement in force (the newest), outdated or not."""
        return self.judgements[-1] if self.judgements else None

    def outdated(self) -> bool:
        """True when a version newer than the one judged has arrived."""
        current = self.judgement()
        return current is not None and current.version < self.newest.version

    def closed(self) -> StatusChange | None:
        """The withdrawal or voiding in force, if the case is withdrawn or void."""
        if self.statuses and self.statuses[-1].status in ("withdrawn", "void"):
            return self.statuses[-1]
        return None

    def stale(self, digest: str | None) -> bool:
        """True when the newest version has no decision under the ruleset with `digest`."""
        record = self.decision()
        return record is None or record.ruleset_digest != digest

    def status(self, digest: str | None) -> str:
        """The case's status (CONTRACT section 6) under the rules with `digest` in force."""
        closing = self.closed()
        if closing is not None:
            return closing.status
        if self.stale(digest):
            return "received"
        current = self.judgement()
        if current is not None and not self.outdated():
            return "judged"
        return "assessed"


class CaseStore:
    """The append-only store of cases, beside the decision log on the same database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer: serialise this process's writers instead of failing on
        # SQLITE_BUSY when two upgrade a read to a write. On PostgreSQL the log's advisory
        # lock serialises the writers of cases (insert_chained, lock_and_read_head).
        self._lock = threading.Lock() if engine.dialect.name == "sqlite" else None

    def _begin(self) -> Any:
        return _Locked(self.engine, self._lock)

    # --- writing ----------------------------------------------------------------------

    def store(self, entries: Sequence[Entry]) -> list[Stored]:
        """Store evaluations with their cases in one transaction (all or none)."""
        (outcome,) = self.store_group([entries])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def store_group(self, requests: Sequence[Sequence[Entry]]) -> list[list[Stored] | Exception]:
        """Store several requests' evaluations in one transaction, each request all or none.

        One write lock, one read of the chain's head and one commit for the group. The rows
        of the whole group go in together (one statement per table); when the database
        refuses one, that is rolled back and each request is written in its own savepoint,
        so a refused row fails only its own request (its outcome is the exception) and the
        others are stored. When the group cannot commit for a refused row (a deferred
        constraint), each request is tried again alone; when the database fails otherwise,
        every request gets that failure.
        """
        try:
            return self._write_group(requests)
        except SQLAlchemyError as exc:
            if len(requests) > 1 and write_failure(exc) == "refused":
                return [self.store_group([one])[0] for one in requests]
            return [exc for _ in requests]
        except Exception as exc:  # told to every request of the group, none is stored
            return [exc for _ in requests]

    def _write_group(self, requests: Sequence[Sequence[Entry]]) -> list[list[Stored] | Exception]:
        with self._begin() as conn:
            head = lock_and_read_head(conn)
            if len(requests) > 1:
                try:
                    with conn.begin_nested():
                        together, _ = _store_requests(conn, head, requests)
                    return list(together)
                except SQLAlchemyError as exc:
                    if write_failure(exc) != "refused":
                        raise  # the database itself failed: the whole group fails
                    # a row was refused: back to the head, and each request on its own
            outcomes: list[list[Stored] | Exception] = []
            for entries in requests:
                try:
                    with conn.begin_nested():
                        (stored,), after = _store_requests(conn, head, [entries])
                except SQLAlchemyError as exc:
                    if write_failure(exc) != "refused":
                        raise
                    outcomes.append(exc)  # rolled back to its savepoint: only this one
                    continue
                head = after
                outcomes.append(stored)
        return outcomes

    def link(self, case: str, version: int, row: dict[str, Any]) -> None:
        """Store a re-evaluation (decision-log row) of a version of a case."""
        with self._begin() as conn:
            insert_chained(conn, [row])
            conn.execute(
                insert(LINKS),
                [
                    {
                        "case_id": case,
                        "version": version,
                        "evaluation_id": row["id"],
                        "created_at": row["created_at"],
                        "created_by": row["api_key"],
                    }
                ],
            )

    def judge(
        self,
        history: CaseHistory,
        decision: Record,
        proposal: Proposal,
        departs: bool,
        justification: str,
        who: str | None,
        now: dt.datetime,
    ) -> None:
        """Record the office's judgement of the case's newest version."""
        with self._begin() as conn:
            conn.execute(
                insert(JUDGEMENTS),
                [
                    {
                        "case_id": history.id,
                        "version": history.newest.version,
                        "evaluation_id": decision.id,
                        "proposal": proposal,
                        "outcome": decision.outcome,
                        "departs": departs,
                        "justification": justification,
                        "created_at": now,
                        "created_by": who,
                    }
                ],
            )

    def set_status(
        self, case: str, status: ClosingStatus, reason: str, who: str | None, now: dt.datetime
    ) -> None:
        """Record that a case is withdrawn or void, with the reason."""
        with self._begin() as conn:
            conn.execute(
                insert(STATUSES),
                [
                    {
                        "case_id": case,
                        "status": status,
                        "reason": reason,
                        "created_at": now,
                        "created_by": who,
                    }
                ],
            )

    # --- reading ----------------------------------------------------------------------

    def history(self, ident: str) -> CaseHistory | None:
        """Everything stored about one case, or None."""
        found = self.histories(ids=[ident])
        return found[0] if found else None

    def histories(
        self,
        *,
        round_id: str | None = None,
        county: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[CaseHistory]:
        """The cases that match, each with its whole history, ordered by municipality."""
        q = select(CASES).order_by(CASES.c.round, CASES.c.municipality_number)
        if round_id is not None:
            q = q.where(CASES.c.round == round_id)
        if county is not None:
            q = q.where(CASES.c.county == county)
        if ids is not None:
            q = q.where(CASES.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            cases = {
                r.id: CaseHistory(
                    r.id,
                    r.round,
                    r.county,
                    r.municipality_number,
                    _utc(r.created_at),
                    r.created_by,
                )
                for r in conn.execute(q)
            }
            if not cases:
                return []
            keys = list(cases)
            for r in conn.execute(
                select(VERSIONS).where(VERSIONS.c.case_id.in_(keys)).order_by(VERSIONS.c.version)
            ):
                cases[r.case_id].versions.append(
                    Version(
                        r.version,
                        r.application_id,
                        r.municipality_name,
                        r.received,
                        r.digest,
                        json.loads(r.application),
                        _utc(r.created_at),
                        r.created_by,
                    )
                )
            joined = (
                select(LINKS.c.case_id, LINKS.c.version, EVALUATIONS)
                .join(EVALUATIONS, EVALUATIONS.c.id == LINKS.c.evaluation_id)
                .where(LINKS.c.case_id.in_(keys))
                .order_by(LINKS.c.seq)
            )
            for r in conn.execute(joined):
                values = dict(r._mapping)
                owner, version = values.pop("case_id"), values.pop("version")
                cases[owner].evaluations.append(Linked(version, record_from(values)))
            for r in conn.execute(
                select(JUDGEMENTS).where(JUDGEMENTS.c.case_id.in_(keys)).order_by(JUDGEMENTS.c.seq)
            ):
                cases[r.case_id].judgements.append(
                    Judgement(
                        r.seq,
                        r.version,
                        r.evaluation_id,
                        r.proposal,
                        r.outcome,
                        bool(r.departs),
                        r.justification,
                        _utc(r.created_at),
                        r.created_by,
                    )
                )
            for r in conn.execute(
                select(STATUSES).where(STATUSES.c.case_id.in_(keys)).order_by(STATUSES.c.seq)
            ):
                cases[r.case_id].statuses.append(
                    StatusChange(r.seq, r.status, r.reason, _utc(r.created_at), r.created_by)
                )
        return [c for c in cases.values() if c.versions]

    def place_of(self, evaluation_id: str) -> tuple[str, int] | None:
        """The case and version an evaluation decided, or None."""
        q = select(LINKS.c.case_id, LINKS.c.version).where(LINKS.c.evaluation_id == evaluation_id)
        with self.engine.connect() as conn:
            found = conn.execute(q).first()
        return (str(found.case_id), int(found.version)) if found is not None else None

    def count(self) -> int:
        """How many cases are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CASES)).scalar_one())


class _Locked:
    """`engine.begin()` held under this process's writer lock (SQLite only)."""

    def __init__(self, engine: Engine, lock: threading.Lock | None) -> None:
        self._engine = engine
        self._lock = lock
        self._ctx: Any = None

    def __enter__(self) -> Connection:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._ctx = self._engine.begin()
            conn: Connection = self._ctx.__enter__()
            return conn
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            self._ctx.__exit__(*exc)
        finally:
            if self._lock is not None:
                self._lock.release()


@dataclass
class _Known:
    """What a case has, as read at the start of a write and kept up to date by it."""

    exists: bool
    version: int | None
    digest: str | None
    status: str | None


def _store_requests(
    conn: Connection, head: str, requests: Sequence[Sequence[Entry]]
) -> tuple[list[list[Stored]], str]:
    """Requests' rows chained onto `head`, one statement per table; places and new head."""
    entries = [e for request in requests for e in request]
    after = insert_after(conn, head, [e.row for e in entries])
    # under the log's write lock no other writer adds to a case until this transaction
    # ends, so what is read here stays true while the rows below are decided and inserted
    idents = {case_id(e.row["round"], e.row["municipality_number"]) for e in entries}
    known = {
        r.id: _Known(True, r.version, r.digest, r.status)
        for r in conn.execute(_CASES_STATE, {"case_ids": sorted(idents)})
    }
    cases: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    places: list[Stored] = []
    for entry in entries:
        row = entry.row
        ident = case_id(row["round"], row["municipality_number"])
        who, now = row["api_key"], row["created_at"]
        has = known.get(ident)
        if has is None:  # a new case
            has = known[ident] = _Known(False, None, None, None)
        if not has.exists:
            has.exists = True
            cases.append(
                {
                    "id": ident,
                    "round": row["round"],
                    "county": row["county"],
                    "municipality_number": row["municipality_number"],
                    "created_at": now,
                    "created_by": who,
                }
            )
        digest = application_digest(entry.application)
        new = has.version is None or has.digest != digest  # identical resend: no new version
        if new:
            has.version, has.digest = (has.version or 0) + 1, digest
            versions.append(
                {
                    "case_id": ident,
                    "version": has.version,
                    "application_id": row["application_id"],
                    "municipality_name": row["municipality_name"],
                    "received": row["received"],
                    "digest": digest,
                    "application": row["application"],
                    "created_at": now,
                    "created_by": who,
                }
            )
            if has.version > 1 and has.status in ("withdrawn", "void"):
                has.status = "reopened"
                statuses.append(
                    {
                        "case_id": ident,
                        "status": "reopened",
                        "reason": REOPENED_REASON,
                        "created_at": now,
                        "created_by": who,
                    }
                )
        assert has.version is not None
        links.append(
            {
                "case_id": ident,
                "version": has.version,
                "evaluation_id": row["id"],
                "created_at": now,
                "created_by": who,
            }
        )
        places.append(Stored(row["id"], ident, has.version, new))
    # in the order the foreign keys need: a case before its versions, statuses and links
    for statement, rows in (
        (_INSERT_CASE, cases),
        (_INSERT_VERSION, versions),
        (_INSERT_STATUS, statuses),
        (_INSERT_LINK, links),
    ):
        if rows:
            conn.execute(statement, rows)
    found = iter(places)
    return [[next(found) for _ in request] for request in requests], after


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
