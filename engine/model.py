"""The application (søknad) of CONTRACT section 1: pydantic models and validation.

Bad input is refused whole: every problem becomes a `Diagnostic` (data path, stable code,
Norwegian message, and file position when the text was YAML or JSON) and they are raised
together as `InvalidApplication`. Nothing half-valid leaves this module.
"""

from __future__ import annotations

import difflib
import os
import re
import types
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

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
from pydantic_core import ErrorDetails, PydanticCustomError

from engine.diagnostics import Diagnostic, InvalidApplication, Location, format_loc
from engine.pydantic_errors import clean_loc
from engine.text import format_figure
from engine.yamlpos import Path, Positioned, YamlProblem, load_positioned, loads_json_strict

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

# Brønnøysundregistrene: modulus 11 with these weights on the first eight digits.
_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_ORG_FORMAT = re.compile(r"[0-9]{9}")


def valid_org_number(s: str) -> bool:
    """True when `s` is nine digits whose last digit is the correct mod-11 check digit."""
    if not isinstance(s, str) or not _ORG_FORMAT.fullmatch(s):
        return False
    remainder = sum(int(d) * w for d, w in zip(s[:8], _ORG_WEIGHTS, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(s[8])


def _check_org_number(value: str) -> str:
    if not _ORG_FORMAT.fullmatch(value):
        raise PydanticCustomError(
            "org_number",
            "Organisasjonsnummeret må ha nøyaktig ni sifre, men er «{value}».",
            {"value": value, "reason": "format"},
        )
    if not valid_org_number(value):
        raise PydanticCustomError(
            "org_number",
            "Organisasjonsnummeret {value} har feil kontrollsiffer.",
            {"value": value, "reason": "check"},
        )
    return value


# --- dates ----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> Any:
    # YAML gives a date object, JSON an ISO string; anything else (a timestamp with a
    # clock time, a number, a free-form text) is refused rather than guessed at.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            reason = "nonexistent"
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
        {"value": _describe(value), "reason": reason},
    )


# --- field types ----------------------------------------------------------------------

OrgNumber = Annotated[StrictStr, AfterValidator(_check_org_number)]
Year = Annotated[StrictInt, Field(ge=2000, le=2100)]
Count = Annotated[StrictInt, Field(ge=0)]
Percent = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]
Text = Annotated[StrictStr, Field(pattern=r"\S")]
CountyNumber = Annotated[StrictStr, Field(pattern=r"^[0-9]{2}$")]
MunicipalityNumber = Annotated[StrictStr, Field(pattern=r"^[0-9]{4}$")]
ApplicationId = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Deficiency = Literal["practice", "routines", "system"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Survey(_Model):
    """One Elevundersøkelsen figure: share of pupils bullied 2–3 times a month or more."""

    year: Year
    percent: Percent | None = None
    respondents: Count | None = None
    suppressed: StrictBool = False


class Case(_Model):
    """A learning-environment case about a school known to the office (no personal data)."""

    year: Year
    kind: Literal["complaint", "other"]
    complex: StrictBool = False
    months_open: Count | None = None


class Supervision(_Model):
    """A tilsyn and the deficiencies it found (empty list = none found)."""

    year: Year
    deficiencies: list[Deficiency]


class Owner(_Model):
    """The owner of a school or kindergarten that is not the municipality itself."""

    name: Text
    org_number: OrgNumber | None = None
    private: StrictBool
    participates: StrictBool | None = None


class School(_Model):
    """A school in the application, with the data criteria K1–K4 read."""

    org_number: OrgNumber
    name: Text
    motivated: StrictBool | None = None
    owner: Owner | None = None
    bullying: list[Survey] | None = None
    cases: list[Case] | None = None
    supervision: list[Supervision] | None = None


class Kindergarten(_Model):
    """A kindergarten in the application, with the data criteria K3–K5 read."""

    org_number: OrgNumber
    name: Text
    motivated: StrictBool | None = None
    owner: Owner | None = None
    supervision: list[Supervision] | None = None
    feeds_schools: list[OrgNumber] | None = None
    known_challenges: StrictBool | None = None


class Municipality(_Model):
    """The applying municipality (kommune)."""

    number: MunicipalityNumber
    name: Text
    motivated: StrictBool | None = None
    supervision: list[Supervision] | None = None


class Participants(_Model):
    """K6: whether school owner, kindergarten owner and PPT have committed (null = unknown)."""

    school_owner: StrictBool | None = None
    kindergarten_owner: StrictBool | None = None
    ppt: StrictBool | None = None


class Application(_Model):
    """One application (søknad) as CONTRACT section 1 defines it."""

    id: ApplicationId | None = None
    round: Text
    county: CountyNumber
    received: Annotated[date | None, BeforeValidator(_to_date)] = None
    municipality: Municipality
    participants: Participants = Field(default_factory=Participants)
    schools: list[School] = Field(default_factory=list)
    kindergartens: list[Kindergarten] = Field(default_factory=list)

    @model_validator(mode="after")
    def _org_numbers_unique(self) -> Application:
        # parse_application finds every clash on the raw data; this guards direct use.
        pairs = [(("schools", i, "org_number"), s.org_number) for i, s in enumerate(self.schools)]
        pairs += [
            (("kindergartens", i, "org_number"), k.org_number)
            for i, k in enumerate(self.kindergartens)
        ]
        for path, org, first in _org_number_clashes(pairs):
            raise PydanticCustomError(
                "duplicate_org_number",
                "Organisasjonsnummeret {value} står flere ganger (første gang i {first}).",
                {"value": org, "first": format_loc(first), "loc": path, "first_loc": first},
            )
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
    problems: list[Diagnostic] = []
    try:
        app = Application.model_validate(raw)
    except ValidationError as exc:
        app = None
        problems += (_translate(err, raw) for err in exc.errors())
    if isinstance(raw, Mapping):
        problems += _duplicate_problems(raw)
        if rounds is not None:
            problems += _round_problems(raw, rounds)
    problems = _unique(problems)
    if source is not None:
        problems = [
            Diagnostic(d.code, d.message, _locate(source, d.loc), d.loc, d.severity)
            for d in problems
        ]
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
    try:
        source: Positioned | None = load_positioned(text, file)
        problem: YamlProblem | None = None
    except YamlProblem as exc:
        source, problem = None, exc
    if text.lstrip().startswith(("{", "[")):
        # JSON read as YAML 1.1 differs at the edges (tab indentation is refused, `1e5` is
        # text), so JSON-looking input takes its values from the json module and only the
        # positions from the YAML reader.
        try:
            # a duplicate key is a ValueError too: the YAML reader then reports it with its line
            data = loads_json_strict(text)
        except ValueError:
            pass
        else:
            if source is None:
                # valid JSON has tabs only between tokens, where a space means the same
                try:
                    source = load_positioned(text.replace("\t", " "), file)
                except YamlProblem:
                    source = Positioned(None, {}, file)
            return Positioned(data, source.positions, file)
    if problem is not None:
        raise InvalidApplication(problem.diagnostics) from None
    assert source is not None
    return source


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
        _duplicate_diagnostic(path, org, first) for path, org, first in _org_number_clashes(pairs)
    ]


