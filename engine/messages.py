"""The one translator of validation errors into Norwegian diagnostics.

Applications (engine.application), rules files (engine.loader) and an HTTP request's
parameters (api) all go through here, so the same mistake gets the same kind of message
everywhere: an unknown key always lists the allowed keys with a did-you-mean, a wrong
type says what was expected and what was given, a number out of range gives the range.

What a field is called (its `title`), an example of it (`examples`) and what its format
is (`description`) are read from the pydantic schema; a `Wording` says how one kind of
document names its parts and which codes it uses. These custom pydantic errors are known
here: `bad_date` (ctx `reason`), `date_out_of_range` (ctx `ge`, `le`), `org_number` (ctx
`reason`), `bad_name` (ctx `reason`: `long` or `control`) and `control_character` (ctx
`codepoint`, `position`: any other free text); a validator that words
its own message raises `diagnostic(code, message)`, which is passed through as it is.

YAML syntax errors come before there is anything to validate; they are worded by
engine/yamlsyntax.py (given the reader's error and the text), called from engine/yamlpos.py.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from engine.diagnostics import Diagnostic, format_loc
from engine.text import format_figure, number_word
from engine.yamlpos import Path, Positioned


@dataclass(frozen=True)
class Wording:
    """How messages about one kind of document name its parts, and the codes they use."""

    document: str  # the whole, at the start of a sentence
    unknown_code: str
    missing_code: str
    unknown: str  # a key the schema does not have: {key}
    allowed: str  # the keys it does have: {keys}
    missing: str  # a required key that is absent: {key}
    field: str  # a field without a title: {path}
    table: str  # what a mapping is called when one was expected
    text: str = "tekst «{text}»"  # how a text value is quoted
    code: str | None = None  # one code for every problem instead of the specific ones


APPLICATION = Wording(
    document="Søknaden",
    unknown_code="UNKNOWN_FIELD",
    missing_code="MISSING_FIELD",
    unknown="Ukjent felt «{key}».",
    allowed=" Tillatte felt her: {keys}.",
    missing="Påkrevd felt «{key}» mangler.",
    field="Feltet «{path}»",
    table="en tabell med felt",
)
RULES = Wording(
    document="Filen",
    unknown_code="UNKNOWN_KEY",
    missing_code="MISSING_KEY",
    unknown="Ukjent nøkkel «{key}».",
    allowed=" Tillatt her: {keys}.",
    missing="Nøkkelen «{key}» mangler.",
    field="«{path}»",
    table="en tabell med nøkler",
)
REQUEST = Wording(
    document="Forespørselen",
    unknown_code="INVALID_PARAMETER",
    missing_code="INVALID_PARAMETER",
    unknown="Ukjent parameter «{key}».",
    allowed=" Tillatte parametere: {keys}.",
    missing="Parameteren «{key}» mangler.",
    field="Parameteren «{path}»",
    table="en tabell med felt",
    text="«{text}»",
    code="INVALID_PARAMETER",
)

_CODES = {
    "string_pattern_mismatch": "BAD_FORMAT",
    "string_too_short": "BAD_FORMAT",
    "string_too_long": "BAD_FORMAT",
    "org_number": "BAD_ORG_NUMBER",
    "greater_than_equal": "OUT_OF_RANGE",
    "less_than_equal": "OUT_OF_RANGE",
    "greater_than": "OUT_OF_RANGE",
    "less_than": "OUT_OF_RANGE",
    "bad_date": "BAD_DATE",
    "date_out_of_range": "OUT_OF_RANGE",
    "literal_error": "BAD_VALUE",
    "enum": "BAD_VALUE",
    "finite_number": "BAD_VALUE",
}
# pydantic's own date errors, as the reasons of `bad_date`
_DATE_REASONS = {
    "date_type": "type",
    "date_parsing": "format",
    "date_from_datetime_parsing": "format",
    "date_from_datetime_inexact": "datetime",
    "date_past": "format",
    "date_future": "format",
}
_EXPECTED_TYPES = {
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
    "dict_type": "",
    "model_type": "",
    "model_attributes_type": "",
    "dataclass_type": "",
}
_TABLE_TYPES = ("dict_type", "model_type", "model_attributes_type", "dataclass_type")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_NUMBER_TYPES = frozenset({"float_type", "float_parsing", "int_type", "int_parsing"})
_QUOTED = re.compile(r"'([^']*)'")
_DIGITS = re.compile(r"\^(?:\[0-9\]|\\d)\{(\d+)\}\$")


def diagnostic(code: str, message: str, loc: Path | None = None) -> PydanticCustomError:
    """A pydantic error that becomes exactly this diagnostic (at `loc`, if given)."""
    ctx: dict[str, Any] = {"code": code, "message": message}
    if loc is not None:
        ctx["loc"] = loc
    return PydanticCustomError("diagnostic", "{message}", ctx)


def translate(
    errors: Iterable[Any], raw: Any, schema: type[BaseModel], wording: Wording
) -> list[Diagnostic]:
    """Norwegian diagnostics for pydantic's errors about `raw` validated as `schema`.

    The diagnostics have paths but no positions yet (see `positioned`).
    """
    out = []
    fields = _field_names(schema)
    for err in errors:
        raw_loc = tuple(err["loc"])
        if err["type"] == "invalid_key":  # a key that is not text, e.g. `2019:` in YAML
            key = raw_loc[-1] if raw_loc else err.get("input")
            loc = (*_clean_loc(raw_loc[:-1], raw, fields), str(key))
            out.append(_unknown(loc, schema, wording))
        elif raw_loc and raw_loc[-1] == "[key]" and err["type"] == "literal_error":
            out.append(_unknown(_clean_loc(raw_loc, raw, fields), schema, wording))
        else:
            out.append(_diagnostic(err, _clean_loc(raw_loc, raw, fields), schema, wording))
    return out


def translate_request(errors: Iterable[Any]) -> list[Diagnostic]:
    """Norwegian diagnostics for an HTTP request's invalid parameters (INVALID_PARAMETER)."""
    out = []
    for err in errors:
        loc = tuple(p for p in err.get("loc", ()) if isinstance(p, str | int))
        out.append(_diagnostic(err, loc, None, REQUEST))
    return out


