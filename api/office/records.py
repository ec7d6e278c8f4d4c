"""The office's own records: stored cases and supervisions, append-only, and the lookup.

One row in `office_records` per case or supervision the office knows of, for a unit (org
number) or a municipality (kommunenummer), with who recorded it, when and from where (a
file name or the web page). Rows are never changed or deleted (database triggers refuse
it): a correction is a new row that names the row it replaces (`replaces`), and a row
withdrawn by mistake is replaced by a row with `withdrawn` set. The records in force are
the rows no later row replaces, minus the withdrawn ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.store.db import Base
from api.store.imported import note_imported
from engine.application import Case, Supervision
from engine.facts.core import RecordsSource, records_key

OSLO = ZoneInfo("Europe/Oslo")
KIND_CASE, KIND_SUPERVISION = "case", "supervision"
SUBJECT_UNIT, SUBJECT_MUNICIPALITY = "unit", "municipality"
_CHUNK = 500


MAX_RECORD_NOTE = 500  # characters of a record's note (the column, the sheet, the form)


class OfficeRecord(Base):
    """One case or supervision known to the office (append-only; corrections are new rows)."""

    __tablename__ = "office_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(9), index=True)
    year: Mapped[int] = mapped_column(Integer)
    case_kind: Mapped[str | None] = mapped_column(String(16))
    complex: Mapped[bool | None] = mapped_column(Boolean)
    months_open: Mapped[int | None] = mapped_column(Integer)
    deficiencies: Mapped[list[str] | None] = mapped_column(JSON)
    replaces: Mapped[int | None] = mapped_column(ForeignKey("office_records.id"))
    withdrawn: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(MAX_RECORD_NOTE))
    source: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))


@dataclass(frozen=True)
class NewRecord:
    """A record to add (from a spreadsheet row or the web form)."""

    kind: str
    subject: str
    key: str
    year: int
    case_kind: str | None = None
    complex: bool | None = None
    months_open: int | None = None
    deficiencies: tuple[str, ...] | None = None
    replaces: int | None = None
    withdrawn: bool = False
    note: str | None = None


class UnknownReplaced(ValueError):
    """A correction names a row that does not exist."""

    def __init__(self, ids: Sequence[int]) -> None:
        self.ids = list(ids)
        super().__init__(", ".join(map(str, ids)))


def add_records(
    engine: Engine,
    records: Sequence[NewRecord],
    *,
    source: str,
    recorded_by: str | None,
    now: dt.datetime | None = None,
) -> list[int]:
    """Add records in one transaction (all or none); their new ids."""
    moment = now or dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        wanted = sorted({r.replaces for r in records if r.replaces is not None})
        if wanted:
            found = set(session.scalars(select(OfficeRecord.id).where(OfficeRecord.id.in_(wanted))))
            missing = [i for i in wanted if i not in found]
            if missing:
                raise UnknownReplaced(missing)
        rows = [
            OfficeRecord(
                kind=r.kind,
                subject=r.subject,
                key=r.key,
                year=r.year,
                case_kind=r.case_kind,
                complex=r.complex,
                months_open=r.months_open,
                deficiencies=list(r.deficiencies) if r.deficiencies is not None else None,
                replaces=r.replaces,
                withdrawn=r.withdrawn,
                note=r.note,
                source=source[-255:],
                recorded_at=moment,
                recorded_by=recorded_by,
            )
            for r in records
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    if ids:  # committed: evaluations look the records up from now on
        note_imported(engine, records=True)
    return ids


# built once: the keys are bound at each call (an `in_(list)` built per request coerced every
# key again, a third of the lookup's cost on each evaluation)
_OF_KEYS = (
    select(OfficeRecord)
    .where(OfficeRecord.key.in_(bindparam("keys", expanding=True)))
    .order_by(OfficeRecord.id)
)


def current_records(engine: Engine, keys: Iterable[str] | None = None) -> list[OfficeRecord]:
    """The records in force (not replaced, not withdrawn), of these keys or of all."""
    with Session(engine) as session:
        query = select(OfficeRecord).order_by(OfficeRecord.id)
        rows: list[OfficeRecord] = []
        if keys is None:
            rows = list(session.scalars(query))
        else:
            wanted = sorted(set(keys))
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows += session.scalars(_OF_KEYS, {"keys": chunk})
        replaced_ids = {r.replaces for r in rows if r.replaces is not None}
        # a correction may sit under another key (the unit was wrong): look its target up too
        # (only when there is something it could replace: most evaluations find no records,
        # and this second query was then half the cost of the lookup on every request)
        if keys is not None and rows:
            replaced_ids |= set(
                session.scalars(
                    select(OfficeRecord.replaces).where(
                        OfficeRecord.replaces.in_([r.id for r in rows])
                    )
                )
            )
        session.expunge_all()
    return [r for r in rows if r.id not in replaced_ids and not r.withdrawn]


def _local_date(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(OSLO).date().isoformat()


def records_sources(rows: Iterable[OfficeRecord]) -> dict[str, RecordsSource]:
    """The records in force grouped per key as the engine takes them, with their source."""
    grouped: dict[str, list[OfficeRecord]] = {}
    for row in rows:
        grouped.setdefault(row.key, []).append(row)
    out = {}
    for key, held in grouped.items():
        cases = [
            Case.model_validate(
                {
                    "year": r.year,
                    "kind": r.case_kind or "other",
                    "complex": bool(r.complex),
                    "months_open": r.months_open,
                }
            )
            for r in held
            if r.kind == KIND_CASE
        ]
        supervisions = [
            Supervision.model_validate({"year": r.year, "deficiencies": r.deficiencies or []})
            for r in held
            if r.kind == KIND_SUPERVISION
        ]
        newest = max(held, key=lambda r: r.id)
        label = f"embetets egne opplysninger (sist registrert {_local_date(newest.recorded_at)})"
        out[key] = RecordsSource(cases or None, supervisions or None, label)
    return out


def records_lookup_for(engine: Engine, applications: Iterable[Any]) -> Mapping[str, RecordsSource]:
    """The office's records of every unit and municipality of the applications, by key."""
    keys = {
        records_key(subject)
        for app in applications
        for subject in (app.municipality, *app.schools, *app.kindergartens)
    }
    return records_sources(current_records(engine, keys)) if keys else {}
