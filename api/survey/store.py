"""Stored Elevundersøkelsen figures: tables, all-or-nothing import, and the lookup decisions use.

One row per imported file in `survey_imports` (file name, sha256, time, counts, the national
figures found and the warnings given), and in `survey_figure_versions` one row per (org
number, indicator, survey year) and import that brought a new or changed figure. Both are
append-only (migration 0009): the figure in use is the newest import's row, and an earlier
one stays, so what an older evaluation read can still be seen. Importing a file whose
checksum is already recorded changes nothing; a newer file supersedes the figures it holds
and leaves the others alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.store.db import Base
from api.store.imported import note_imported
from api.survey.parse import (
    BULLYING_INDICATOR,
    INDICATOR_NAMES,
    ParsedSurvey,
    national_average_warnings,
)
from api.survey.schools import record_survey_places
from engine.application import Survey
from engine.facts.core import RecordsSource, SurveySource
from engine.text import format_number, join_list

OSLO = ZoneInfo("Europe/Oslo")
_CHUNK = 500  # rows per IN-list / executemany batch (SQLite allows 32,766 parameters)


class SurveyImport(Base):
    """One imported export file: what it was, when, by whom, and what it held."""

    __tablename__ = "survey_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str | None] = mapped_column(String(100))
    rows_read: Mapped[int] = mapped_column(Integer)
    imported: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    county_rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    national: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)


class SurveyFigure(Base):
    """A school's figure for one survey year and indicator as one import gave it."""

    __tablename__ = "survey_figure_versions"
    __table_args__ = (
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent"),
        CheckConstraint("respondents IS NULL OR respondents >= 0", name="respondents"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
    )

    org_number: Mapped[str] = mapped_column(String(9), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("survey_imports.id"), primary_key=True, index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    percent: Mapped[float | None] = mapped_column(Float)
    respondents: Mapped[int | None] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean)


_FIGURE_KEY = (SurveyFigure.org_number, SurveyFigure.indicator, SurveyFigure.year)


def _newest_first(query: Any) -> Any:
    """`query` ordered so that each figure's newest import comes first within its key."""
    return query.order_by(*_FIGURE_KEY, SurveyFigure.import_id.desc())


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the counts, new/changed figures, national figures, warnings."""

    import_id: int
    file_name: str
    sha256: str
    imported_at: dt.datetime
    already_imported: bool
    rows_read: int
    imported: int
    suppressed: int
    skipped: int
    county_rows: int
    inserted: int
    updated: int
    national: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        """Figures in the file that were already stored with the same values."""
        return 0 if self.already_imported else self.imported - self.inserted - self.updated

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the body of `POST /v1/survey-imports`)."""
        out = asdict(self)
        out["imported_at"] = self.imported_at.isoformat()
        out["unchanged"] = self.unchanged
        return out

    def lines(self) -> list[str]:
        """The report in Norwegian, one line per fact, for the command line."""
        when = _local_date(self.imported_at)
        if self.already_imported:
            head = (
                f"{self.file_name}: filen er allerede importert {when} (import {self.import_id}, "
                "samme sjekksum). Ingenting ble endret."
            )
            return [head]
        out = [
            f"{self.file_name}: importert {when} (import {self.import_id}).",
            f"  Rader lest: {self.rows_read}",
            f"  Skoletall importert: {self.imported} (nye {self.inserted}, endret "
            f"{self.updated}, uendret {self.unchanged}), av dem skjermet (*): {self.suppressed}",
            f"  Hoppet over (andre indikatorer): {self.skipped}",
            f"  Fylkesrader (ikke lagret): {self.county_rows}",
            f"  Landstall funnet: {len(self.national)}"
            + (f" ({_national_list(self.national)})" if self.national else ""),
        ]
        out += [f"  Advarsel: {w}" for w in self.warnings]
        return out


def _national_list(national: Sequence[Mapping[str, Any]]) -> str:
    return join_list(
        f"{n['year']}: {'skjermet' if n['percent'] is None else format_number(n['percent']) + ' %'}"
        for n in national
    )


def _local_date(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(OSLO).date().isoformat()


def source_label(file_name: str, imported_at: dt.datetime) -> str:
    """The source named in K1: `Elevundersøkelsen, import 2020-01-15 av fil …`."""
    return f"Elevundersøkelsen, import {_local_date(imported_at)} av fil {file_name}"


# --- import ---------------------------------------------------------------------------


def import_survey(
    engine: Engine,
    parsed: ParsedSurvey,
    *,
    national_averages: Mapping[str, Mapping[int, float]] | None = None,
    imported_by: str | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Store a parsed file in one transaction; a file already imported changes nothing.

    `national_averages` maps ruleset id to its survey.national_average; each national
    figure in the file that differs from a ruleset's average gives a warning.
    """
    warnings = [
        warning
        for ruleset_id, averages in (national_averages or {}).items()
        for warning in national_average_warnings(parsed.national, averages, ruleset_id)
    ]
    try:
        report = _import_once(engine, parsed, warnings, imported_by, now)
    except IntegrityError:
        # Another import of the same file (unique sha256) or of the same new figures
        # committed first; ours was rolled back whole. Once more sees their result.
        report = _import_once(engine, parsed, warnings, imported_by, now)
    if report.imported:  # evaluations look the figures up from now on
        note_imported(engine, figures=True)
    return report


def _import_once(
    engine: Engine,
    parsed: ParsedSurvey,
    warnings: list[str],
    imported_by: str | None,
    now: dt.datetime | None,
) -> ImportReport:
    with Session(engine) as session, session.begin():
        earlier = session.scalars(
            select(SurveyImport).where(SurveyImport.sha256 == parsed.sha256)
        ).first()
        if earlier is not None:
            return _report(earlier, already_imported=True)
        national = [
            {
                "year": f.year,
                "indicator": f.indicator,
                "percent": f.percent,
                "respondents": f.respondents,
                "suppressed": f.suppressed,
            }
            for f in sorted(parsed.national, key=lambda f: (f.indicator, f.year))
        ]
        new, changed = _figure_changes(session, parsed)
        record = SurveyImport(
            file_name=parsed.file_name[-255:],
            sha256=parsed.sha256,
            size_bytes=parsed.size,
            imported_at=now or dt.datetime.now(dt.UTC),
            imported_by=imported_by,
            rows_read=parsed.rows_read,
            imported=len(parsed.schools),
            suppressed=parsed.suppressed,
            skipped=parsed.skipped,
            county_rows=parsed.county_rows,
            inserted=len(new),
            updated=len(changed),
            national=national,
            warnings=warnings,
        )
        # the counts are known before the import row is written: it is never changed after
        session.add(record)
        session.flush()
        _write_figures(session, new, changed, record.id)
        record_survey_places(session, parsed, imported_by, record.imported_at)
        return _report(record, already_imported=False)


def _figure_changes(
    session: Session, parsed: ParsedSurvey
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The file's figures that are new and those whose stored values differ."""
    existing: dict[tuple[str, int, str], tuple[Any, ...]] = {}
    keys = [(f.org_number, f.year, f.indicator) for f in parsed.schools]
    key_columns = tuple_(SurveyFigure.org_number, SurveyFigure.year, SurveyFigure.indicator)
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            _newest_first(
                select(
                    SurveyFigure.org_number,
                    SurveyFigure.year,
                    SurveyFigure.indicator,
                    SurveyFigure.name,
                    SurveyFigure.percent,
                    SurveyFigure.respondents,
                    SurveyFigure.suppressed,
                ).where(key_columns.in_(keys[start : start + _CHUNK]))
            )
        )
        for org, year, indicator, *stored in rows:
            existing.setdefault((org, year, indicator), tuple(stored))
    new, changed = [], []
    for f in parsed.schools:
        values = (f.name[:255], f.percent, f.respondents, f.suppressed)
        row = {
            "org_number": f.org_number,
            "year": f.year,
            "indicator": f.indicator,
            "name": values[0],
            "percent": f.percent,
            "respondents": f.respondents,
            "suppressed": f.suppressed,
        }
        old = existing.get((f.org_number, f.year, f.indicator))
        if old is None:
            new.append(row)
        elif old != values:
            changed.append(row)
    return new, changed


def _write_figures(
    session: Session,
    new: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    import_id: int,
) -> None:
    """Insert new and changed figures as rows of this import (the older rows stay)."""
    rows = [{**row, "import_id": import_id} for row in (*new, *changed)]
    for start in range(0, len(rows), _CHUNK * 10):
        session.execute(insert(SurveyFigure), rows[start : start + _CHUNK * 10])


def _report(record: SurveyImport, *, already_imported: bool) -> ImportReport:
    return ImportReport(
        import_id=record.id,
        file_name=record.file_name,
        sha256=record.sha256,
        imported_at=_aware(record.imported_at),
        already_imported=already_imported,
        rows_read=record.rows_read,
        imported=record.imported,
        suppressed=record.suppressed,
        skipped=record.skipped,
        county_rows=record.county_rows,
        inserted=0 if already_imported else record.inserted,
        updated=0 if already_imported else record.updated,
        national=list(record.national),
        warnings=list(record.warnings),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFigure:
    """A stored figure with the import it came from (what `GET …/survey` returns)."""

    org_number: str
    name: str
    year: int
    indicator: str
    percent: float | None
    respondents: int | None
    suppressed: bool
    import_id: int
    file_name: str
    imported_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "year": self.year,
            "indicator": self.indicator,
            "indicator_name": INDICATOR_NAMES.get(self.indicator, self.indicator),
            "percent": self.percent,
            "respondents": self.respondents,
            "suppressed": self.suppressed,
            "source": {
                "import_id": self.import_id,
                "file_name": self.file_name,
                "imported_at": self.imported_at.isoformat(),
                "label": source_label(self.file_name, self.imported_at),
            },
        }


def stored_figures(
    engine: Engine, org_numbers: Iterable[str], indicator: str | None = BULLYING_INDICATOR
) -> dict[str, list[StoredFigure]]:
    """The stored figures of these schools (one indicator, or all when None), by year."""
    wanted = sorted(set(org_numbers))
    out: dict[str, list[StoredFigure]] = {}
    with Session(engine) as session:
        for start in range(0, len(wanted), _CHUNK):
            query = (
                select(SurveyFigure, SurveyImport.file_name, SurveyImport.imported_at)
                .join(SurveyImport, SurveyFigure.import_id == SurveyImport.id)
                .where(SurveyFigure.org_number.in_(wanted[start : start + _CHUNK]))
            )
            if indicator is not None:
                query = query.where(SurveyFigure.indicator == indicator)
            seen: set[tuple[str, str, int]] = set()
            for figure, file_name, imported_at in session.execute(_newest_first(query)):
                key = (figure.org_number, figure.indicator, figure.year)
                if key in seen:  # an older import's figure, superseded
                    continue
                seen.add(key)
                out.setdefault(figure.org_number, []).append(
                    StoredFigure(
                        org_number=figure.org_number,
                        name=figure.name,
                        year=figure.year,
                        indicator=figure.indicator,
                        percent=figure.percent,
                        respondents=figure.respondents,
                        suppressed=figure.suppressed,
                        import_id=figure.import_id,
                        file_name=file_name,
                        imported_at=_aware(imported_at),
                    )
                )
    return out


def find_import(engine: Engine, sha256: str) -> ImportReport | None:
    """The earlier import of a file with this checksum, reported as `already_imported`."""
    with Session(engine) as session:
        record = session.scalars(select(SurveyImport).where(SurveyImport.sha256 == sha256)).first()
        return _report(record, already_imported=True) if record is not None else None


def get_import(engine: Engine, import_id: int) -> ImportReport | None:
    """One import by its id."""
    with Session(engine) as session:
        record = session.get(SurveyImport, import_id)
        return _report(record, already_imported=False) if record is not None else None


def list_imports(engine: Engine, limit: int = 100) -> list[ImportReport]:
    """The most recent imports, newest first."""
    with Session(engine) as session:
        records = session.scalars(
            select(SurveyImport).order_by(SurveyImport.id.desc()).limit(limit)
        ).all()
        return [_report(r, already_imported=False) for r in records]


def figure_count(engine: Engine) -> int:
    """How many school figures are in use (all indicators; superseded ones not counted)."""
    in_use = select(*_FIGURE_KEY).distinct().subquery()
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(in_use)) or 0)