def positioned(
    diagnostics: Iterable[Diagnostic], source: Positioned, criterion: str | None = None
) -> list[Diagnostic]:
    """The diagnostics with the file positions of their paths in `source`."""
    return [replace(d, location=source.location(d.loc, criterion)) for d in diagnostics]


def missing_key(loc: Path, schema: type[BaseModel] | None, wording: Wording) -> Diagnostic:
    """The diagnostic for a required key that is absent at `loc`."""
    msg = wording.missing.format(key=_tail(loc, schema))
    return _coded(wording, wording.missing_code, msg, loc)


def keys_at(schema: type[BaseModel], path: Path) -> list[str]:
    """The keys a mapping at `path` may have: a model's fields or a Literal key type's values."""
    return _keys_at(schema, path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` Mente du «x»?` for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Mente du «{close[0]}»?" if close else ""


def _clean_loc(loc: tuple[Any, ...], raw: Any, field_names: Iterable[str]) -> Path:
    """The pure data path of a pydantic error loc: validator and union-member parts dropped.

    Walks `raw` (the validated data) so that only real keys and indexes survive; a name in
    `field_names` that is absent from the data is kept too (a missing field).
    """
    names = set(field_names)
    out: list[str | int] = []
    current: Any = raw
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int) and isinstance(current, list):
            out.append(part)
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(current, Mapping) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(part, str) and part in names and (last or current is None):
            out.append(part)  # a missing field: not in the data, but a real name
            current = None
        elif isinstance(part, int) and current is None:
            out.append(part)
    return tuple(out)


# --- one error ------------------------------------------------------------------------


