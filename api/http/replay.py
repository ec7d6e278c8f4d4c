"""Compare two decisions: the differences a replay reports, with readable locations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _criterion_key(c: dict[str, Any]) -> str:
    return f"{c['criterion']}/{c['subject']['kind']}/{c['subject']['id']}"


def _unit_key(u: dict[str, Any]) -> str:
    return f"{u['kind']}/{u['org_number']}"


# Lists whose items are matched by a key rather than by position.
_KEYED: dict[str, Callable[[dict[str, Any]], str]] = {
    "criteria": _criterion_key,
    "units": _unit_key,
}


def differences(stored: Any, current: Any) -> list[dict[str, Any]]:
    """Every place where `current` differs from `stored`: [{loc, stored, current}]."""
    out: list[dict[str, Any]] = []
    _diff(stored, current, [], out)
    return out


def _diff(a: Any, b: Any, loc: list[str | int], out: list[dict[str, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                out.append({"loc": [*loc, key], "stored": a.get(key), "current": b.get(key)})
            else:
                _diff(a[key], b[key], [*loc, key], out)
        return
    if isinstance(a, list) and isinstance(b, list):
        keyer = _KEYED.get(str(loc[-1])) if len(loc) == 1 else None
        if keyer is not None:
            left = {keyer(x): x for x in a}
            right = {keyer(x): x for x in b}
            for key in list(left) + [k for k in right if k not in left]:
                if key not in left or key not in right:
                    out.append(
                        {"loc": [*loc, key], "stored": left.get(key), "current": right.get(key)}
                    )
                else:
                    _diff(left[key], right[key], [*loc, key], out)
            return
        if len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _diff(x, y, [*loc, i], out)
            return
    if a != b or type(a) is not type(b):
        out.append({"loc": loc, "stored": a, "current": b})
