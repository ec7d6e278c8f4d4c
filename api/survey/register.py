"""Read a school register file (Nasjonalt skoleregister, NSR) as CSV or .xlsx; no database here.

The register says where each school is when Elevundersøkelsen's export does not: one row
per school with `Organisasjonsnummer`, `Navn`, `Kommunenummer` (or `Kommunekode`),
optionally `Kommunenavn`, whether it is active (`ErAktiv` or `Aktiv`) and whether it is
public (`ErOffentligSkole` / `Offentlig`) or private (`ErPrivatskole` / `Privat`). Yes/no
cells may be `Ja`/`Nei`, `J`/`N`, `true`/`false` or `1`/`0`. Any other column is ignored.
A file with any error is refused whole, every problem with its line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from api.survey.parse import (
    MAX_ERRORS,
    MUNICIPALITY_NAME_COLUMNS,
    MUNICIPALITY_NUMBER_COLUMNS,
    InvalidSurveyFile,
    cell_text,
    municipality_number,
    optional_column,
    table_rows,
)
from engine.application import valid_org_number
from engine.diagnostics import Diagnostic, Location

# Each column the register file is read by: its accepted spellings and what it holds.
ORG_COLUMNS = ("Organisasjonsnummer", "Orgnr", "OrgNr")
NAME_COLUMNS = ("Navn", "Skolenavn", "EnhetNavn")
ACTIVE_COLUMNS = ("ErAktiv", "Aktiv")
PUBLIC_COLUMNS = ("ErOffentligSkole", "Offentlig")
PRIVATE_COLUMNS = ("ErPrivatskole", "Privat")
_REQUIRED: tuple[tuple[tuple[str, ...], str], ...] = (
    (ORG_COLUMNS, "organisasjonsnummeret"),
    (NAME_COLUMNS, "navnet på skolen"),
    (MUNICIPALITY_NUMBER_COLUMNS, "kommunenummeret"),
    (ACTIVE_COLUMNS, "om skolen er aktiv"),
)
_YES = {"ja", "j", "true", "sann", "1", "yes", "y"}
_NO = {"nei", "n", "false", "usann", "0", "no"}


class InvalidRegisterFile(InvalidSurveyFile):
    """The school register file has errors; nothing from it was imported."""


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One school in the register: where it is, whether it is active, and who owns it."""

    org_number: str
    name: str
    municipality_number: str
    municipality_name: str | None
    active: bool
    private: bool | None
    line: int


@dataclass
class ParsedRegister:
    """What a valid register file holds, with its checksum."""

    file_name: str
    sha256: str
    entries: list[RegisterEntry] = field(default_factory=list)


def parse_register(stream: IO[bytes], file_name: str) -> ParsedRegister:
    """Parse a register file from a seekable binary stream; `InvalidRegisterFile` on any error."""
    stream.seek(0)
    digest = hashlib.sha256(stream.read()).hexdigest()
    parsed = ParsedRegister(file_name, digest)
    reader = _Reader(file_name)
    try:
        reader.read(table_rows(stream, file_name), parsed)
    except InvalidSurveyFile as exc:
        reader.errors += exc.diagnostics
    except _Full:
        pass
    if not reader.errors and not parsed.entries:
        reader.errors.append(
            Diagnostic(
                "NO_SCHOOLS",
                "Filen har ingen skoler under overskriftsraden.",
                Location(file=file_name),
            )
        )
    if reader.errors:
        raise InvalidRegisterFile(reader.errors)
    return parsed


class _Full(Exception):
    """MAX_ERRORS reached: reading stops."""


def _yes_no(value: Any) -> bool | None | str:
    text = cell_text(value).casefold()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    return cell_text(value)