def _diagnostic(
    err: Any, loc: Path, schema: type[BaseModel] | None, wording: Wording
) -> Diagnostic:
    kind: str = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    if kind == "diagnostic":
        where: Path = ctx["loc"] if isinstance(ctx.get("loc"), tuple) else loc
        return Diagnostic(ctx["code"], str(ctx["message"]), loc=where)
    if not loc and kind in _TABLE_TYPES and schema is not None:
        return _coded(wording, "NOT_A_MAPPING", _not_a_mapping(value, schema, wording), loc)
    if kind == "extra_forbidden":
        return _unknown(loc, schema, wording)
    if kind == "missing":
        return missing_key(loc, schema, wording)
    subject = _subject(loc, schema, wording)
    if kind in _EXPECTED_TYPES:
        msg = _type_message(kind, loc, value, subject, schema, wording)
        return _coded(wording, "BAD_TYPE", msg, loc)
    if kind in _DATE_REASONS:
        is_datetime = isinstance(value, datetime)
        ctx["reason"] = "datetime" if is_datetime else _DATE_REASONS[kind]
        kind = "bad_date"
    if kind == "bad_name":
        return _coded(wording, *_name_problem(ctx, value, subject, wording), loc)
    if kind == "control_character":
        msg = _control_message(ctx, value, subject, wording)
        return _coded(wording, "CONTROL_CHARACTER", msg, loc)
    code = _CODES.get(kind, "BAD_VALUE")
    given = _describe(value, wording)
    if code == "BAD_FORMAT":
        msg = _format_message(kind, loc, value, subject, ctx, schema, wording)
    elif code == "BAD_ORG_NUMBER":
        if ctx.get("reason") == "check":
            msg = (
                f"Organisasjonsnummeret {value} i «{_tail(loc, schema)}» har feil kontrollsiffer, "
                "så det er ikke gyldig."
            )
        else:
            msg = f"{subject} må ha nøyaktig ni sifre uten mellomrom, men er {given}."
    elif kind == "date_out_of_range":
        msg = (
            f"{subject} må være en dato i årene {ctx.get('ge')}–{ctx.get('le')}, "
            f"men er {ctx.get('value')}."
        )
    elif code == "OUT_OF_RANGE":
        bare = _describe(value, wording, bare=True)
        msg = f"{subject} må være {_range(loc, ctx, schema)}, men er {bare}."
    elif code == "BAD_DATE":
        msg = _date_message(str(ctx.get("reason", "")), value, subject, wording)
    elif kind == "literal_error":
        msg = f"{subject} må være en av {_expected(ctx)}, men er {given}."
    elif kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        words = "minst" if kind == "too_short" else "høyst"
        items = "element" if bound == 1 else "elementer"
        msg = f"{subject} må ha {words} {bound} {items}, men har {ctx.get('actual_length')}."
    elif kind == "finite_number":
        msg = f"{subject} må være et endelig tall, men er {_describe(value, wording, bare=True)}."
    else:
        msg = f"{subject} har en ugyldig verdi: {given} ({kind})."
    return _coded(wording, code, msg, loc)


def _coded(wording: Wording, code: str, msg: str, loc: Path) -> Diagnostic:
    return Diagnostic(wording.code or code, msg, loc=loc)


def _unknown(loc: Path, schema: type[BaseModel] | None, wording: Wording) -> Diagnostic:
    key = str(loc[-1]) if loc else ""
    allowed = _keys_at(schema, loc[:-1])
    msg = wording.unknown.format(key=key)
    if allowed:
        msg += wording.allowed.format(keys=", ".join(allowed))
        msg += did_you_mean(key, allowed)
    return _coded(wording, wording.unknown_code, msg, loc)


def _not_a_mapping(value: Any, schema: type[BaseModel], wording: Wording) -> str:
    fields = ", ".join(schema.model_fields)
    if value is None:
        return f"{wording.document} er tom. Den må være en tabell med feltene {fields}."
    given = _describe(value, wording)
    return f"{wording.document} må være en tabell med feltene {fields}, men er {given}."


