"""Where each school is: kommunenummer and name from the survey export or the school register.

Rows in `school_register` are only ever added (database triggers refuse UPDATE and DELETE):
a survey import whose export names the municipality adds a `survey` row for each school
whose place is new or changed, a register import (NSR) adds a `register` row likewise. A
school's place is its newest `survey` row that names a municipality, else its newest
`register` row; whether it is active and private comes from the newest `register` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Boolean, DateTime, Engine, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.store.db import Base
from api.survey.parse import ParsedSurvey
from api.survey.register import ParsedRegister

SOURCE_SURVEY, SOURCE_REGISTER = "survey", "register"
_CHUNK = 5000


class SchoolEntry(Base):
    """One statement of where a school is, from one imported file (append-only)."""

    __tablename__ = "school_register"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_number: Mapped[str] = mapped_column(String(9), index=True)
    name: Mapped[str] = mapped_column(String(255))
    municipality_number: Mapped[str | None] = mapped_column(String(4))
    municipality_name: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool | None] = mapped_column(Boolean)
    private: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))


@dataclass(frozen=True)
class SchoolPlace:
    """A school's municipality (None when no file named it) and its register status."""

    org_number: str
    name: str
    municipality_number: str | None
    municipality_name: str | None
    active: bool | None
    private: bool | None
    source: str | None


@dataclass(frozen=True)
class RegisterReport:
    """What a register import did."""

    file_name: str
    already_imported: bool
    schools: int
    added: int
    inactive: int

    def lines(self) -> list[str]:
        """The report in Norwegian, for the command line."""
        if self.already_imported:
            return [f"{self.file_name}: filen er allerede importert. Ingenting ble endret."]
        return [
            f"{self.file_name}: skoleregisteret er importert.",
            f"  Skoler i filen: {self.schools} (av dem ikke aktive: {self.inactive})",
            f"  Nye eller endrede opplysninger: {self.added}",
        ]


Key = tuple[str, str | None, str | None, bool | None, bool | None]


def _latest(session: Session, source: str) -> dict[str, Key]:
    rows = session.execute(
        select(
            SchoolEntry.org_number,
            SchoolEntry.name,
            SchoolEntry.municipality_number,
            SchoolEntry.municipality_name,
            SchoolEntry.active,
            SchoolEntry.private,
        )
        .where(SchoolEntry.source == source)
        .order_by(SchoolEntry.id)
    )
    return {
        org: (name, number, mname, active, private)
        for org, name, number, mname, active, private in rows
    }


def _append(
    session: Session,
    source: str,
    entries: Iterable[tuple[str, Key]],
    file_name: str,
    sha256: str,
    by: str | None,
    now: dt.datetime,
) -> int:
    latest = _latest(session, source)
    new = [
        {
            "org_number": org,
            "name": key[0][:255],
            "municipality_number": key[1],
            "municipality_name": key[2][:255] if key[2] else None,
            "active": key[3],
            "private": key[4],
            "source": source,
            "file_name": file_name[-255:],
            "sha256": sha256,
            "recorded_at": now,
            "recorded_by": by,
        }
        for org, key in entries
        if latest.get(org) != key
    ]
    for start in range(0, len(new), _CHUNK):
        session.execute(insert(SchoolEntry), new[start : start + _CHUNK])
    return len(new)


def record_survey_places(
    session: Session, parsed: ParsedSurvey, by: str | None, now: dt.datetime
) -> int:
    """In the survey import's transaction: each school's place as the export names it."""
    if not parsed.municipality_columns:
        return 0
    places: dict[str, Key] = {}
    for f in parsed.schools:
        if f.municipality_number is not None:
            places[f.org_number] = (f.name, f.municipality_number, f.municipality_name, None, None)
    return _append(session, SOURCE_SURVEY, places.items(), parsed.file_name, parsed.sha256, by, now)


def import_register(
    engine: Engine,
    parsed: ParsedRegister,
    *,
    imported_by: str | None = None,
    now: dt.datetime | None = None,
) -> RegisterReport:
    """Store a parsed register file in one transaction; the same file again changes nothing."""
    with Session(engine) as session, session.begin():
        earlier = session.scalar(
            select(SchoolEntry.id).where(
                SchoolEntry.sha256 == parsed.sha256, SchoolEntry.source == SOURCE_REGISTER
            )
        )
        inactive = sum(not e.active for e in parsed.entries)
        if earlier is not None:
            return RegisterReport(parsed.file_name, True, len(parsed.entries), 0, inactive)
        entries = [
            (
                e.org_number,
                (e.name, e.municipality_number, e.municipality_name, e.active, e.private),
            )
            for e in parsed.entries
        ]
        added = _append(
            session,
            SOURCE_REGISTER,
            entries,
            parsed.file_name,
            parsed.sha256,
            imported_by,
            now or dt.datetime.now(dt.UTC),
        )
        if added == 0:
            # Nothing new, but the file is recorded so that the same file again is known.
            first = parsed.entries[0]
            session.add(
                SchoolEntry(
                    org_number=first.org_number,
                    name=first.name[:255],
                    municipality_number=first.municipality_number,
                    municipality_name=first.municipality_name,
                    active=first.active,
                    private=first.private,
                    source=SOURCE_REGISTER,
                    file_name=parsed.file_name[-255:],
                    sha256=parsed.sha256,
                    recorded_at=now or dt.datetime.now(dt.UTC),
                    recorded_by=imported_by,
                )
            )
        return RegisterReport(parsed.file_name, False, len(parsed.entries), added, inactive)


def school_places(engine: Engine) -> dict[str, SchoolPlace]:
    """Every school's place, by org number (the export first, else the register)."""
    with Session(engine) as session:
        survey = _latest_with_municipality(session)
        register = _latest(session, SOURCE_REGISTER)
    out: dict[str, SchoolPlace] = {}
    for org in survey.keys() | register.keys():
        from_survey, from_register = survey.get(org), register.get(org)
        chosen = from_survey or from_register
        assert chosen is not None
        out[org] = SchoolPlace(
            org_number=org,
            name=chosen[0],
            municipality_number=chosen[1],
            municipality_name=chosen[2] or (from_register[2] if from_register else None),
            active=from_register[3] if from_register else None,
            private=from_register[4] if from_register else None,
            source=SOURCE_SURVEY if from_survey else SOURCE_REGISTER,
        )
    return out


def _latest_with_municipality(session: Session) -> dict[str, Key]:
    return {org: key for org, key in _latest(session, SOURCE_SURVEY).items() if key[1]}
