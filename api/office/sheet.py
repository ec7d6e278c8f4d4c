"""Read the office's records from a spreadsheet (semicolon CSV or .xlsx); no database here.

One row per case or supervision. Columns (the header row names them; order free, case
ignored, other columns ignored):

- `Type`: `klagesak` (brought to the county governor under opplæringslova § 9 A-6),
  `sak` (another learning-environment case) or `tilsyn`;
- `Organisasjonsnummer` (the school or kindergarten) or `Kommunenummer` (the municipality
  as owner, for a supervision): exactly one of them on each row;
- `År` (or `Aar`): the year of the case or supervision;
- `Kompleks` (ja/nei) and `Måneder åpen` (or `MaanederAapen`): for cases, may be empty;
- `Avvik`: for a supervision, the deficiencies found, separated by commas: `praksis`,
  `rutiner`, `system`; empty when none was found;
- `Erstatter`: the id of an earlier row this row corrects (optional); `Trukket` (ja/nei):
  the earlier row was recorded by mistake and no longer counts;
- `Merknad`: a note (optional, at most MAX_RECORD_NOTE = 500 characters).

A file with any error is refused whole, every problem with its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from api.office.records import (
    KIND_CASE,
    KIND_SUPERVISION,
    MAX_RECORD_NOTE,
    SUBJECT_MUNICIPALITY,
    SUBJECT_UNIT,
    NewRecord,
)
from api.survey.parse import (
    MAX_ERRORS,
    InvalidSurveyFile,
    cell_text,
    municipality_number,
    optional_column,
    table_rows,
)
from engine.application import valid_org_number
from engine.diagnostics import Diagnostic, Location

TYPES = {
    "klagesak": (KIND_CASE, "complaint"),
    "sak": (KIND_CASE, "other"),
    "tilsyn": (KIND_SUPERVISION, None),
}
DEFICIENCIES = {"praksis": "practice", "rutiner": "routines", "system": "system"}
COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("Type",),
    "org": ("Organisasjonsnummer", "Orgnr"),
    "municipality": ("Kommunenummer", "Kommunekode"),
    "year": ("År", "Aar"),
    "complex": ("Kompleks",),
    "months": ("Måneder åpen", "MaanederAapen", "Maaneder aapen"),
    "deficiencies": ("Avvik",),
    "replaces": ("Erstatter",),
    "withdrawn": ("Trukket",),
    "note": ("Merknad",),
}
_REQUIRED = ("type", "year")
_YES, _NO = {"ja", "j", "true", "1"}, {"nei", "n", "false", "0", ""}


class InvalidRecordsFile(InvalidSurveyFile):
    """The records file has errors; nothing from it was added."""


class _Full(Exception):
    pass


def parse_records(stream: IO[bytes], file_name: str) -> list[NewRecord]:
    """The records of a spreadsheet; `InvalidRecordsFile` listing every problem with its line."""
    errors: list[Diagnostic] = []

    def error(code: str, message: str, line: int | None, column: str | None = None) -> None:
        errors.append(
            Diagnostic(
                code, message, Location(file=file_name, line=line), (column,) if column else ()
            )
        )
        if len(errors) >= MAX_ERRORS:
            raise _Full

    records: list[NewRecord] = []
    try:
        _read(table_rows(stream, file_name), records, error)
    except InvalidSurveyFile as exc:
        errors += exc.diagnostics
    except _Full:
        pass
    if not errors and not records:
        error("NO_RECORDS", "Filen har ingen saker eller tilsyn under overskriftsraden.", None)
    if errors:
        raise InvalidRecordsFile(errors)
    return records


def _read(rows: Iterator[tuple[int, Sequence[Any]]], out: list[NewRecord], error: Any) -> None:
    index: dict[str, int] | None = None
    for line, row in rows:
        cells = [cell_text(c).lstrip("\ufeff") for c in row]
        if not any(cells):
            continue
        if index is None:
            by_name: dict[str, list[int]] = {}
            for i, name in enumerate(cells):
                by_name.setdefault(name.casefold(), []).append(i)
            index = {key: optional_column(by_name, names) for key, names in COLUMNS.items()}
            for key in _REQUIRED:
                if index[key] < 0:
                    error(
                        "MISSING_COLUMN",
                        f"Kolonnen «{COLUMNS[key][0]}» mangler i overskriftsraden.",
                        line,
                        COLUMNS[key][0],
                    )
            if index["org"] < 0 and index["municipality"] < 0:
                error(
                    "MISSING_COLUMN",
                    "Filen må ha kolonnen «Organisasjonsnummer» eller «Kommunenummer».",
                    line,
                    "Organisasjonsnummer",
                )
            if any(index[k] < 0 for k in _REQUIRED) or (
                index["org"] < 0 and index["municipality"] < 0
            ):
                return
            continue
        record = _row(line, cells, index, error)
        if record is not None:
            out.append(record)
    if index is None:
        error("EMPTY_FILE", "Filen er tom: den har verken overskriftsrad eller data.", None)


def _row(line: int, cells: list[str], index: Mapping[str, int], error: Any) -> NewRecord | None:
    def cell(key: str) -> str:
        i = index[key]
        return cells[i] if 0 <= i < len(cells) else ""

    def column(key: str) -> str:
        return COLUMNS[key][0]

    failed = False

    def bad(code: str, message: str, key: str) -> None:
        nonlocal failed
        failed = True
        error(code, message, line, column(key))

    kind_text = cell("type").casefold()
    kind = TYPES.get(kind_text)
    if kind is None:
        bad(
            "BAD_VALUE",
            f"Typen må være klagesak, sak eller tilsyn, men er «{cell('type')}».",
            "type",
        )
    org, number = cell("org"), cell("municipality")
    subject, key = SUBJECT_UNIT, org
    if org and number:
        bad(
            "BAD_VALUE",
            "Oppgi enten organisasjonsnummer (enheten) eller kommunenummer (kommunen), ikke begge.",
            "org",
        )
    elif org:
        if not valid_org_number(org):
            bad(
                "BAD_ORG_NUMBER",
                f"Organisasjonsnummeret må ha ni sifre med riktig kontrollsiffer, men er «{org}».",
                "org",
            )
    else:
        subject = SUBJECT_MUNICIPALITY
        try:
            key = municipality_number(number) or ""
        except ValueError:
            key = ""
        if not key:
            bad(
                "BAD_MUNICIPALITY_NUMBER",
                "Raden må ha et organisasjonsnummer eller et kommunenummer med fire sifre, "
                f"men kommunenummeret er «{number}».",
                "municipality",
            )
        elif kind is not None and kind[0] == KIND_CASE:
            bad(
                "BAD_VALUE",
                "En sak gjelder en skole: oppgi skolens organisasjonsnummer.",
                "municipality",
            )
    year_text = cell("year")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    if year is None:
        bad(
            "BAD_YEAR",
            f"Året må være et årstall mellom 2000 og 2100, men er «{year_text}».",
            "year",
        )
    complex_ = _flag(cell("complex"))
    if complex_ is None:
        bad("BAD_VALUE", f"«Kompleks» må være ja eller nei, men er «{cell('complex')}».", "complex")
    months_text = cell("months")
    months = int(months_text) if months_text.isdigit() else None
    if months_text and months is None:
        bad("BAD_NUMBER", f"«Måneder åpen» må være et helt tall, men er «{months_text}».", "months")
    deficiencies: list[str] = []
    for part in (p.strip().casefold() for p in cell("deficiencies").split(",")):
        if not part:
            continue
        if part not in DEFICIENCIES:
            bad(
                "BAD_VALUE",
                f"Avvik må være praksis, rutiner eller system (med komma mellom), men er «{part}».",
                "deficiencies",
            )
        else:
            deficiencies.append(DEFICIENCIES[part])
    replaces_text = cell("replaces")
    replaces = int(replaces_text) if replaces_text.isdigit() else None
    if replaces_text and replaces is None:
        bad(
            "BAD_NUMBER",
            "«Erstatter» må være id-en til en tidligere rad (et helt tall), "
            f"men er «{replaces_text}».",
            "replaces",
        )
    withdrawn = _flag(cell("withdrawn"))
    if withdrawn is None:
        bad(
            "BAD_VALUE",
            f"«Trukket» må være ja eller nei, men er «{cell('withdrawn')}».",
            "withdrawn",
        )
    elif withdrawn and replaces is None:
        bad(
            "BAD_VALUE",
            "En rad som trekker en tidligere rad, må si hvilken i «Erstatter».",
            "withdrawn",
        )
    note = cell("note")
    if len(note) > MAX_RECORD_NOTE:
        bad(
            "BAD_VALUE",
            f"Merknaden kan være høyst {MAX_RECORD_NOTE} tegn, men har {len(note)}.",
            "note",
        )
    if failed or kind is None or year is None:
        return None
    is_case = kind[0] == KIND_CASE
    return NewRecord(
        kind=kind[0],
        subject=subject,
        key=key,
        year=year,
        case_kind=kind[1],
        complex=bool(complex_) if is_case else None,
        months_open=months if is_case else None,
        deficiencies=None if is_case else tuple(deficiencies),
        replaces=replaces,
        withdrawn=bool(withdrawn),
        note=note or None,
    )


def _flag(text: str) -> bool | None:
    folded = text.casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def record_from_fields(fields: Mapping[str, str]) -> tuple[NewRecord | None, list[Diagnostic]]:
    """One record from named fields (the web form: keys as in COLUMNS), checked as a row is."""
    errors: list[Diagnostic] = []

    def error(code: str, message: str, line: int | None, column: str | None = None) -> None:
        errors.append(Diagnostic(code, message, Location(line=line), (column,) if column else ()))

    keys = list(COLUMNS)
    cells = [fields.get(key, "").strip() for key in keys]
    record = _row(0, cells, {key: i for i, key in enumerate(keys)}, error)
    return record, errors
