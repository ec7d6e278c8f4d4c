"""Published rule versions, the activations that put one in force, and saved drafts.

Append-only like every table of utvalg (triggers in migration 0008_rule_versions):

- `rule_versions`     one row per published version of a round: the whole files (rules and the
                      round's scenarios, relative path → text), digest, note, who, when, the
                      version it was based on and the unified diff against it;
- `rule_activations`  which version is in force: publishing activates the new version, a
                      rollback (or forward) activates an earlier one with a note; the newest
                      row of a round wins;
- `rule_drafts`       drafts saved by the rules page; every save is a new row, the newest per
                      draft id wins; a draft is done when a version names it (`draft_id`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from api.store.db import Base

ActivationKind = Literal["publish", "activate"]


def _seq() -> Any:
    return BigInteger().with_variant(Integer, "sqlite")


class RuleVersionRow(Base):
    """One published version of a round's rules."""

    __tablename__ = "rule_versions"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    round: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    files: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text)
    based_on: Mapped[str | None] = mapped_column(String(64), nullable=True)
    diff: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("round", "version", name="uq_rule_versions_round"),)


class RuleActivationRow(Base):
    """A version put in force (by publishing it or by a rollback / forward)."""

    __tablename__ = "rule_activations"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    round: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["round", "version"],
            ["rule_versions.round", "rule_versions.version"],
            name="fk_rule_activations_round_rule_versions",
        ),
    )


class RuleDraftRow(Base):
    """One save of a draft of the rules page."""

    __tablename__ = "rule_drafts"

    seq: Mapped[int] = mapped_column(_seq(), primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(64), index=True)
    round: Mapped[str] = mapped_column(String(64))
    based_on: Mapped[str | None] = mapped_column(String(64), nullable=True)
    files: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


VERSIONS = cast(Table, RuleVersionRow.__table__)
ACTIVATIONS = cast(Table, RuleActivationRow.__table__)
DRAFTS = cast(Table, RuleDraftRow.__table__)
RULE_TABLES = ("rule_versions", "rule_activations", "rule_drafts")


@dataclass(frozen=True)
class StoredVersion:
    """A published version as stored: files (relative path → text), digest, note, diff."""

    round: str
    version: str
    files: dict[str, str]
    digest: str
    note: str
    based_on: str | None
    diff: str
    draft_id: str | None
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class Activation:
    """A version put in force: which, by whom, when and why."""

    seq: int
    round: str
    version: str
    kind: ActivationKind
    note: str
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class StoredDraft:
    """The newest save of a draft."""

    seq: int
    draft_id: str
    round: str
    based_on: str | None
    files: dict[str, str]
    created_at: dt.datetime
    created_by: str | None
    published_as: str | None  # the version that published it; None while it is open


class VersionExists(Exception):
    """The round already has a version with this number (another writer was first)."""


