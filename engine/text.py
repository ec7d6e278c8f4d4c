"""Norwegian formatting of numbers, dates, lists and explanation templates."""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

MONTHS = (
    "januar februar mars april mai juni juli august september oktober november desember"
).split()

# `{name}` or `{name:entall|flertall}`: a count worded with its noun ("1 dag", "2 dager").
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}|]+)\|([^{}|]+))?\}")


def plural(n: int, singular: str, plural_form: str) -> str:
    """A count with its noun in the right number: `1 dag`, `2 dager`, `0 saker`."""
    return f"{n} {singular if abs(n) == 1 else plural_form}"


def format_number(value: float | int | Decimal) -> str:
    """Format a number the Norwegian way: decimal comma, no trailing zeros beyond one decimal."""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int):
        return str(value)
    if type(value) is float:
        text = repr(value)  # the shortest repr: no trailing zeros but the one of `10.0`
        if "e" not in text and "n" not in text:  # not 1e-05, 1e+16, inf or nan
            return text.replace(".", ",")
    text = f"{Decimal(str(value)).normalize():f}"
    if "." not in text:
        text += ".0"
    return text.replace(".", ",")


def format_figure(value: Any) -> str:
    """Format a number as a person would type it: decimal comma, a whole float without `,0`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    return str(value)


def format_fixed(value: float, places: int) -> str:
    """Format a number with exactly `places` decimals and a decimal comma: `12,5`."""
    return f"{value:.{places}f}".replace(".", ",")


_NUMBER_WORDS = "null ett to tre fire fem seks sju åtte ni ti elleve tolv".split()


def number_word(n: int) -> str:
    """A small count as a Norwegian word (`to`, `fire`; neuter `ett`), larger ones as digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def in_sentence(text: str) -> str:
    """A label as it reads mid-sentence: `Søknaden fra X` -> `søknaden fra X`."""
    return text[:1].lower() + text[1:]


def sentence_start(text: str) -> str:
    """A text as it reads at the start of a sentence: first letter upper case, the rest kept."""
    return text[:1].upper() + text[1:]


def format_date(value: dt.date) -> str:
    """Format a date as `1. februar 2020`."""
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def join_list(items: Iterable[str], empty: str = "ingen") -> str:
    """Join items as Norwegian prose: `a, b og c`."""
    parts = [p for p in items if p]
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def format_value(value: Any) -> str:
    """Format any evidence value for a Norwegian sentence."""
    if value.__class__ is str:
        return value  # the most common value, and the last of the checks below
    if value is None:
        return "ukjent"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, list | tuple):
        return join_list(format_value(v) for v in value)
    return str(value)


def placeholders(template: str) -> list[str]:
    """The `{name}` placeholders a template uses, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


# A template compiled once: its literal texts, and for each placeholder (name, singular,
# plural, the placeholder as written) -- singular and plural None without a `:a|b` form.
_Part = str | tuple[str, str | None, str | None, str]
_compiled: dict[str, tuple[_Part, ...]] = {}


def compile_template(template: str) -> tuple[_Part, ...]:
    """The template split into literal texts and placeholders, parsed once per distinct text.

    The rules' YAML texts are the source; a ruleset has a few dozen, each compiled the first
    time it is rendered and reused for every application after (parsing a template with the
    regular expression on every call was a large share of an explanation's cost).
    """
    found = _compiled.get(template)
    if found is None:
        parts: list[_Part] = []
        position = 0
        for match in _PLACEHOLDER.finditer(template):
            if match.start() > position:
                parts.append(template[position : match.start()])
            name, singular, plural_form = match.groups()
            parts.append(
                (
                    name,
                    None if singular is None else singular.strip(),
                    None if plural_form is None else plural_form.strip(),
                    match.group(0),
                )
            )
            position = match.end()
        if position < len(template):
            parts.append(template[position:])
        found = _compiled[template] = tuple(parts)
    return found


def single_spaced(text: str) -> str:
    """`" ".join(text.split())`: runs of white space as one space, none at either end.

    Most texts are that already, and telling so is cheaper than splitting and joining: in a
    printable text the only white space is the ASCII space (every other character that
    `str.split` splits on is a control or separator character, which is not printable), so
    with no two spaces in a row and none at an end, splitting and joining gives it back.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` placeholders with Norwegian-formatted values; unknown names stay visible.

    `{name:dag|dager}` words a count with its noun in the right number: `1 dag`, `2 dager`.
    """
    out: list[str] = []
    for part in compile_template(template):
        if isinstance(part, str):
            out.append(part)
            continue
        name, singular, plural_form, written = part
        value = values.get(name, _ABSENT)
        if value.__class__ is str:  # most values: as format_value gives them, without a call
            out.append(value)
        elif value is _ABSENT:
            out.append(written)
        elif singular is not None and type(value) is int:  # a count (a bool is not one)
            out.append(plural(value, singular, plural_form or singular))
        else:
            out.append(format_value(value))
    return single_spaced("".join(out))


_ABSENT = object()  # a placeholder whose name has no value: it stays visible
