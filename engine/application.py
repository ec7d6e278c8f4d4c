"""The application (søknad) of CONTRACT section 1: its schema, and loading and validating it.

The schema carries what messages call each field (`title`), examples and formats;
engine.messages words the problems from it. Bad input is refused whole: every problem
becomes a `Diagnostic` (data path, stable code, Norwegian message, and file position when
the text was YAML or JSON) and they are raised together as `InvalidApplication`. Nothing
half-valid leaves this module.
"""

# pydantic models: no postponed annotations (docs/ARCHITECTURE.md, «Start-up»)

import os
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from engine.characters import surrogate_problems
from engine.diagnostics import Diagnostic, InvalidApplication, Location, format_loc
from engine.messages import (
    APPLICATION,
    diagnostic,
    did_you_mean,
    positioned,
    shown_text,
    translate,
)
from engine.yamlpos import Path, Positioned, YamlProblem, load_lazily, loads_json_strict

__all__ = [
    "Application",
    "Case",
    "Kindergarten",
    "Municipality",
    "Owner",
    "Participants",
    "School",
    "Supervision",
    "Survey",
    "load_application_file",
    "check_round",
    "load_application_text",
    "parse_application",
    "valid_org_number",
]

# --- organisation numbers -------------------------------------------------------------

# Brønnøysundregistrene: modulus 11 with the weights 3, 2, 7, 6, 5, 4, 3, 2 on the first
# eight digits (valid_org_number).
_ORG_FORMAT = re.compile(r"[0-9]{9}")


def valid_org_number(s: str) -> bool:
    """True when `s` is nine digits whose last digit is the correct mod-11 check digit."""
    if not isinstance(s, str) or not _ORG_FORMAT.fullmatch(s):
        return False
    # ASCII digits: each byte is 48 + the digit, and the weights sum to 32 (written out: a
    # generator over the digits was most of validating a unit)
    d = s.encode()
    weighted = 3 * d[0] + 2 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7]
    remainder = (weighted - 48 * 32) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == d[8] - 48


def _check_org_number(value: str) -> str:
    if valid_org_number(value):
        return value
    if not _ORG_FORMAT.fullmatch(value):
        raise PydanticCustomError(
            "org_number",
            "Organisasjonsnummeret må ha nøyaktig ni sifre, men er «{value}».",
            {"value": value, "reason": "format"},
        )
    raise PydanticCustomError(
        "org_number",
        "Organisasjonsnummeret {value} har feil kontrollsiffer.",
        {"value": value, "reason": "check"},
    )


# --- dates ----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# CONTRACT section 1: years outside 2000–2100 are refused, `received` included.
YEAR_MIN, YEAR_MAX = 2000, 2100


def _to_date(value: Any) -> Any:
    # YAML gives a date object, JSON an ISO string; anything else (a timestamp with a
    # clock time, a number, a free-form text) is refused rather than guessed at.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return _in_year_range(value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            reason = "nonexistent"
        else:
            return _in_year_range(parsed)
    elif isinstance(value, datetime) or (
        isinstance(value, str) and _ISO_DATE.match(value) and value[10:11] in ("T", " ")
    ):
        reason = "datetime"
    elif isinstance(value, str):
        reason = "format"
    else:
        reason = "type"
    raise PydanticCustomError(
        "bad_date",
        "Datoen må skrives ÅÅÅÅ-MM-DD (f.eks. 2020-01-15), men er {value}.",
        {"value": str(value), "reason": reason},
    )


def _in_year_range(value: date | None) -> date | None:
    if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
        # an out-of-range year is OUT_OF_RANGE, as for every `year` field
        raise PydanticCustomError(
            "date_out_of_range",
            "Året i datoen {value} må være mellom {ge} og {le}.",
            {"value": value.isoformat(), "ge": YEAR_MIN, "le": YEAR_MAX},
        )
    return value


# --- names ----------------------------------------------------------------------------

NAME_MAX = 200  # CONTRACT section 1: names are 1–200 characters
# Cc: C0/C1 controls (newline, tab, NUL, DEL …); Zl/Zp: the line and paragraph separators