# --- the lookup decisions use -----------------------------------------------------------


@dataclass(frozen=True)
class SurveyLookup:
    """A survey lookup for `engine.evaluate`: figures fetched beforehand, keyed by org number.

    Plain data, so it can travel to an evaluation worker process with the application.
    """

    sources: Mapping[str, SurveySource] = field(default_factory=dict)
    records: Mapping[str, RecordsSource] = field(default_factory=dict)

    def __call__(self, org_number: str) -> SurveySource | None:
        """The imported figures of a school, or None when none were imported."""
        return self.sources.get(org_number)

    def record(self, key: str) -> RecordsSource | None:
        """The office's own records of a unit (org number) or municipality (kommunenummer)."""
        return self.records.get(key)


def survey_lookup_for(engine: Engine, applications: Iterable[Any]) -> SurveyLookup:
    """The imported figures of every school that has no `bullying` in the applications.

    `api.evaluation.survey_lookup` adds the office's own records (`records`) to it.
    """
    apps = list(applications)
    wanted = {
        school.org_number
        for application in apps
        for school in application.schools
        if school.bullying is None
    }
    sources = (
        {org: survey_source(figures) for org, figures in stored_figures(engine, wanted).items()}
        if wanted
        else {}
    )
    return SurveyLookup(sources)