def _duplicate_diagnostic(path: Path, org: str, first: Path) -> Diagnostic:
    msg = (
        f"Organisasjonsnummeret {org} står flere ganger i søknaden (første gang i "
        f"{format_loc(first)}). Hver skole og barnehage skal stå bare én gang."
    )
    return Diagnostic("DUPLICATE_ORG_NUMBER", msg, loc=path)


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
        msg += _did_you_mean(round_id, rounds)
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


# --- translating pydantic's errors ----------------------------------------------------

_MODELS: tuple[type[BaseModel], ...] = (
    Application,
    Municipality,
    Participants,
    School,
    Kindergarten,
    Survey,
    Case,
    Supervision,
    Owner,
)
_FIELD_NAMES = frozenset(name for model in _MODELS for name in model.model_fields)

# How messages name a field; fields not listed are called «Feltet «key»».
_LABELS = {
    "id": "Id-en",
    "round": "Runden",
    "county": "Fylkesnummeret",
    "received": "Mottaksdatoen",
    "number": "Kommunenummeret",
    "name": "Navnet",
    "org_number": "Organisasjonsnummeret",
    "percent": "Prosentandelen",
    "year": "Året",
    "respondents": "Antall svar",
    "months_open": "Antall måneder saken har vært åpen",
    "deficiencies": "Avvikene",
    "kind": "Sakstypen",
    "municipality": "Kommunen",
    "participants": "Deltakerne",
    "owner": "Eieren",
    "schools": "Skolene",
    "kindergartens": "Barnehagene",
    "bullying": "Mobbetallene",
    "cases": "Sakene",
    "supervision": "Tilsynene",
}
# How messages name one item of a list field.
_ITEM_LABELS = {
    "schools": "Skolen",
    "kindergartens": "Barnehagen",
    "bullying": "Mobbetallet",
    "cases": "Saken",
    "supervision": "Tilsynet",
    "deficiencies": "Avviket",
    "feeds_schools": "Organisasjonsnummeret",
}