# The same rule as a regular expression, for query parameters (api/http): no C0/C1 control,
# no line or paragraph separator. Unicode's category Cc is exactly U+0000-001F and
# U+007F-009F, Zl is U+2028 and Zp U+2029 (tests/engine/test_application.py checks every
# code point against unicodedata).
_CONTROL_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
NO_CONTROL_CHARACTERS = f"^[^{_CONTROL_CLASS}]*$"
_CONTROL_CHARACTER = re.compile(f"[{_CONTROL_CLASS}]")
APPLICATION_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


def first_control_character(value: str) -> tuple[int, str] | None:
    """The position (from 1) and code point (`0000`) of the first control character, if any.

    The one test of CONTRACT section 1's "holds control characters", for every free text:
    names in an application, its round, school names in a survey import.
    """
    found = _CONTROL_CHARACTER.search(value)
    return None if found is None else (found.start() + 1, f"{ord(found[0]):04X}")


def _check_name(value: str) -> str:
    if len(value) > NAME_MAX:
        raise PydanticCustomError(
            "bad_name",
            "Navnet kan være høyst {max_length} tegn, men har {length}.",
            {"reason": "long", "max_length": NAME_MAX, "length": len(value)},
        )
    found = first_control_character(value)
    if found is not None:
        raise PydanticCustomError(
            "bad_name",
            "Navnet har et kontrolltegn (U+{codepoint}) som tegn nr. {position}.",
            {"reason": "control", "codepoint": found[1], "position": found[0]},
        )
    return value


def _check_text(value: str) -> str:
    found = first_control_character(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "Teksten har et kontrolltegn (U+{codepoint}) som tegn nr. {position}.",
            {"codepoint": found[1], "position": found[0]},
        )
    return value


# --- field types ----------------------------------------------------------------------
# A `title` is what messages call a field (engine.messages); `examples` give the hint for a
# number typed without quotes; `description` says what a pattern allows.