def _type_message(
    kind: str, loc: Path, value: Any, subject: str, schema: Any, wording: Wording
) -> str:
    slot = _slot_at(schema, loc)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    example = _meta(slot, "examples")
    if kind == "string_type" and is_number and example:
        digits = _digits(_meta(slot, "pattern"))
        if digits:
            return (
                f"{subject} må skrives som tekst med {number_word(digits)} sifre i anførselstegn, "
                f'f.eks. "{example[0]}", men er tallet {format_figure(value)}. '
                "Uten anførselstegn blir det lest som et tall, og en ledende null går tapt."
            )
        plausible = isinstance(value, int) and 0 < value < 10 ** len(example[0])
        shown = str(value) if plausible else example[0]
        return (
            f'{subject} må skrives som tekst i anførselstegn, f.eks. "{shown}", '
            f"men er tallet {format_figure(value)}."
        )
    wanted = _EXPECTED_TYPES[kind]
    if kind in _TABLE_TYPES:
        wanted = wording.table
        keys = _keys_at(schema, loc)
        if keys:
            wanted += f" ({', '.join(keys)})"
    if _nullable(slot):
        wanted += " eller null (ukjent)" if wanted == "true eller false" else " (eller null)"
    hint = decimal_comma_hint(value) if kind in _NUMBER_TYPES else ""
    return f"{subject} må være {wanted}, men er {_describe(value, wording)}.{hint}"


def decimal_comma_hint(value: Any) -> str:
    """For `2,5` where a number belongs: ` Skriv 2.5 (punktum, ikke komma).`; else empty."""
    if isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()):
        return f" Skriv {value.strip().replace(',', '.')} (punktum, ikke komma)."
    return ""


def number_expected(subject: str, value: Any, *, whole: bool = False) -> str:
    """`Parameteren «margin» må være et tall, men er tekst «2,5». Skriv 2.5 …` for any value."""
    wanted = "et heltall" if whole else "et tall"
    return (
        f"{subject} må være {wanted}, men er {_describe(value, RULES)}.{decimal_comma_hint(value)}"
    )


def _format_message(
    kind: str,
    loc: Path,
    value: Any,
    subject: str,
    ctx: Mapping[str, Any],
    schema: Any,
    wording: Wording,
) -> str:
    given = _describe(value, wording)
    if kind == "string_too_long":
        return f"{subject} kan være høyst {ctx.get('max_length')} tegn, men er {given}."
    if kind == "string_too_short":
        return f"{subject} må være minst {ctx.get('min_length')} tegn, men er {given}."
    slot = _slot_at(schema, loc)
    pattern = str(ctx.get("pattern", ""))
    digits = _digits(pattern)
    if digits:
        example = _meta(slot, "examples")
        hint = f', f.eks. "{example[0]}"' if example else ""
        return f"{subject} må ha nøyaktig {number_word(digits)} sifre{hint}, men er {given}."
    description = _meta(slot, "description")
    if description:
        return f"{subject} må være {description}, men er {given}."
    if pattern == r"\S":
        return f"{subject} må ha innhold, men er {given}."
    return f"{subject} har feil form, men er {given}."


_CONTROL_NAMES = {
    "0009": "tabulator",
    "000A": "linjeskift",
    "000D": "vognretur",
    "0000": "nulltegn",
    "2028": "linjeskilletegn",
    "2029": "avsnittsskilletegn",
}


