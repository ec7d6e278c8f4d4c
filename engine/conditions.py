"""Rule conditions: the YAML grammar, parsed into a small tree with positions.

Grammar (see rules/README.md):
  {all: [cond, ...]}   every part holds
  {any: [cond, ...]}   at least one part holds
  {not: cond}          the part definitely does not hold
  {fact: NAME, OP: VALUE}   OP one of eq, neq, gt, gte, lt, lte, in
  {fact: NAME, known: true|false}
VALUE is a literal or {param: NAME}, a parameter of the criterion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from engine.diagnostics import Diagnostic
from engine.yamlpos import Path, Positioned

COMPARISONS = ("eq", "neq", "gt", "gte", "lt", "lte", "in")


@dataclass(frozen=True)
class All:
    """Every part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:
    """At least one part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The part definitely does not hold."""

    part: Condition


@dataclass(frozen=True)
class Compare:
    """A fact compared with a literal (parameters are resolved while parsing)."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class Known:
    """A fact's value is known (True) or unknown (False)."""

    fact: str
    known: bool


Condition = Union[All, Any_, Not, Compare, Known]  # noqa: UP007 (forward references)


def facts_in(cond: Condition) -> list[str]:
    """Every fact name a condition refers to, in order of appearance, without repeats."""
    out: list[str] = []

    def walk(c: Condition) -> None:
        if isinstance(c, All | Any_):
            for p in c.parts:
                walk(p)
        elif isinstance(c, Not):
            walk(c.part)
        elif c.fact not in out:
            out.append(c.fact)

    walk(cond)
    return out


class ConditionParser:
    """Parses one criterion's conditions, collecting diagnostics instead of stopping."""

    def __init__(
        self,
        doc: Positioned,
        criterion: str,
        parameters: dict[str, Any],
        fact_types: Mapping[str, str],
    ) -> None:
        self.doc = doc
        self.criterion = criterion
        self.parameters = parameters
        self.fact_types = fact_types
        self.diagnostics: list[Diagnostic] = []
        # (top-level key, fact) -> where the fact is first named, for later diagnostics
        self.fact_locs: dict[tuple[str | int, str], Path] = {}

    def _error(self, code: str, msg: str, loc: Path) -> None:
        self.diagnostics.append(Diagnostic(code, msg, self.doc.location(loc, self.criterion), loc))

    def parse(self, raw: Any, loc: Path) -> Condition | None:
        """Parse the condition at `loc`; None (with diagnostics) when it is broken."""
        if not isinstance(raw, dict):
            self._error(
                "BAD_CONDITION",
                "En betingelse må være en tabell med «all», «any», «not» eller «fact».",
                loc,
            )
            return None
        keys = set(raw)
        for combinator in ("all", "any"):
            if combinator in keys:
                return self._combine(raw, combinator, loc)
        if "not" in keys:
            self._only(raw, {"not"}, loc)
            inner = self.parse(raw["not"], (*loc, "not"))
            return Not(inner) if inner is not None else None
        if "fact" in keys:
            return self._leaf(raw, loc)
        self._bad_operator(next(iter(keys), "?"), loc)
        return None

    def _combine(self, raw: dict[str, Any], key: str, loc: Path) -> Condition | None:
        self._only(raw, {key}, loc)
        items = raw[key]
        if not isinstance(items, list) or not items:
            self._error(
                "BAD_CONDITION", f"«{key}» må være en liste med minst én betingelse.", (*loc, key)
            )
            return None
        parts = [self.parse(item, (*loc, key, i)) for i, item in enumerate(items)]
        if any(p is None for p in parts):
            return None
        done = tuple(p for p in parts if p is not None)
        return All(done) if key == "all" else Any_(done)

    def _only(self, raw: dict[str, Any], allowed: set[str], loc: Path) -> None:
        for key in raw:
            if key not in allowed:
                self._bad_operator(key, (*loc, key))

    def _bad_operator(self, key: str, loc: Path) -> None:
        self._error(
            "BAD_OPERATOR",
            f"Ukjent operator «{key}». Tillatt: all, any, not, fact med "
            f"{', '.join(COMPARISONS)} eller known.",
            loc,
        )

    def _leaf(self, raw: dict[str, Any], loc: Path) -> Condition | None:
        fact = raw["fact"]
        ops = [k for k in raw if k != "fact"]
        for op in ops:
            if op not in (*COMPARISONS, "known"):
                self._bad_operator(op, (*loc, op))
                return None
        if len(ops) != 1:
            self._error(
                "BAD_CONDITION",
                "En «fact»-betingelse må ha nøyaktig én operator "
                f"({', '.join(COMPARISONS)} eller known).",
                loc,
            )
            return None
        if not isinstance(fact, str) or fact not in self.fact_types:
            self._error(
                "UNKNOWN_FACT",
                f"Ukjent faktum «{fact}». Kjente fakta: {', '.join(sorted(self.fact_types))}.",
                (*loc, "fact"),
            )
            return None
        self.fact_locs.setdefault((loc[0], fact), (*loc, "fact"))
        op = ops[0]
        value = self._value(raw[op], (*loc, op))
        if value is _BROKEN:
            return None
        if op == "known":
            if not isinstance(value, bool):
                self._error("BAD_TYPE", "«known» må være true eller false.", (*loc, op))
                return None
            return Known(fact, value)
        if not self._type_ok(fact, op, value, (*loc, op)):
            return None
        return Compare(fact, op, tuple(value) if op == "in" else value)

    def _value(self, raw: Any, loc: Path) -> Any:
        if isinstance(raw, dict):
            if set(raw) != {"param"}:
                self._error(
                    "BAD_CONDITION",
                    "En verdi kan bare være et tall, true/false eller {param: NAVN}.",
                    loc,
                )
                return _BROKEN
            name = raw["param"]
            if name not in self.parameters:
                known = ", ".join(sorted(self.parameters)) or "ingen"
                self._error(
                    "UNKNOWN_PARAMETER",
                    f"Ukjent parameter «{name}». Kriteriets parametere: {known}.",
                    (*loc, "param"),
                )
                return _BROKEN
            return self.parameters[name]
        return raw

    def _type_ok(self, fact: str, op: str, value: Any, loc: Path) -> bool:
        kind = self.fact_types[fact]
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            self._error("BAD_TYPE", "«in» må ha en liste med minst én verdi.", loc)
            return False
        for v in values:
            if kind == "bool":
                ok = isinstance(v, bool) and op in ("eq", "neq", "in")
                expected = "true eller false (og bare eq, neq eller in)"
            else:
                ok = isinstance(v, int | float) and not isinstance(v, bool)
                expected = "et tall"
            if not ok:
                self._error(
                    "BAD_TYPE",
                    f"Faktumet «{fact}» kan bare sammenlignes med {expected}, ikke «{v}».",
                    loc,
                )
                return False
        return True


_BROKEN = object()