OrgNumber = Annotated[
    StrictStr,
    AfterValidator(_check_org_number),
    Field(title="Organisasjonsnummeret", examples=["974760673"]),
]
Year = Annotated[StrictInt, Field(ge=2000, le=2100, title="Året")]
Count = Annotated[StrictInt, Field(ge=0)]
Percent = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]
# every free text of an application refuses control characters (a NUL would reach the log)
_NonBlank = Annotated[StrictStr, Field(pattern=r"\S")]
Text = Annotated[_NonBlank, AfterValidator(_check_text)]
# maxLength is published (OpenAPI) but checked by _check_name, for its own code and message
Name = Annotated[
    _NonBlank,
    AfterValidator(_check_name),
    Field(title="Navnet", json_schema_extra={"maxLength": NAME_MAX}),
]
CountyNumber = Annotated[
    StrictStr, Field(pattern=r"^[0-9]{2}$", title="Fylkesnummeret", examples=["50"])
]
MunicipalityNumber = Annotated[
    StrictStr, Field(pattern=r"^[0-9]{4}$", title="Kommunenummeret", examples=["5001"])
]
ApplicationId = Annotated[
    StrictStr,
    Field(
        pattern=APPLICATION_ID_PATTERN,
        title="Id-en",
        description="1–64 tegn og kan bare inneholde bokstavene A–Z og a–z, sifre og tegnene . _ -",
    ),
]
Deficiency = Annotated[Literal["practice", "routines", "system"], Field(title="Avviket")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Survey(_Model):
    """One Elevundersøkelsen figure: share of pupils bullied 2–3 times a month or more."""

    model_config = ConfigDict(title="Mobbetallet")

    year: Year
    percent: Percent | None = Field(None, title="Prosentandelen")
    respondents: Count | None = Field(None, title="Antall svar")
    suppressed: StrictBool = False


class Case(_Model):
    """A learning-environment case about a school known to the office (no personal data)."""

    model_config = ConfigDict(title="Saken")

    year: Year
    kind: Literal["complaint", "other"] = Field(title="Sakstypen")
    complex: StrictBool = False
    months_open: Count | None = Field(None, title="Antall måneder saken har vært åpen")


class Supervision(_Model):
    """A tilsyn and the deficiencies it found (empty list = none found)."""

    model_config = ConfigDict(title="Tilsynet")

    year: Year
    deficiencies: list[Deficiency] = Field(title="Avvikene")


Supervisions = Annotated[list[Supervision] | None, Field(title="Tilsynene")]


class Owner(_Model):
    """The owner of a school or kindergarten that is not the municipality itself."""

    name: Name
    org_number: OrgNumber | None = None
    private: StrictBool
    participates: StrictBool | None = None


MaybeOwner = Annotated[Owner | None, Field(title="Eieren")]


class School(_Model):
    """A school in the application, with the data criteria K1–K4 read."""

    model_config = ConfigDict(title="Skolen")

    org_number: OrgNumber
    name: Name
    motivated: StrictBool | None = None
    owner: MaybeOwner = None
    bullying: list[Survey] | None = Field(None, title="Mobbetallene")
    cases: list[Case] | None = Field(None, title="Sakene")
    supervision: Supervisions = None


class Kindergarten(_Model):
    """A kindergarten in the application, with the data criteria K3–K5 read."""

    model_config = ConfigDict(title="Barnehagen")

    org_number: OrgNumber
    name: Name
    motivated: StrictBool | None = None
    owner: MaybeOwner = None
    supervision: Supervisions = None
    feeds_schools: list[OrgNumber] | None = None
    known_challenges: StrictBool | None = None


class Municipality(_Model):
    """The applying municipality (kommune)."""

    number: MunicipalityNumber
    name: Name
    motivated: StrictBool | None = None
    supervision: Supervisions = None


class Participants(_Model):
    """K6: whether school owner, kindergarten owner and PPT have committed (null = unknown)."""

    school_owner: StrictBool | None = None
    kindergarten_owner: StrictBool | None = None
    ppt: StrictBool | None = None


class Application(_Model):
    """One application (søknad) as CONTRACT section 1 defines it."""

    id: ApplicationId | None = None
    round: Text = Field(title="Runden")
    county: CountyNumber
    received: Annotated[date | None, BeforeValidator(_to_date)] = Field(None, title="Mottaksdatoen")
    municipality: Municipality = Field(title="Kommunen")
    participants: Participants = Field(default_factory=Participants, title="Deltakerne")
    schools: list[School] = Field(default_factory=list, title="Skolene")
    kindergartens: list[Kindergarten] = Field(default_factory=list, title="Barnehagene")

    @model_validator(mode="after")
    def _consistent(self) -> "Application":
        # parse_application finds every such problem on the raw data; this guards direct use.
        # The common case, checked on the model itself: dumping it for the checks below was a
        # tenth of validating an application.
        if self.municipality.number[:2] == self.county and all(
            len({row.year for row in school.bullying}) == len(school.bullying)
            for school in self.schools
            if school.bullying
        ):
            return self
        data = self.model_dump()
        problems = _municipality_problems(data) + _survey_year_problems(data)
        if problems:
            first = problems[0]
            raise diagnostic(first.code, first.message, loc=first.loc)
        return self

    @model_validator(mode="after")
    def _org_numbers_unique(self) -> "Application":
        # parse_application finds every clash on the raw data; this guards direct use.
        pairs = [(("schools", i, "org_number"), s.org_number) for i, s in enumerate(self.schools)]
        pairs += [
            (("kindergartens", i, "org_number"), k.org_number)
            for i, k in enumerate(self.kindergartens)
        ]
        for path, org, first in _org_number_clashes(pairs):
            raise diagnostic("DUPLICATE_ORG_NUMBER", _duplicate_message(org, first), loc=path)
        return self


def _org_number_clashes(pairs: Iterable[tuple[Path, str]]) -> list[tuple[Path, str, Path]]:
    seen: dict[str, Path] = {}
    clashes: list[tuple[Path, str, Path]] = []
    for path, org in pairs:
        if org in seen:
            clashes.append((path, org, seen[org]))
        else:
            seen[org] = path
    return clashes


# --- public functions -----------------------------------------------------------------


def parse_application(
    raw: Any,
    *,
    source: Positioned | None = None,
    rounds: Mapping[str, Collection[str]] | None = None,
) -> Application:
    """Validate plain data as an Application; raise InvalidApplication listing every problem."""
    problems = surrogate_problems(raw)
    if problems:  # other messages would repeat the character, which cannot be written out
        raise InvalidApplication(positioned(problems, source) if source else problems)
    try:
        app = Application.model_validate(raw)
    except ValidationError as exc:
        app = None
        problems += translate(exc.errors(), raw, Application, APPLICATION)
    if isinstance(raw, Mapping):
        problems += _duplicate_problems(raw)
        problems += _survey_year_problems(raw)
        problems += _municipality_problems(raw)
        if rounds is not None:
            problems += _round_problems(raw, rounds)
    if any(p.code == "UNKNOWN_COUNTY" for p in problems):
        # a county the rules do not know is the problem; its kommunenummer follows from it
        problems = [p for p in problems if p.code != "MUNICIPALITY_NOT_IN_COUNTY"]
    problems = _unique(problems)
    if source is not None:
        problems = positioned(problems, source)
        problems.sort(key=_position_key)
    if problems or app is None:
        raise InvalidApplication(problems)
    return app


def load_application_text(
    text: str,
    *,
    file: str | None = None,
    rounds: Mapping[str, Collection[str]] | None = None,
) -> Application:
    """Parse YAML or JSON text and validate it; raise InvalidApplication with positions."""
    source = _load_text(text, file)
    return parse_application(source.data, source=source, rounds=rounds)


def load_application_file(
    path: str | os.PathLike[str],
    *,
    rounds: Mapping[str, Collection[str]] | None = None,
) -> Application:
    """Read a UTF-8 YAML or JSON file (BOM allowed) and validate it as an application."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidApplication(
            [
                Diagnostic(
                    "UNREADABLE_FILE", f"Kan ikke lese filen «{name}»: {reason}.", Location(name)
                )
            ]
        ) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = (
            f"Filen «{name}» er ikke gyldig UTF-8 (feil ved byte {exc.start}). "
            "Lagre den som UTF-8 og prøv igjen."
        )
        raise InvalidApplication([Diagnostic("UNREADABLE_FILE", msg, Location(name))]) from None
    return load_application_text(text, file=name, rounds=rounds)


# --- loading text ---------------------------------------------------------------------


def _load_text(text: str, file: str | None) -> Positioned:
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith(("{", "[")):
        # JSON read as YAML 1.1 differs at the edges (tab indentation is refused, `1e5` is
        # text), so JSON-looking input takes its values from the json module; the positions
        # are read from the text only for a message about a problem
        try:
            data = loads_json_strict(text)
        except (ValueError, RecursionError):
            # a syntax error or duplicate key: the YAML reader reports it with its line
            pass
        else:
            return Positioned(data, None, file, text=text)
    try:
        return load_lazily(text, file)
    except YamlProblem as problem:
        raise InvalidApplication(problem.diagnostics) from None


# --- checks beyond one field ----------------------------------------------------------


def _duplicate_problems(raw: Mapping[str, Any]) -> list[Diagnostic]:
    pairs: list[tuple[Path, str]] = []
    for section in ("schools", "kindergartens"):
        units = raw.get(section)
        if not isinstance(units, list):
            continue
        for i, unit in enumerate(units):
            if isinstance(unit, Mapping) and isinstance(unit.get("org_number"), str):
                pairs.append(((section, i, "org_number"), unit["org_number"]))
    return [
        Diagnostic("DUPLICATE_ORG_NUMBER", _duplicate_message(org, first), loc=path)
        for path, org, first in _org_number_clashes(pairs)
    ]


def _survey_year_problems(raw: Mapping[str, Any]) -> list[Diagnostic]:
    """DUPLICATE_YEAR for each survey row whose year an earlier row of the school has."""
    out: list[Diagnostic] = []
    schools = raw.get("schools")
    for i, school in enumerate(schools if isinstance(schools, list) else []):
        rows = school.get("bullying") if isinstance(school, Mapping) else None
        if not isinstance(rows, list):
            continue
        seen: dict[int, int] = {}
        for j, row in enumerate(rows):
            year = row.get("year") if isinstance(row, Mapping) else None
            if not isinstance(year, int) or isinstance(year, bool):
                continue
            if year in seen:
                name = school.get("name")
                named = (
                    f"skolen «{shown_text(name)}»"
                    if isinstance(name, str) and name.strip()
                    else "skolen"
                )
                first = format_loc(("schools", i, "bullying", seen[year]))
                msg = (
                    f"Mobbetallet for {year} står to ganger for {named} (første gang i {first}). "
                    "Hvilket som skulle gjelde, ville avhenge av rekkefølgen; "
                    "oppgi hvert år bare én gang."
                )
                out.append(
                    Diagnostic("DUPLICATE_YEAR", msg, loc=("schools", i, "bullying", j, "year"))
                )
            else:
                seen[year] = j
    return out


def _municipality_problems(raw: Mapping[str, Any]) -> list[Diagnostic]:
    """MUNICIPALITY_NOT_IN_COUNTY when the kommunenummer does not begin with the county."""
    county = raw.get("county")
    municipality = raw.get("municipality")
    number = municipality.get("number") if isinstance(municipality, Mapping) else None
    if not (
        isinstance(county, str)
        and isinstance(number, str)
        and re.fullmatch(r"[0-9]{2}", county)
        and re.fullmatch(r"[0-9]{4}", number)
    ):
        return []  # a malformed number or county is reported by the model
    if number.startswith(county):
        return []
    # the («…») asides name the data fields; the web form leaves them out
    msg = (
        f"Kommunenummeret («number») {number} hører ikke til fylke {county} («county»): "
        f"et kommunenummer begynner med fylkesnummeret, så kommunene i fylke {county} har "
        f"numre fra {county}01 til {county}99. Rett kommunenummeret eller fylket."
    )
    return [Diagnostic("MUNICIPALITY_NOT_IN_COUNTY", msg, loc=("municipality", "number"))]


def _duplicate_message(org: str, first: Path) -> str:
    return (
        f"Organisasjonsnummeret {org} står flere ganger i søknaden (første gang i "
        f"{format_loc(first)}). Hver skole og barnehage skal stå bare én gang."
    )


def check_round(application: Application, rounds: Mapping[str, Collection[str]]) -> None:
    """Refuse an already-validated application whose round or county the rules do not know."""
    problems = _round_problems({"round": application.round, "county": application.county}, rounds)
    if problems:
        raise InvalidApplication(problems)


def _round_problems(
    raw: Mapping[str, Any], rounds: Mapping[str, Collection[str]]
) -> list[Diagnostic]:
    round_id = raw.get("round")
    if not isinstance(round_id, str) or not round_id.strip():
        return []  # a missing or mistyped round is reported by the model
    if round_id not in rounds:
        known = ", ".join(sorted(rounds)) or "ingen"
        msg = f"Ukjent runde «{round_id}» i «round». Kjente regelsett: {known}."
        msg += did_you_mean(round_id, rounds)
        return [Diagnostic("UNKNOWN_ROUND", msg, loc=("round",))]
    county = raw.get("county")
    counties = rounds[round_id]
    if isinstance(county, str) and re.fullmatch(r"[0-9]{2}", county) and county not in counties:
        known = ", ".join(sorted(counties)) or "ingen"
        msg = (
            f"Fylkesnummeret «{county}» i «county» er ikke med i regelsettet {round_id}. "
            f"Kjente fylker: {known}."
        )
        return [Diagnostic("UNKNOWN_COUNTY", msg, loc=("county",))]
    return []


# --- ordering -------------------------------------------------------------------------


def _unique(problems: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, Path]] = set()
    out: list[Diagnostic] = []
    for problem in problems:
        key = (problem.code, problem.loc)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _position_key(problem: Diagnostic) -> tuple[int, int]:
    line = problem.location.line
    column = problem.location.column
    return (line if line is not None else 1 << 30, column if column is not None else 0)
