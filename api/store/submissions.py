"""Submissions (innstillinger): a county's list to Utdanningsdirektoratet, frozen when locked.

CONTRACT section 7. One row per submission in `submissions` (migration 0007_submissions),
only ever inserted: the entries are stored whole as JSON text beside the round, county,
capacity, ruleset, note, who approved it and when, and the submission it supersedes with the
reason. `superseded_by` is derived when read. A unique key on (round, county,
`supersedes_key`) — 0 for the first, else the superseded id — lets only one of two
concurrent locks of one county be the first (or supersede the same submission): the loser
gets `Conflict`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypedDict, cast

from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from api.store.db import Base

# supersedes_key of a county's first submission in a round (ids start at 1)
FIRST = 0


class SubmissionRow(Base):
    """One locked submission of one county in one round."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(2))
    county_name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    ruleset_digest: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text)
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    supersedes_key: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    entries: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        UniqueConstraint(
            "round", "county", "supersedes_key", name="uq_submissions_round_county_supersedes"
        ),
    )


TABLE = cast(Table, SubmissionRow.__table__)


class Municipality(TypedDict):
    """A municipality: kommunenummer and name."""

    number: str
    name: str


class Unit(TypedDict):
    """A school or kindergarten of an entry with its status (CONTRACT 2)."""

    kind: str
    org_number: str
    name: str
    status: str
    label: str


class Subject(TypedDict):
    """What a criterion was decided for."""

    kind: str
    id: str
    name: str


class CriterionStatus(TypedDict):
    """One criterion's status for one subject."""

    criterion: str
    subject: Subject
    status: str


class Entry(TypedDict):
    """One case of a submission, frozen as it stood when locked."""

    rank: int
    case_id: str
    case_version: int
    evaluation_id: str
    municipality: Municipality
    received: str | None
    outcome: str
    label: str
    score: int
    summary: str
    proposal: Literal["propose", "not_propose"] | None  # None only in a preview's blocked case
    departs: bool
    justification: str
    judged_by: str | None
    judged_at: str | None  # None only in a preview's blocked case
    within_capacity: bool
    units: list[Unit]
    criteria: list[CriterionStatus]


class RulesetRef(TypedDict):
    """The ruleset the entries were decided under."""

    id: str
    version: str
    digest: str


@dataclass(frozen=True)
class Submission:
    """A locked submission as read back (the JSON of GET /v1/submissions/{id})."""

    submission_id: int
    round: str
    county: str
    county_name: str
    capacity: int
    ruleset: RulesetRef
    note: str
    approved_by: str | None
    approved_at: dt.datetime
    supersedes: int | None
    reason: str | None
    superseded_by: int | None
    entries: list[Entry]

    def to_json(self) -> dict[str, Any]:
        """The submission as JSON (CONTRACT 7; the shape shared with the pages and exports)."""
        return {
            "submission_id": self.submission_id,
            "round": self.round,
            "county": self.county,
            "county_name": self.county_name,
            "capacity": self.capacity,
            "ruleset": dict(self.ruleset),
            "note": self.note,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "supersedes": self.supersedes,
            "reason": self.reason,
            "superseded_by": self.superseded_by,
            "entries": [dict(e) for e in self.entries],
        }


@dataclass(frozen=True)
class NewSubmission:
    """What `SubmissionStore.add` stores."""

    round: str
    county: str
    county_name: str
    capacity: int
    ruleset: RulesetRef
    note: str
    supersedes: int | None
    reason: str | None
    entries: Sequence[Entry]
    created_at: dt.datetime
    created_by: str | None


class Conflict(Exception):
    """Another submission of the county was locked first (the unique key refused this one)."""


class SubmissionStore:
    """The append-only store of submissions, beside the cases on the same database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, new: NewSubmission) -> int:
        """Store a submission; its id. Raise `Conflict` when `supersedes` is not the newest."""
        values = {
            "round": new.round,
            "county": new.county,
            "county_name": new.county_name,
            "capacity": new.capacity,
            "ruleset_id": new.ruleset["id"],
            "ruleset_version": new.ruleset["version"],
            "ruleset_digest": new.ruleset["digest"],
            "note": new.note,
            "supersedes": new.supersedes,
            "supersedes_key": FIRST if new.supersedes is None else new.supersedes,
            "reason": new.reason,
            "entries": json.dumps(list(new.entries), ensure_ascii=False),
            "created_at": new.created_at,
            "created_by": new.created_by,
        }
        try:
            with self.engine.begin() as conn:
                result = conn.execute(insert(TABLE).values(**values))
                key = result.inserted_primary_key
                assert key is not None
                return int(key[0])
        except IntegrityError as exc:
            raise Conflict(new.county) from exc

    def rows(
        self,
        *,
        round_id: str | None = None,
        county: str | None = None,
        ident: int | None = None,
    ) -> list[Submission]:
        """The stored submissions that match, oldest first, with `superseded_by` derived."""
        q = select(TABLE).order_by(TABLE.c.id)
        if round_id is not None:
            q = q.where(TABLE.c.round == round_id)
        if county is not None:
            q = q.where(TABLE.c.county == county)
        if ident is not None:
            # its successor is read too, for `superseded_by`
            q = q.where((TABLE.c.id == ident) | (TABLE.c.supersedes == ident))
        with self.engine.connect() as conn:
            found = [_submission(r) for r in conn.execute(q)]
        successor = {s.supersedes: s.submission_id for s in found if s.supersedes is not None}
        out = [replace(s, superseded_by=successor.get(s.submission_id)) for s in found]
        return [s for s in out if ident is None or s.submission_id == ident]

    def newest(self, round_id: str, county: str) -> Submission | None:
        """The county's newest submission in the round (the one not superseded), or None."""
        current = [s for s in self.rows(round_id=round_id, county=county) if not s.superseded_by]
        return current[-1] if current else None

    def get(self, ident: int) -> Submission | None:
        """One submission by id, or None."""
        found = self.rows(ident=ident)
        return found[0] if found else None

    def newest_per_county(self, round_id: str | None = None) -> list[Submission]:
        """The newest submission of every county (of one round, or of every round)."""
        newest = [s for s in self.rows(round_id=round_id) if s.superseded_by is None]
        return sorted(newest, key=lambda s: (s.round, s.county))


def _submission(r: Any) -> Submission:
    created = r.created_at
    if created.tzinfo is None:  # SQLite gives naive datetimes back
        created = created.replace(tzinfo=dt.UTC)
    return Submission(
        submission_id=int(r.id),
        round=r.round,
        county=r.county,
        county_name=r.county_name,
        capacity=int(r.capacity),
        ruleset={"id": r.ruleset_id, "version": r.ruleset_version, "digest": r.ruleset_digest},
        note=r.note,
        approved_by=r.created_by,
        approved_at=created,
        supersedes=r.supersedes,
        reason=r.reason,
        superseded_by=None,
        entries=json.loads(r.entries),
    )
