"""Read Udir's Elevundersøkelsen export (semicolon CSV or .xlsx) into figures; no database here.

Utdanningsdirektoratet's statistics export has one row per unit (country, county,
school), school year and indicator. The columns read are `Skoleaarnavn` ("2019-20":
the survey ran in the autumn of 2019), `Organisasjonsnummer`, `EnhetNavn`,
`EnhetNivaa` (1 country, 2 county, 3 school), `Spoersmaalkode` (`EUIndeks_1398` is
"Mobbing på skolen"), `AndelMobbet` (percent, decimal comma) and `AntallBesvart`
(respondents, perhaps with a space as thousands separator); any other column is
ignored, and `*` marks a suppressed value. When the export has them, a school's
kommunenummer (`Kommunenummer` or `Kommunekode`, as Udir's exports vary) and
`Kommunenavn` are read too; without them the school register (api/survey/register.py)
tells where each school is.

Rows are streamed (the national file has about 112,000 rows); only the figures of the
wanted indicators are kept. A file with any error is refused whole: every problem
(up to `MAX_ERRORS`) becomes a `Diagnostic` with the file name and line, raised
together as `InvalidSurveyFile`.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from api.survey.xlsx import (
    MAX_COLUMNS,
    MAX_ROWS,
    ParseError,
    XlsxError,
    XlsxTooLarge,
    sheet_rows,
)
from engine.application import first_control_character, valid_org_number
from engine.diagnostics import Diagnostic, DiagnosticError, Location
from engine.messages import control_character_name, shown_text
from engine.text import format_number

BULLYING_INDICATOR = "EUIndeks_1398"
INDICATOR_NAMES = {BULLYING_INDICATOR: "Mobbing på skolen"}
MAX_ERRORS = 50
# more pupils than any school, county or the whole country has: a figure above it is a
# mistake (and 2**64 does not fit the database's integer column)
MAX_RESPONDENTS = 10_000_000
LEVEL_COUNTRY, LEVEL_COUNTY, LEVEL_SCHOOL = 1, 2, 3

# The columns read, each with what it holds (for messages about a missing column).
COLUMNS: dict[str, str] = {
    "Skoleaarnavn": "skoleåret, f.eks. 2019-20",
    "Organisasjonsnummer": "organisasjonsnummeret",
    "EnhetNavn": "navnet på skolen",
    "EnhetNivaa": "nivået: 1 land, 2 fylke, 3 skole",
    "Spoersmaalkode": "indikatoren, f.eks. EUIndeks_1398",
    "AndelMobbet": "andelen mobbede elever i prosent",
    "AntallBesvart": "antall elever som svarte",
}
_YEAR, _ORG, _NAME, _LEVEL, _INDICATOR, _PERCENT, _RESPONDENTS = COLUMNS
# Optional columns: a school's municipality. Each entry is the accepted spellings, first
# found wins; a file without them leaves the municipality to the school register.
MUNICIPALITY_NUMBER_COLUMNS = ("Kommunenummer", "Kommunekode")
MUNICIPALITY_NAME_COLUMNS = ("Kommunenavn",)
_MUNICIPALITY_NUMBER = re.compile(r"\d{3,4}")

ProgressFn = Callable[[int, int | None], None]
_PROGRESS_EVERY = 4096
_SUPPRESSED = "*"
_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})")
_PERCENT_TEXT = re.compile(r"\d{1,3}(?:[.,]\d+)?")
_COUNT_TEXT = re.compile(r"\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f")
_XLSX_MAGIC = b"PK\x03\x04"


class InvalidSurveyFile(DiagnosticError):
    """The survey file has errors; nothing from it was imported."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure from the file: a unit's share of pupils bullied in one survey year."""

    level: int
    org_number: str
    name: str
    year: int
    indicator: str
    percent: float | None
    respondents: int | None
    suppressed: bool
    line: int
    municipality_number: str | None = None
    municipality_name: str | None = None