def survey_source(figures: Sequence[StoredFigure]) -> SurveySource:
    """The figures as the engine takes them, labelled with the import(s) they came from."""
    surveys = [
        Survey(
            year=f.year,
            percent=f.percent,
            respondents=f.respondents,
            suppressed=f.suppressed,
        )
        for f in figures
    ]
    imports: dict[int, StoredFigure] = {}
    for f in sorted(figures, key=lambda f: (f.imported_at, f.import_id)):
        imports.setdefault(f.import_id, f)
    first, *rest = imports.values()
    label = source_label(first.file_name, first.imported_at)
    if rest:  # figures from several files: name each import once
        label += "".join(
            f"{', ' if i < len(rest) - 1 else ' og '}import {_local_date(f.imported_at)} "
            f"av fil {f.file_name}"
            for i, f in enumerate(rest)
        )
    return SurveySource(surveys, label)


def surveyed_schools(engine: Engine, indicator: str = BULLYING_INDICATOR) -> dict[str, str]:
    """Every school with a stored figure for the indicator: org number → its newest name."""
    with Session(engine) as session:
        rows = session.execute(
            select(SurveyFigure.org_number, SurveyFigure.name)
            .where(SurveyFigure.indicator == indicator)
            .order_by(SurveyFigure.org_number, SurveyFigure.year, SurveyFigure.import_id)
        )
        return {org: name for org, name in rows}
