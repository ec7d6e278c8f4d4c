"""Turn pydantic validation errors into Norwegian diagnostics with positions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from engine.diagnostics import Diagnostic
from engine.texts import format_value
from engine.yamlpos import Path, Positioned


def clean_loc(loc: tuple[Any, ...]) -> Path:
    """Drop pydantic's internal loc parts (validator wrappers, union members) from a path."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
        elif isinstance(part, str) and not (
            part.startswith(("function-", "json-or-python", "lax-or-strict", "tagged-union"))
            or "[" in part
            or part in ("str", "int", "float", "bool", "date", "list", "dict", "none", "nullable")
        ):
            out.append(part)
    return tuple(out)


def translate(
    exc: ValidationError,
    doc: Positioned | None,
    *,
    criterion: str | None = None,
    allowed_keys: Callable[[Path], list[str]] | None = None,
) -> list[Diagnostic]:
    """Norwegian diagnostics for every error in `exc`, positioned when `doc` is given."""
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = clean_loc(tuple(err["loc"]))
        code, msg = _message(err, loc, allowed_keys)
        location = doc.location(loc, criterion) if doc is not None else None
        if location is None:
            out.append(Diagnostic(code, msg, loc=loc))
        else:
            out.append(Diagnostic(code, msg, location, loc))
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