@dataclass
class ParsedSurvey:
    """What a valid file holds: school and national figures, counts, and its checksum."""

    file_name: str
    sha256: str
    size: int
    schools: list[Figure] = field(default_factory=list)
    national: list[Figure] = field(default_factory=list)
    rows_read: int = 0
    skipped: int = 0
    county_rows: int = 0
    municipality_columns: bool = False  # the export names each school's municipality

    @property
    def suppressed(self) -> int:
        """School figures marked `*` (stored as suppressed, so the year counts as unknown)."""
        return sum(f.suppressed for f in self.schools)


class _Stop(Exception):
    """The file cannot be read any further (bad encoding, not a spreadsheet …)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


def parse_survey_file(
    path: str, *, progress: ProgressFn | None = None, name: str | None = None
) -> ParsedSurvey:
    """Parse an export file on disk (CSV or .xlsx, told apart by content)."""
    with open(path, "rb") as stream:
        return parse_survey(stream, name or path, progress=progress)


def parse_survey(
    stream: IO[bytes],
    file_name: str,
    *,
    indicators: Iterable[str] = (BULLYING_INDICATOR,),
    progress: ProgressFn | None = None,
) -> ParsedSurvey:
    """Parse an export from a seekable binary stream; raise `InvalidSurveyFile` on any error."""
    stream.seek(0)
    digest, size = _checksum(stream)
    stream.seek(0)
    is_xlsx = stream.read(len(_XLSX_MAGIC)) == _XLSX_MAGIC
    stream.seek(0)
    parsed = ParsedSurvey(file_name=file_name, sha256=digest, size=size)
    reader = _Reader(parsed, frozenset(indicators), is_xlsx)
    rows = _xlsx_rows(stream, file_name, progress) if is_xlsx else _csv_rows(stream, size, progress)
    try:
        reader.read(rows)
    except _Stop as stop:
        reader.errors.append(stop.diagnostic)
    if not reader.errors and not parsed.schools and not parsed.national:
        wanted = ", ".join(sorted(reader.indicators))
        reader.errors.append(
            Diagnostic(
                "NO_FIGURES",
                f"Filen har ingen rader for indikatoren {wanted} "
                f"({INDICATOR_NAMES.get(BULLYING_INDICATOR)}). Er det riktig uttrekk fra "
                "Elevundersøkelsen?",
                Location(file=file_name),
            )
        )
    if reader.errors:
        raise InvalidSurveyFile(reader.errors)
    return parsed


def national_average_warnings(
    national: Iterable[Figure], averages: Mapping[int, float], ruleset_id: str = ""
) -> list[str]:
    """Warnings (Norwegian) where the file's national figure differs from the ruleset's average."""
    out = []
    where = f"regelsettet {ruleset_id}" if ruleset_id else "regelsettet"
    for figure in sorted(national, key=lambda f: f.year):
        if figure.indicator != BULLYING_INDICATOR or figure.percent is None:
            continue
        average = averages.get(figure.year)
        if average is None:
            continue
        # Udir publishes one decimal; compare on that, exactly.
        if _one_decimal(figure.percent) != _one_decimal(average):
            out.append(
                f"Landssnittet for «Mobbing på skolen» {figure.year} er "
                f"{format_number(figure.percent)} % i filen (linje {figure.line}), men "
                f"{where} bruker {format_number(average)} % (survey.national_average). "
                "Terskelen i K1 bygger på regelsettets tall; kontroller hvilket som er riktig."
            )
    return out


def _one_decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


def file_checksum(stream: IO[bytes]) -> str:
    """The sha256 of a seekable binary stream's content (read from the start, rewound after)."""
    stream.seek(0)
    digest, _ = _checksum(stream)
    stream.seek(0)
    return digest