_HINT_EXAMPLES = {"county": ("to", "50"), "number": ("fire", "5001")}

_TYPE_CODES = {
    "extra_forbidden": "UNKNOWN_FIELD",
    "missing": "MISSING_FIELD",
    "string_pattern_mismatch": "BAD_FORMAT",
    "string_too_short": "BAD_FORMAT",
    "string_too_long": "BAD_FORMAT",
    "org_number": "BAD_ORG_NUMBER",
    "duplicate_org_number": "DUPLICATE_ORG_NUMBER",
    "greater_than_equal": "OUT_OF_RANGE",
    "less_than_equal": "OUT_OF_RANGE",
    "greater_than": "OUT_OF_RANGE",
    "less_than": "OUT_OF_RANGE",
    "bad_date": "BAD_DATE",
    "literal_error": "BAD_VALUE",
    "enum": "BAD_VALUE",
    "finite_number": "BAD_VALUE",
}
_TYPE_ERRORS = {
    "bool_type": "true eller false",
    "bool_parsing": "true eller false",
    "int_type": "et heltall",
    "int_parsing": "et heltall",
    "int_from_float": "et heltall",
    "float_type": "et tall",
    "float_parsing": "et tall",
    "string_type": "tekst",
    "list_type": "en liste",
    "tuple_type": "en liste",
    "dict_type": "en tabell med felt",
    "model_type": "en tabell med felt",
    "model_attributes_type": "en tabell med felt",
    "dataclass_type": "en tabell med felt",
}


def _translate(err: ErrorDetails, raw: Any) -> Diagnostic:
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind == "duplicate_org_number" and isinstance(ctx.get("loc"), tuple):
        return _duplicate_diagnostic(ctx["loc"], str(ctx["value"]), ctx["first_loc"])
    loc = _clean_loc(err["loc"], raw)
    value = err.get("input")
    if not loc and kind in ("model_type", "dict_type", "model_attributes_type"):
        return Diagnostic("NOT_A_MAPPING", _not_a_mapping(value), loc=loc)
    if kind == "extra_forbidden":
        return Diagnostic("UNKNOWN_FIELD", _unknown_field(loc), loc=loc)
    if kind == "invalid_key":  # a key that is not text, e.g. `2019:` in YAML
        key = err["loc"][-1] if err["loc"] else value
        loc = (*_clean_loc(err["loc"][:-1], raw), str(key))
        return Diagnostic("UNKNOWN_FIELD", _unknown_field(loc), loc=loc)
    if kind == "missing":
        return Diagnostic("MISSING_FIELD", f"Påkrevd felt «{_tail(loc)}» mangler.", loc=loc)
    subject = _subject(loc)
    if kind in _TYPE_ERRORS:
        return Diagnostic("BAD_TYPE", _type_message(kind, loc, value, subject), loc=loc)
    code = _TYPE_CODES.get(kind, "BAD_VALUE")
    if code == "BAD_FORMAT":
        msg = _format_message(loc, value, subject)
    elif code == "BAD_ORG_NUMBER":
        if ctx.get("reason") == "check":
            msg = (
                f"Organisasjonsnummeret {value} i «{_tail(loc)}» har feil kontrollsiffer, "
                "så det er ikke gyldig."
            )
        else:
            msg = f"{subject} må ha nøyaktig ni sifre uten mellomrom, men er {_describe(value)}."
    elif code == "OUT_OF_RANGE":
        msg = f"{subject} må være {_range(loc, ctx)}, men er {_describe(value, bare=True)}."
    elif code == "BAD_DATE":
        msg = _date_message(str(ctx.get("reason", "")), value, subject)
    elif kind == "literal_error":
        msg = f"{subject} må være en av {_expected(ctx)}, men er {_describe(value)}."
    elif kind == "finite_number":
        msg = f"{subject} må være et endelig tall, men er {_describe(value, bare=True)}."
    else:
        msg = f"{subject} har en ugyldig verdi: {_describe(value)} ({kind})."
    return Diagnostic(code, msg, loc=loc)