def shown_text(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, with control characters written as `[U+000A]`."""
    cut = text if len(text) <= limit else text[: limit - 3] + "…"
    return "".join(
        f"[U+{ord(c):04X}]" if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in cut
    )


def _name_problem(
    ctx: Mapping[str, Any], value: Any, subject: str, wording: Wording
) -> tuple[str, str]:
    """NAME_TOO_LONG or NAME_CONTROL_CHARACTER and its message (see application._check_name)."""
    given = wording.text.format(text=shown_text(value)) if isinstance(value, str) else ""
    if ctx.get("reason") == "long":
        length = f"{int(ctx.get('length', 0)):,}".replace(",", " ")
        msg = (
            f"{subject} kan være høyst {ctx.get('max_length')} tegn, men har {length} tegn "
            f"({given}). Skriv navnet slik det står i Enhetsregisteret."
        )
        return "NAME_TOO_LONG", msg
    codepoint = str(ctx.get("codepoint"))
    what = control_character_name(codepoint)
    msg = (
        f"{subject} har et kontrolltegn som tegn nr. {ctx.get('position')} (U+{codepoint}, "
        f"{what}): {given}. Et navn skal stå på én linje, uten linjeskift, tabulator eller "
        "andre kontrolltegn."
    )
    return "NAME_CONTROL_CHARACTER", msg


def control_character_name(codepoint: str) -> str:
    """What a control character is called in Norwegian (`0009` → `tabulator`)."""
    return _CONTROL_NAMES.get(codepoint, "kontrolltegn")


def _control_message(ctx: Mapping[str, Any], value: Any, subject: str, wording: Wording) -> str:
    """CONTROL_CHARACTER's message (see application._check_text)."""
    codepoint = str(ctx.get("codepoint"))
    given = wording.text.format(text=shown_text(value)) if isinstance(value, str) else ""
    return (
        f"{subject} har et kontrolltegn som tegn nr. {ctx.get('position')} "
        f"(U+{codepoint}, {control_character_name(codepoint)}): {given}. Teksten skal stå på "
        "én linje, uten linjeskift, tabulator eller andre kontrolltegn."
    )


def _date_message(reason: str, value: Any, subject: str, wording: Wording) -> str:
    if reason == "nonexistent":
        return f"{subject}: datoen {value} finnes ikke i kalenderen."
    if reason == "datetime":
        return (
            f"{subject} må være en dato uten klokkeslett (ÅÅÅÅ-MM-DD), "
            f"men er {_describe(value, wording)}."
        )
    return (
        f"{subject} må være en dato på formen ÅÅÅÅ-MM-DD, f.eks. 2020-01-15, "
        f"men er {_describe(value, wording)}."
    )


def _range(loc: Path, ctx: Mapping[str, Any], schema: Any) -> str:
    low = high = None
    slot = _slot_at(schema, loc)
    if slot is not None and slot.info is not None:  # an item of a list has its own bounds
        low, high = _meta(slot, "ge"), _meta(slot, "le")
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


def _expected(ctx: Mapping[str, Any]) -> str:
    """pydantic's `'a', 'b' or 'c'` as `«a», «b» eller «c»`."""
    expected = str(ctx.get("expected", ""))
    values = _QUOTED.findall(expected)
    if not values:
        return expected.replace(" or ", " eller ")
    quoted = [f"«{v}»" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " eller " + quoted[-1]


def _digits(pattern: Any) -> int | None:
    match = _DIGITS.fullmatch(pattern) if isinstance(pattern, str) else None
    return int(match.group(1)) if match else None


# --- naming fields --------------------------------------------------------------------


def _tail(loc: Path, schema: Any) -> str:
    """The path from the last field name on, e.g. `feeds_schools[1]` or `counties.50`."""
    start = _last_field_index(loc, schema)
    if start is None:
        return format_loc(loc) or "søknaden"
    return format_loc(loc[start:])


def _last_field_index(loc: Path, schema: Any) -> int | None:
    current: _Slot | None = _Slot(schema, None) if schema is not None else None
    found = None
    for i, part in enumerate(loc):
        current = _child(current, part) if current is not None else None
        if current is not None and current.info is not None:
            found = i
    if found is None:  # no schema, or a path it does not know: the last name
        found = next((i for i in range(len(loc) - 1, -1, -1) if isinstance(loc[i], str)), None)
    return found


def _subject(loc: Path, schema: Any, wording: Wording) -> str:
    """How a message names the value at `loc`: its title and path, e.g. `Året («year»)`."""
    if not any(isinstance(part, str) for part in loc):
        return wording.document
    tail = _tail(loc, schema)
    title = _title(_slot_at(schema, loc))
    if title:
        return f"{title} («{tail}»)"
    if isinstance(loc[-1], int):
        return f"Elementet «{tail}»"
    return wording.field.format(path=tail)


_LONG_NUMBER = 18  # digits beyond which a number is described, not written out


def _describe(value: Any, wording: Wording, *, bare: bool = False) -> str:
    """Say what a value is, in Norwegian: `tekst «ja»`, `tallet 5`, `en liste` …"""
    if value is None:
        return "tom (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "et altfor stort tall" if math.isinf(value) else "NaN (ikke et tall)"
    if isinstance(value, int) and abs(value) >= 10**_LONG_NUMBER:
        return f"et tall med {len(str(abs(value)))} sifre"
    if isinstance(value, int | float):
        return format_figure(value) if bare else f"tallet {format_figure(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "…"
        return wording.text.format(text=shown)
    if isinstance(value, datetime):
        return f"tidspunktet {value.isoformat(sep=' ')}"
    if isinstance(value, date):
        return f"datoen {value.isoformat()}"
    if isinstance(value, Mapping):
        return "en tabell"
    if isinstance(value, Sequence):
        return "en liste"
    return f"en verdi av typen {type(value).__name__}"


# --- reading the schema ---------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """A place in a schema: the type of the value there, and the field that holds it."""

    annotation: Any
    info: FieldInfo | None  # None for the whole document, a list item or a mapping's value


def _slot_at(schema: Any, path: Path) -> _Slot | None:
    current: _Slot | None = _Slot(schema, None) if schema is not None else None
    for part in path:
        if current is None:
            return None
        current = _child(current, part)
    return current


def _child(slot: _Slot, part: str | int) -> _Slot | None:
    """The slot of `part` (a key or an index) inside a value of this slot."""
    for alternative in _alternatives(slot.annotation):
        if isinstance(alternative, type) and issubclass(alternative, BaseModel):
            info = alternative.model_fields.get(part) if isinstance(part, str) else None
            if info is not None:
                return _Slot(info.annotation, info)
            continue
        origin, args = get_origin(alternative), get_args(alternative)
        if origin in (list, tuple) and isinstance(part, int) and args:
            return _Slot(args[0], None)
        if origin is dict and len(args) == 2:
            return _Slot(args[1], None)
    return None


def _alternatives(annotation: Any) -> list[Any]:
    """The types a value may have: Annotated unwrapped, unions split, None left out."""
    if get_origin(annotation) is Annotated:
        return _alternatives(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [alt for arg in get_args(annotation) for alt in _alternatives(arg)]
    return [] if annotation is type(None) else [annotation]


def _keys_at(schema: Any, path: Path) -> list[str]:
    """The keys a mapping at `path` may have: a model's fields or a Literal key type's values."""
    slot = _slot_at(schema, path)
    if slot is None:
        return []
    for alternative in _alternatives(slot.annotation):
        if isinstance(alternative, type) and issubclass(alternative, BaseModel):
            return list(alternative.model_fields)
        if get_origin(alternative) is dict:
            key_type = _alternatives(get_args(alternative)[0])
            if key_type and get_origin(key_type[0]) is Literal:
                return [str(k) for k in get_args(key_type[0])]
    return []


def _title(slot: _Slot | None) -> str | None:
    """A field's title; for a list item or a mapping's value, its type's title."""
    if slot is None:
        return None
    title = _meta(slot, "title")
    if title or slot.info is not None:
        return str(title) if title else None
    for alternative in _alternatives(slot.annotation):
        if isinstance(alternative, type) and issubclass(alternative, BaseModel):
            model_title = alternative.model_config.get("title")
            return str(model_title) if model_title else None
    return None


def _meta(slot: _Slot | None, name: str) -> Any:
    """The first `name` (title, examples, ge …) set on a slot's field or inside its type."""
    if slot is None:
        return None
    pending: list[Any] = []
    if slot.info is not None:
        pending += [slot.info, *slot.info.metadata]
    pending += _annotated_metadata(slot.annotation)
    while pending:
        meta = pending.pop(0)
        found = getattr(meta, name, None)
        if found is not None:
            return found
        pending += getattr(meta, "metadata", None) or []
    return None


def _annotated_metadata(annotation: Any) -> list[Any]:
    """Every Annotated metadata object in a type, through unions (not into list items)."""
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        return [*args[1:], *_annotated_metadata(args[0])]
    if get_origin(annotation) in (Union, types.UnionType):
        return [meta for arg in get_args(annotation) for meta in _annotated_metadata(arg)]
    return []


def _nullable(slot: _Slot | None) -> bool:
    if slot is None or slot.info is None:
        return False  # an item of a list is never null
    annotation = slot.info.annotation
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


@cache
def _field_names(schema: type[BaseModel]) -> frozenset[str]:
    """Every field name of a schema and of the models nested in it."""
    names: set[str] = set()
    pending: list[Any] = [schema]
    seen: set[Any] = set()
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                continue
            seen.add(annotation)
            for name, info in annotation.model_fields.items():
                names.add(name)
                pending.append(info.annotation)
        else:
            pending += [a for a in get_args(annotation) if not isinstance(a, str | int)]
    return frozenset(names)