class _Reader:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.errors: list[Diagnostic] = []

    def error(self, code: str, message: str, line: int | None, column: str | None = None) -> None:
        self.errors.append(
            Diagnostic(
                code,
                message,
                Location(file=self.file_name, line=line),
                (column,) if column else (),
            )
        )
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(
                Diagnostic(
                    "TOO_MANY_ERRORS",
                    f"Lesingen stoppet etter {MAX_ERRORS} feil. Rett feilene over og prøv igjen.",
                    Location(file=self.file_name, line=line),
                )
            )
            raise _Full

    def read(self, rows: Iterator[tuple[int, Sequence[Any]]], parsed: ParsedRegister) -> None:
        index: dict[str, int] | None = None
        seen: dict[str, int] = {}
        for line, row in rows:
            cells = [cell_text(c).lstrip("\ufeff") for c in row]
            if not any(cells):
                continue
            if index is None:
                index = self._header(line, cells)
                if index is None:
                    return
                continue
            entry = self._row(line, cells, index)
            if entry is None:
                continue
            first = seen.setdefault(entry.org_number, line)
            if first != line:
                self.error(
                    "DUPLICATE_ROW",
                    f"Skolen {entry.org_number} står to ganger i filen (linje {first} og {line}).",
                    line,
                    ORG_COLUMNS[0],
                )
                continue
            parsed.entries.append(entry)
        if index is None:
            self.error(
                "EMPTY_FILE", "Filen er tom: den har verken overskriftsrad eller data.", None
            )

    def _header(self, line: int, names: list[str]) -> dict[str, int] | None:
        by_name: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            by_name.setdefault(name.casefold(), []).append(i)
        index: dict[str, int] = {}
        for spellings, meaning in _REQUIRED:
            found = optional_column(by_name, spellings)
            if found < 0:
                also = " eller ".join(f"«{s}»" for s in spellings[1:])
                self.error(
                    "MISSING_COLUMN",
                    f"Kolonnen «{spellings[0]}» ({meaning}) mangler i overskriftsraden."
                    + (f" Den kan også hete {also}." if also else ""),
                    line,
                    spellings[0],
                )
            index[spellings[0]] = found
        index["name"] = optional_column(by_name, MUNICIPALITY_NAME_COLUMNS)
        index["public"] = optional_column(by_name, PUBLIC_COLUMNS)
        index["private"] = optional_column(by_name, PRIVATE_COLUMNS)
        if any(i < 0 for key, i in index.items() if key not in ("name", "public", "private")):
            return None
        return index

    def _row(self, line: int, cells: list[str], index: Mapping[str, int]) -> RegisterEntry | None:
        def cell(key: str) -> str:
            i = index[key]
            return cells[i] if 0 <= i < len(cells) else ""

        before = len(self.errors)
        org = cell(ORG_COLUMNS[0])
        if not valid_org_number(org):
            self.error(
                "BAD_ORG_NUMBER",
                f"Organisasjonsnummeret må ha ni sifre med riktig kontrollsiffer, men er «{org}».",
                line,
                ORG_COLUMNS[0],
            )
        name = cell(NAME_COLUMNS[0])
        if not name:
            self.error("MISSING_VALUE", "Skolen mangler navn.", line, NAME_COLUMNS[0])
        try:
            number = municipality_number(cell(MUNICIPALITY_NUMBER_COLUMNS[0]))
        except ValueError:
            number = None
        if number is None:
            self.error(
                "BAD_MUNICIPALITY_NUMBER",
                "Kommunenummeret må ha fire sifre (f.eks. 5001), men er "
                f"«{cell(MUNICIPALITY_NUMBER_COLUMNS[0])}».",
                line,
                MUNICIPALITY_NUMBER_COLUMNS[0],
            )
        active = self._flag(line, cell(ACTIVE_COLUMNS[0]), ACTIVE_COLUMNS[0], required=True)
        private: bool | None = None
        if index["private"] >= 0:
            private = self._flag(line, cell("private"), PRIVATE_COLUMNS[0])
        elif index["public"] >= 0:
            public = self._flag(line, cell("public"), PUBLIC_COLUMNS[0])
            private = None if public is None else not public
        if len(self.errors) > before or number is None or active is None:
            return None
        return RegisterEntry(
            org_number=org,
            name=name,
            municipality_number=number,
            municipality_name=cell("name") or None,
            active=active,
            private=private,
            line=line,
        )

    def _flag(self, line: int, text: str, column: str, *, required: bool = False) -> bool | None:
        value = _yes_no(text)
        if isinstance(value, bool):
            return value
        if value is None and not required:
            return None
        self.error(
            "BAD_VALUE",
            f"Kolonnen «{column}» må være Ja eller Nei, men er «{text}».",
            line,
            column,
        )
        return None