def _type_message(kind: str, loc: Path, value: Any, subject: str) -> str:
    field = _field_name(loc)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string_type" and is_number and field in _HINT_EXAMPLES:
        digits, example = _HINT_EXAMPLES[field]
        return (
            f"{subject} må skrives som tekst med {digits} sifre i anførselstegn, "
            f'f.eks. "{example}", men er tallet {format_figure(value)}. '
            "Uten anførselstegn blir det lest som et tall, og en ledende null går tapt."
        )
    if kind == "string_type" and is_number and field in ("org_number", "feeds_schools"):
        example = str(value) if isinstance(value, int) and 0 < value < 10**9 else "974760673"
        return (
            f'{subject} må skrives som tekst i anførselstegn, f.eks. "{example}", '
            f"men er tallet {format_figure(value)}."
        )
    wanted = _TYPE_ERRORS[kind]
    if wanted == "en tabell med felt":
        fields = _allowed_fields(loc)
        if fields:
            wanted += f" ({', '.join(fields)})"
    if _nullable(loc):
        wanted += " eller null (ukjent)" if wanted == "true eller false" else " (eller null)"
    return f"{subject} må være {wanted}, men er {_describe(value)}."


def _format_message(loc: Path, value: Any, subject: str) -> str:
    field = _field_name(loc)
    if field in _HINT_EXAMPLES:
        digits, example = _HINT_EXAMPLES[field]
        return (
            f'{subject} må ha nøyaktig {digits} sifre, f.eks. "{example}", '
            f"men er {_describe(value)}."
        )
    if field == "id":
        return (
            f"{subject} må være 1–64 tegn og kan bare inneholde bokstavene A–Z og a–z, "
            f"sifre og tegnene . _ -, men er {_describe(value)}."
        )
    return f"{subject} må ha innhold, men er {_describe(value)}."


def _date_message(reason: str, value: Any, subject: str) -> str:
    if reason == "nonexistent":
        return f"{subject}: datoen {value} finnes ikke i kalenderen."
    if reason == "datetime":
        return (
            f"{subject} må være en dato uten klokkeslett (ÅÅÅÅ-MM-DD), men er {_describe(value)}."
        )
    return (
        f"{subject} må være en dato på formen ÅÅÅÅ-MM-DD, f.eks. 2020-01-15, "
        f"men er {_describe(value)}."
    )


def _not_a_mapping(value: Any) -> str:
    fields = ", ".join(Application.model_fields)
    if value is None:
        return f"Søknaden er tom. Den må være en tabell med feltene {fields}."
    return f"Søknaden må være en tabell med feltene {fields}, men er {_describe(value)}."


def _unknown_field(loc: Path) -> str:
    key = str(loc[-1]) if loc else ""
    allowed = _allowed_fields(loc[:-1])
    msg = f"Ukjent felt «{key}»."
    if allowed:
        msg += f" Tillatte felt her: {', '.join(allowed)}."
        msg += _did_you_mean(key, allowed)
    return msg


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Mente du «{close[0]}»?" if close else ""


def _range(loc: Path, ctx: Mapping[str, Any]) -> str:
    low = high = None
    info = _field_info(loc)
    if info is not None and not isinstance(loc[-1], int):  # an item has its own bounds
        # bounds sit on the field (`year`) or inside its optional type (`percent`)
        annotation = info.annotation
        low, high = _bounds(Annotated[annotation, *info.metadata] if info.metadata else annotation)
    low = ctx.get("ge", low)
    high = ctx.get("le", high)
    if low is not None and high is not None:
        return f"mellom {format_figure(low)} og {format_figure(high)}"
    if low is not None:
        return f"minst {format_figure(low)}"
    if high is not None:
        return f"høyst {format_figure(high)}"
    if "gt" in ctx:
        return f"større enn {format_figure(ctx['gt'])}"
    return f"mindre enn {format_figure(ctx.get('lt'))}"


