"""Turn pydantic validation errors into Norwegian diagnostics with positions.

The rules loader uses `translate`; the application model (engine.model) has its own
wording for applications' fields but shares `clean_loc`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import ValidationError

from engine.diagnostics import Diagnostic
from engine.text import format_value
from engine.yamlpos import Path, Positioned


def clean_loc(loc: tuple[Any, ...], raw: Any, field_names: Collection[str]) -> Path:
    """The pure data path of a pydantic error loc: validator and union-member parts dropped.

    Walks `raw` (the validated data) so that only real keys and indexes survive; a name in
    `field_names` that is absent from the data is kept too (a missing field).
    """
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
        elif isinstance(part, str) and part in field_names and (last or current is None):
            out.append(part)  # a missing field: not in the data, but a real name
            current = None
        elif isinstance(part, int) and current is None:
            out.append(part)
    return tuple(out)


def translate(
    exc: ValidationError,
    doc: Positioned,
    field_names: Collection[str],
    *,
    criterion: str | None = None,
    allowed_keys: Callable[[Path], list[str]] | None = None,
) -> list[Diagnostic]:
    """Norwegian diagnostics for every error in `exc`, positioned in `doc`."""
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = clean_loc(tuple(err["loc"]), doc.data, field_names)
        code, msg = _message(err, loc, allowed_keys)
        out.append(Diagnostic(code, msg, doc.location(loc, criterion), loc))
    return out


def _message(
    err: Any, loc: Path, allowed_keys: Callable[[Path], list[str]] | None
) -> tuple[str, str]:
    kind: str = err["type"]
    name = str(loc[-1]) if loc else "dokumentet"
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = allowed_keys(loc[:-1]) if allowed_keys else []
        hint = f" Tillatt her: {', '.join(allowed)}." if allowed else ""
        return "UNKNOWN_KEY", f"Ukjent nøkkel «{name}».{hint}"
    if kind == "missing":
        return "MISSING_KEY", f"Nøkkelen «{name}» mangler."
    if kind in ("bool_type", "bool_parsing"):
        return "BAD_TYPE", f"«{name}» må være true eller false."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "BAD_TYPE", f"«{name}» må være et heltall."
    if kind in ("float_type", "float_parsing"):
        return "BAD_TYPE", f"«{name}» må være et tall."
    if kind in ("string_type",):
        return "BAD_TYPE", f"«{name}» må være tekst."
    if kind in ("list_type",):
        return "BAD_TYPE", f"«{name}» må være en liste."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "BAD_TYPE", f"«{name}» må være en tabell (nøkler og verdier)."
    if kind.startswith("date") or kind.startswith("datetime"):
        return "BAD_DATE", f"«{name}» må være en dato på formen ÅÅÅÅ-MM-DD, ikke «{given}»."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), None)
        words = {
            "greater_than_equal": "minst",
            "greater_than": "større enn",
            "less_than_equal": "høyst",
            "less_than": "mindre enn",
        }[kind]
        return (
            "OUT_OF_RANGE",
            f"«{name}» må være {words} {format_value(bound)}, men er {format_value(given)}.",
        )
    if kind == "literal_error":
        return "BAD_VALUE", f"«{name}» kan bare være {ctx.get('expected', '')}, ikke «{given}»."
    if kind in ("string_pattern_mismatch", "string_too_short", "string_too_long"):
        return "BAD_FORMAT", f"«{name}» har feil format: «{given}»."
    if kind == "value_error":
        return "BAD_VALUE", str(ctx.get("error", err.get("msg", "")))
    return "BAD_VALUE", f"Ugyldig verdi for «{name}»: «{given}»."