def _checksum(stream: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


# --- reading rows ---------------------------------------------------------------------


def _csv_rows(
    stream: IO[bytes], size: int, progress: ProgressFn | None
) -> Iterator[tuple[int, Sequence[Any]]]:
    """(line, fields) per record; lines are decoded one by one so a bad byte has its line."""
    state = {"line": 0, "bytes": 0}

    def lines() -> Iterator[str]:
        for raw in stream:
            state["line"] += 1
            state["bytes"] += len(raw)
            if state["line"] == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Stop(
                    Diagnostic(
                        "BAD_ENCODING",
                        "Linjen er ikke gyldig UTF-8. Lagre filen som «CSV UTF-8 "
                        "(kommadelt)» med semikolon som skilletegn, og prøv igjen.",
                        Location(line=state["line"]),
                    )
                ) from None

    reader = csv.reader(lines(), delimiter=";")
    start = 1
    try:
        for record in reader:
            yield start, record
            start = state["line"] + 1
            if progress is not None and reader.line_num % _PROGRESS_EVERY == 0:
                progress(state["bytes"], size)
    except csv.Error as exc:
        raise _Stop(
            Diagnostic(
                "BAD_CSV",
                f"Linjen kan ikke leses som CSV ({exc}). Sjekk anførselstegnene.",
                Location(line=state["line"]),
            )
        ) from None
    if progress is not None:
        progress(size, size)


def _xlsx_rows(
    stream: IO[bytes], file_name: str, progress: ProgressFn | None
) -> Iterator[tuple[int, Sequence[Any]]]:
    """(row number, cell values) of the workbook's first sheet, streamed."""
    try:
        yield from sheet_rows(stream, progress, _PROGRESS_EVERY)
    except XlsxTooLarge as exc:
        raise _Stop(
            Diagnostic(
                "TOO_LARGE",
                f"Regnearket «{shown_text(file_name)}» er for stort til å leses: {exc}. Et "
                f"regneark fra Elevundersøkelsen kan ha høyst {_ROWS_TEXT} rader og "
                f"{MAX_COLUMNS} kolonner. Er det riktig fil?",
                Location(file=file_name),
            )
        ) from None
    except (zipfile.BadZipFile, XlsxError, ParseError, EOFError, OSError) as exc:
        why = f" ({exc})" if isinstance(exc, XlsxError) else ""  # the others speak English
        raise _Stop(
            Diagnostic(
                "BAD_FORMAT",
                f"Filen ser ut som et regneark, men kan ikke leses som .xlsx{why}. Lagre "
                "den på nytt som Excel-arbeidsbok (.xlsx) eller som CSV UTF-8 med semikolon.",
                Location(file=file_name),
            )
        ) from None


_ROWS_TEXT = f"{MAX_ROWS:,}".replace(",", "\u00a0")  # 1 000 000, as Norwegian writes it


# --- the rows themselves --------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Reader:
    """Validates rows and keeps the wanted figures; collects errors up to MAX_ERRORS."""

    def __init__(self, parsed: ParsedSurvey, indicators: frozenset[str], is_xlsx: bool) -> None:
        self.parsed = parsed
        self.indicators = indicators
        self.errors: list[Diagnostic] = []
        self.row_word = "Rad" if is_xlsx else "Linje"
        self.is_xlsx = is_xlsx
        self.seen: dict[tuple[int, str, int, str], int] = {}
        self.i_municipality = -1
        self.i_municipality_name = -1
        self.municipality_of: dict[str, tuple[str | None, int]] = {}

    def error(self, code: str, message: str, line: int | None, column: str | None = None) -> None:
        if len(self.errors) >= MAX_ERRORS:
            raise _Stop(
                Diagnostic(
                    "TOO_MANY_ERRORS",
                    f"Lesingen stoppet etter {MAX_ERRORS} feil. Rett feilene over og prøv igjen.",
                    Location(file=self.parsed.file_name, line=line),
                )
            )
        loc: tuple[str | int, ...] = (column,) if column else ()
        self.errors.append(
            Diagnostic(code, message, Location(file=self.parsed.file_name, line=line), loc)
        )

    def read(self, rows: Iterator[tuple[int, Sequence[Any]]]) -> None:
        try:
            index, width = self._header(rows)
            for line, row in rows:
                self._row(line, row, index, width)
        except _Stop as stop:
            d = stop.diagnostic
            if d.location.file is None:
                d = Diagnostic(
                    d.code, d.message, Location(self.parsed.file_name, d.location.line), d.loc
                )
            raise _Stop(d) from None

    def _header(self, rows: Iterator[tuple[int, Sequence[Any]]]) -> tuple[list[int], int]:
        for line, row in rows:
            names = [_text(cell).lstrip("\ufeff") for cell in row]
            if not any(names):
                continue
            return self._columns(line, names), len(names)
        raise _Stop(
            Diagnostic(
                "EMPTY_FILE",
                "Filen er tom: den har verken overskriftsrad eller data.",
                Location(file=self.parsed.file_name),
            )
        )

    def _columns(self, line: int, names: list[str]) -> list[int]:
        by_name: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            by_name.setdefault(name.casefold(), []).append(i)
        index = []
        for column, meaning in COLUMNS.items():
            found = by_name.get(column.casefold(), [])
            if len(found) > 1:
                self.error(
                    "DUPLICATE_COLUMN",
                    f"Kolonnen «{column}» står {len(found)} ganger i overskriftsraden "
                    f"(kolonne {', '.join(str(i + 1) for i in found)}).",
                    line,
                    column,
                )
            elif not found:
                self.error("MISSING_COLUMN", self._missing(column, meaning, names), line, column)
            index.append(found[0] if found else -1)
        if self.errors:
            raise InvalidSurveyFile(self.errors)
        self.i_municipality = optional_column(by_name, MUNICIPALITY_NUMBER_COLUMNS)
        self.i_municipality_name = optional_column(by_name, MUNICIPALITY_NAME_COLUMNS)
        self.parsed.municipality_columns = self.i_municipality >= 0
        return index

    @staticmethod
    def _missing(column: str, meaning: str, names: list[str]) -> str:
        msg = f"Kolonnen «{column}» ({meaning}) mangler i overskriftsraden."
        close = difflib.get_close_matches(column, [n for n in names if n], n=1, cutoff=0.7)
        if close:
            msg += f" Mente du «{close[0]}»?"
        elif len(names) == 1 and ("," in names[0] or "\t" in names[0]):
            msg += (
                " Filen ser ut til å bruke komma eller tabulator; skilletegnet skal være semikolon."
            )
        return msg

    def _row(self, line: int, row: Sequence[Any], index: list[int], width: int) -> None:
        if self.is_xlsx and len(row) < width:
            row = [*row, *[None] * (width - len(row))]  # a sheet leaves trailing empty cells out
        if len(row) != width:
            if not any(_text(cell) for cell in row):
                return  # a blank line
            if len(row) <= max(index) or any(_text(cell) for cell in row[width:]):
                self.error(
                    "BAD_ROW",
                    f"{self.row_word}n har {len(row)} felt, men overskriftsraden har {width}. "
                    "Et semikolon i et navn må stå i anførselstegn.",
                    line,
                )
                return
        i_year, i_org, i_name, i_level, i_ind, i_pct, i_resp = index
        indicator = _text(row[i_ind])
        if not indicator and not any(_text(cell) for cell in row):
            return  # a blank line
        parsed = self.parsed
        parsed.rows_read += 1
        if indicator not in self.indicators:
            parsed.skipped += 1
            return
        errors_before = len(self.errors)
        year = self._year(line, row[i_year])
        level = self._level(line, row[i_level])
        percent, suppressed = self._percent(line, row[i_pct])
        respondents = self._respondents(line, row[i_resp])
        org = _text(row[i_org])
        municipality: str | None = None
        if level == LEVEL_SCHOOL and not valid_org_number(org):
            self._bad_org(line, org)
        elif level == LEVEL_SCHOOL and self.i_municipality >= 0:
            municipality = self._municipality(line, org, row[self.i_municipality])
        name = _text(row[i_name])
        if level == LEVEL_SCHOOL:
            self._check_name(line, name)
        if len(self.errors) > errors_before or year is None or level is None:
            return
        if level == LEVEL_COUNTY:
            parsed.county_rows += 1
            return
        key = (level, org if level == LEVEL_SCHOOL else "", year, indicator)
        first = self.seen.setdefault(key, line)
        if first != line:
            unit = f"Skolen {org}" if level == LEVEL_SCHOOL else "Landet"
            self.error(
                "DUPLICATE_ROW",
                f"{unit} har to rader for skoleåret {year}-{(year + 1) % 100:02d} og "
                f"indikatoren {indicator} ({self.row_word.lower()} {first} og {line}).",
                line,
            )
            return
        figure = Figure(
            level=level,
            org_number=org if level == LEVEL_SCHOOL else "",
            name=name,
            year=year,
            indicator=indicator,
            percent=percent,
            respondents=respondents,
            suppressed=suppressed,
            line=line,
            municipality_number=municipality,
            municipality_name=(
                _text(row[self.i_municipality_name]) or None
                if municipality and self.i_municipality_name >= 0
                else None
            ),
        )
        (parsed.schools if level == LEVEL_SCHOOL else parsed.national).append(figure)

    def _year(self, line: int, value: Any) -> int | None:
        text = _text(value)
        match = _SCHOOL_YEAR.fullmatch(text)
        if match:
            first, second = int(match[1]), int(match[2])
            if second % 100 == (first + 1) % 100 and 2000 <= first <= 2100:
                return first
        self.error(
            "BAD_YEAR",
            f"Skoleåret må skrives som f.eks. 2019-20 (høsten 2019), med år mellom 2000 og "
            f"2100, men er «{text}».",
            line,
            _YEAR,
        )
        return None

    def _level(self, line: int, value: Any) -> int | None:
        text = _text(value)
        if text in ("1", "2", "3"):
            return int(text)
        self.error(
            "BAD_LEVEL",
            f"Nivået må være 1 (landet), 2 (fylket) eller 3 (skolen), men er «{text}».",
            line,
            _LEVEL,
        )
        return None

    def _percent(self, line: int, value: Any) -> tuple[float | None, bool]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = round(float(value), 4)
        else:
            text = _text(value)
            if text == _SUPPRESSED:
                return None, True
            if not text:
                return None, False
            if not _PERCENT_TEXT.fullmatch(text):
                self.error(
                    "BAD_NUMBER",
                    f"Andelen mobbede må være et tall med desimalkomma (f.eks. 7,3) eller * "
                    f"(skjermet), men er «{text}».",
                    line,
                    _PERCENT,
                )
                return None, False
            number = float(text.replace(",", "."))
        if not 0 <= number <= 100:
            self.error(
                "OUT_OF_RANGE",
                f"Andelen mobbede må være mellom 0 og 100 prosent, men er {format_number(number)}.",
                line,
                _PERCENT,
            )
            return None, False
        return number, False

    def _respondents(self, line: int, value: Any) -> int | None:
        count: int | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value >= 0 and math.isfinite(value) and float(value).is_integer():
                count = int(value)
            text = format_number(value) if math.isfinite(value) else str(value)
        else:
            text = _text(value)
            if text in ("", _SUPPRESSED):
                return None
            digits = text.translate(_THOUSANDS)
            if len(digits) <= 20 and _COUNT_TEXT.fullmatch(text):
                count = int(digits)
            elif digits.isascii() and digits.isdigit():
                count = MAX_RESPONDENTS + 1  # too many digits to be a count
        if count is not None and count <= MAX_RESPONDENTS:
            return count
        if count is not None:
            self.error(
                "OUT_OF_RANGE",
                f"Antall som svarte må være høyst {format_number(MAX_RESPONDENTS)}, men er "
                f"«{shown_text(text, 30)}».",
                line,
                _RESPONDENTS,
            )
            return None
        self.error(
            "BAD_NUMBER",
            f"Antall som svarte må være et helt tall (f.eks. 1 234) eller * (skjermet), "
            f"men er «{text}».",
            line,
            _RESPONDENTS,
        )
        return None

    def _check_name(self, line: int, name: str) -> None:
        # the same rule as a name in an application (CONTRACT section 1); a NUL would also
        # make PostgreSQL refuse the whole import
        found = first_control_character(name)
        if found is not None:
            position, codepoint = found
            self.error(
                "NAME_CONTROL_CHARACTER",
                f"Skolenavnet «{shown_text(name)}» har et kontrolltegn som tegn nr. {position} "
                f"(U+{codepoint}, {control_character_name(codepoint)}). Et navn skal stå på én "
                "linje, uten linjeskift, tabulator eller andre kontrolltegn.",
                line,
                _NAME,
            )

    def _municipality(self, line: int, org: str, value: Any) -> str | None:
        """The school's kommunenummer (None when blank), the same on each of its rows."""
        column = MUNICIPALITY_NUMBER_COLUMNS[0]
        try:
            number = municipality_number(value)
        except ValueError:
            self.error(
                "BAD_MUNICIPALITY_NUMBER",
                f"Kommunenummeret må ha fire sifre (f.eks. 5001), men er «{_text(value)}».",
                line,
                column,
            )
            return None
        first = self.municipality_of.setdefault(org, (number, line))
        if first[0] != number:
            self.error(
                "MUNICIPALITY_CHANGES",
                f"Skolen {org} står i kommune {first[0] or '(tom)'} på {self.row_word.lower()} "
                f"{first[1]}, men i kommune {number or '(tom)'} her.",
                line,
                column,
            )
        return number

    def _bad_org(self, line: int, org: str) -> None:
        if re.fullmatch(r"[0-9]{9}", org):
            message = f"Organisasjonsnummeret {org} har feil kontrollsiffer, så det er ikke gyldig."
        else:
            message = (
                f"Organisasjonsnummeret til en skole (nivå 3) må ha nøyaktig ni sifre, "
                f"men er «{org}»."
            )
        self.error("BAD_ORG_NUMBER", message, line, _ORG)


# --- shared with the school register (api/survey/register.py) -------------------------


def optional_column(by_name: Mapping[str, list[int]], spellings: Sequence[str]) -> int:
    """The index of the first of these spellings in the header (casefolded), or -1."""
    for spelling in spellings:
        found = by_name.get(spelling.casefold())
        if found:
            return found[0]
    return -1


def municipality_number(value: Any) -> str | None:
    """A kommunenummer cell as four digits, None when blank; ValueError when it is not one.

    A spreadsheet that stored the number as a number drops Oslo's leading zero (301),
    so three digits get it back.
    """
    text = _text(value)
    if not text:
        return None
    if not _MUNICIPALITY_NUMBER.fullmatch(text):
        raise ValueError(text)
    return text.zfill(4)


def cell_text(value: Any) -> str:
    """A cell as trimmed text (whole floats without «.0», None as empty)."""
    return _text(value)


def table_rows(
    stream: IO[bytes], file_name: str, progress: ProgressFn | None = None
) -> Iterator[tuple[int, Sequence[Any]]]:
    """(line, cells) of a semicolon CSV or an .xlsx; `InvalidSurveyFile` when unreadable."""
    stream.seek(0)
    is_xlsx = stream.read(len(_XLSX_MAGIC)) == _XLSX_MAGIC
    stream.seek(0)
    if is_xlsx:
        rows = _xlsx_rows(stream, file_name, progress)
    else:
        size = stream.seek(0, 2)
        stream.seek(0)
        rows = _csv_rows(stream, size, progress)
    try:
        yield from rows
    except _Stop as stop:
        d = stop.diagnostic
        raise InvalidSurveyFile(
            [Diagnostic(d.code, d.message, Location(file_name, d.location.line), d.loc)]
        ) from None