def _bounds(annotation: Any) -> tuple[Any, Any]:
    """The `ge` and `le` bounds in an annotation like `Annotated[float, Field(ge=0)] | None`."""
    low = high = None
    if get_origin(annotation) is Annotated:
        metadata = list(get_args(annotation)[1:])
        while metadata:
            meta = metadata.pop()
            metadata += getattr(meta, "metadata", [])
            low = getattr(meta, "ge", None) if low is None else low
            high = getattr(meta, "le", None) if high is None else high
    for arg in get_args(annotation) if get_origin(annotation) is not Annotated else ():
        sub_low, sub_high = _bounds(arg)
        low = sub_low if low is None else low
        high = sub_high if high is None else high
    return low, high


def _expected(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace("'", "").replace(" or ", " eller ")


# --- paths and fields -----------------------------------------------------------------


def _clean_loc(loc: tuple[int | str, ...], raw: Any) -> Path:
    return clean_loc(loc, raw, _FIELD_NAMES)


def _field_name(loc: Path) -> str | None:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return None


def _tail(loc: Path) -> str:
    """The path from the last field name on, e.g. `feeds_schools[1]` or `percent`."""
    for i in range(len(loc) - 1, -1, -1):
        if isinstance(loc[i], str):
            return format_loc(loc[i:])
    return format_loc(loc) or "søknaden"


def _subject(loc: Path) -> str:
    field = _field_name(loc)
    if field is None:
        return "Søknaden"
    if isinstance(loc[-1], int):
        label = _ITEM_LABELS.get(field)
        return f"{label} («{_tail(loc)}»)" if label else f"Elementet «{_tail(loc)}»"
    label = _LABELS.get(field)
    return f"{label} («{_tail(loc)}»)" if label else f"Feltet «{_tail(loc)}»"


def _model_at(path: Path) -> type[BaseModel] | None:
    """The model that holds the mapping at `path` (list indexes are stepped over)."""
    model: type[BaseModel] | None = Application
    for part in path:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _nested_model(model.model_fields[part].annotation)
    return model


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _allowed_fields(path: Path) -> list[str]:
    model = _model_at(path)
    return list(model.model_fields) if model is not None else []


def _field_info(loc: Path) -> Any:
    for i in range(len(loc) - 1, -1, -1):
        part = loc[i]
        if isinstance(part, str):
            model = _model_at(loc[:i])
            return model.model_fields.get(part) if model is not None else None
    return None


def _nullable(loc: Path) -> bool:
    if loc and isinstance(loc[-1], int):
        return False  # an item of a list is never null
    info = _field_info(loc)
    if info is None:
        return False
    annotation = info.annotation
    return (get_origin(annotation) in (Union, types.UnionType)) and type(None) in get_args(
        annotation
    )


# --- values in messages ---------------------------------------------------------------


def _describe(value: Any, *, bare: bool = False) -> str:
    """Say what a value is, in Norwegian: `tekst «ja»`, `tallet 5`, `en liste` …"""
    if value is None:
        return "tom (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_figure(value) if bare else f"tallet {format_figure(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "…"
        return f"tekst «{shown}»"
    if isinstance(value, datetime):
        return f"tidspunktet {value.isoformat(sep=' ')}"
    if isinstance(value, date):
        return f"datoen {value.isoformat()}"
    if isinstance(value, Mapping):
        return "en tabell"
    if isinstance(value, Sequence):
        return "en liste"
    return f"en verdi av typen {type(value).__name__}"


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


def _locate(source: Positioned, loc: Path) -> Location:
    """Where `loc` sits; a key YAML read as a number (`2019:`) is stored under the number."""
    if loc and loc not in source.positions and isinstance(loc[-1], str) and loc[-1].isdigit():
        as_number = (*loc[:-1], int(loc[-1]))
        if as_number in source.positions:
            return source.location(as_number)
    return source.location(loc)


def _position_key(problem: Diagnostic) -> tuple[int, int]:
    line = problem.location.line
    column = problem.location.column
    return (line if line is not None else 1 << 30, column if column is not None else 0)