class RuleVersionStore:
    """The append-only store of published rule versions, activations and drafts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer: serialise this process's writers (as api.store.cases does)
        self._lock = threading.Lock()

    # --- writing ----------------------------------------------------------------------

    def publish(self, versions: Sequence[StoredVersion], note: str) -> Activation:
        """Store new versions and activate the last, in one transaction; VersionExists on a clash.

        The first publish of a round stores the files' version before the new one, so the
        starting point stays in the history and a rollback can return to it.
        """
        last = versions[-1]
        with self._lock:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(VERSIONS), [_row(v) for v in versions])
                    return self._activate(
                        conn,
                        last.round,
                        last.version,
                        "publish",
                        note,
                        last.created_by,
                        last.created_at,
                    )
            except IntegrityError as exc:
                raise VersionExists(last.version) from exc
            except DBAPIError as exc:  # SQLite's insert trigger refuses a repeated key
                raise VersionExists(last.version) from exc

    def activate(
        self, round_id: str, version: str, note: str, who: str | None, now: dt.datetime
    ) -> Activation:
        """Put a stored version in force (a rollback or a roll forward)."""
        with self._lock, self.engine.begin() as conn:
            return self._activate(conn, round_id, version, "activate", note, who, now)

    def _activate(
        self,
        conn: Any,
        round_id: str,
        version: str,
        kind: ActivationKind,
        note: str,
        who: str | None,
        now: dt.datetime,
    ) -> Activation:
        seq = conn.execute(
            insert(ACTIVATIONS).returning(ACTIVATIONS.c.seq),
            {
                "round": round_id,
                "version": version,
                "kind": kind,
                "note": note,
                "created_at": now,
                "created_by": who,
            },
        ).scalar_one()
        return Activation(int(seq), round_id, version, kind, note, _utc(now), who)

    def save_draft(
        self,
        draft_id: str,
        round_id: str,
        based_on: str | None,
        files: Mapping[str, str],
        who: str | None,
        now: dt.datetime,
    ) -> StoredDraft:
        """Store a save of a draft (a new row; the newest per draft id wins)."""
        with self._lock, self.engine.begin() as conn:
            seq = conn.execute(
                insert(DRAFTS).returning(DRAFTS.c.seq),
                {
                    "draft_id": draft_id,
                    "round": round_id,
                    "based_on": based_on,
                    "files": json.dumps(dict(files), ensure_ascii=False),
                    "created_at": now,
                    "created_by": who,
                },
            ).scalar_one()
        return StoredDraft(
            int(seq), draft_id, round_id, based_on, dict(files), _utc(now), who, None
        )

    # --- reading ----------------------------------------------------------------------

    def versions(self, round_id: str) -> list[StoredVersion]:
        """Every published version of a round, oldest first."""
        q = select(VERSIONS).where(VERSIONS.c.round == round_id).order_by(VERSIONS.c.seq)
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(q)]

    def version(self, round_id: str, version: str) -> StoredVersion | None:
        """One published version, or None."""
        q = select(VERSIONS).where(VERSIONS.c.round == round_id, VERSIONS.c.version == version)
        with self.engine.connect() as conn:
            found = conn.execute(q).first()
        return _version(found) if found is not None else None

    def activations(self, round_id: str | None = None) -> list[Activation]:
        """The activations (of one round, or all), oldest first."""
        q = select(ACTIVATIONS).order_by(ACTIVATIONS.c.seq)
        if round_id is not None:
            q = q.where(ACTIVATIONS.c.round == round_id)
        with self.engine.connect() as conn:
            return [_activation(r) for r in conn.execute(q)]

    def in_force(self) -> dict[str, Activation]:
        """Round id → its newest activation (rounds with no version in the database are absent)."""
        return {a.round: a for a in self.activations()}

    def newest_activation(self) -> int:
        """The newest activation's number (0 when none): the cheap check of every instance."""
        with self.engine.connect() as conn:
            found = conn.execute(select(func.max(ACTIVATIONS.c.seq))).scalar_one()
        return int(found or 0)

    def draft(self, draft_id: str) -> StoredDraft | None:
        """The newest save of a draft, or None."""
        q = (
            select(DRAFTS)
            .where(DRAFTS.c.draft_id == draft_id)
            .order_by(DRAFTS.c.seq.desc())
            .limit(1)
        )
        done = select(VERSIONS.c.version).where(VERSIONS.c.draft_id == draft_id).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(q).first()
            published = conn.execute(done).scalar()
        if found is None:
            return None
        return _draft(found, published)

    def drafts(self, round_id: str) -> list[StoredDraft]:
        """The newest save of every draft of a round that is not yet published, newest first."""
        q = select(DRAFTS).where(DRAFTS.c.round == round_id).order_by(DRAFTS.c.seq.desc())
        done = select(VERSIONS.c.draft_id).where(
            VERSIONS.c.round == round_id, VERSIONS.c.draft_id.is_not(None)
        )
        with self.engine.connect() as conn:
            published = {str(d) for (d,) in conn.execute(done)}
            seen: dict[str, StoredDraft] = {}
            for r in conn.execute(q):
                if r.draft_id not in seen and r.draft_id not in published:
                    seen[r.draft_id] = _draft(r, None)
        return list(seen.values())


def _row(version: StoredVersion) -> dict[str, Any]:
    return {
        "round": version.round,
        "version": version.version,
        "files": json.dumps(version.files, ensure_ascii=False),
        "digest": version.digest,
        "note": version.note,
        "based_on": version.based_on,
        "diff": version.diff,
        "draft_id": version.draft_id,
        "created_at": version.created_at,
        "created_by": version.created_by,
    }


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _version(r: Any) -> StoredVersion:
    return StoredVersion(
        r.round,
        r.version,
        json.loads(r.files),
        r.digest,
        r.note,
        r.based_on,
        r.diff,
        r.draft_id,
        _utc(r.created_at),
        r.created_by,
    )


def _activation(r: Any) -> Activation:
    return Activation(
        int(r.seq), r.round, r.version, r.kind, r.note, _utc(r.created_at), r.created_by
    )


def _draft(r: Any, published: str | None) -> StoredDraft:
    return StoredDraft(
        int(r.seq),
        r.draft_id,
        r.round,
        r.based_on,
        json.loads(r.files),
        _utc(r.created_at),
        r.created_by,
        published,
    )
