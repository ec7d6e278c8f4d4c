"""Sample applications and helpers shared by the application and message tests."""

from __future__ import annotations

from typing import Any

import pytest

from engine.application import load_application_text, parse_application
from engine.diagnostics import Diagnostic, InvalidApplication

# Real, check-digit-valid organisation numbers (verified in test_known_valid_org_numbers).
ORG_A = "974760673"
ORG_B = "971524960"
ORG_C = "983971636"
ORG_D = "910308882"
ORG_BAD_CHECK = "974760674"  # ORG_A with a wrong last digit

ROUNDS = {"pulje-5": ["03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54"]}


def full_application() -> dict[str, Any]:
    """A complete, valid application using every field of the contract."""
    return {
        "id": "trondheim-2020",
        "round": "pulje-5",
        "county": "50",
        "received": "2020-01-20",
        "municipality": {
            "number": "5001",
            "name": "Trondheim",
            "motivated": True,
            "supervision": [{"year": 2018, "deficiencies": ["practice", "system"]}],
        },
        "participants": {"school_owner": True, "kindergarten_owner": None, "ppt": False},
        "schools": [
            {
                "org_number": ORG_A,
                "name": "Nordby skole",
                "motivated": True,
                "bullying": [
                    {"year": 2017, "percent": 9.6, "respondents": 120},
                    {"year": 2018, "percent": 10, "respondents": None},
                    {"year": 2019, "percent": None, "suppressed": True},
                ],
                "cases": [{"year": 2018, "kind": "complaint", "complex": True, "months_open": 7}],
                "supervision": [],
            },
            {
                "org_number": ORG_B,
                "name": "Sørby friskole",
                "motivated": None,
                "owner": {"name": "Sørby AS", "org_number": ORG_D, "private": True},
            },
        ],
        "kindergartens": [
            {
                "org_number": ORG_C,
                "name": "Solsiden barnehage",
                "motivated": True,
                "supervision": None,
                "feeds_schools": [ORG_A],
                "known_challenges": False,
            }
        ],
    }


def refused(raw: Any, **kwargs: Any) -> list[Diagnostic]:
    """The diagnostics parse_application refuses `raw` with (it must refuse it)."""
    with pytest.raises(InvalidApplication) as info:
        parse_application(raw, **kwargs)
    assert info.value.diagnostics, "a refusal must carry at least one diagnostic"
    return info.value.diagnostics


def refused_text(text: str, **kwargs: Any) -> list[Diagnostic]:
    """The diagnostics load_application_text refuses `text` with."""
    with pytest.raises(InvalidApplication) as info:
        load_application_text(text, **kwargs)
    return info.value.diagnostics


def codes(diagnostics: list[Diagnostic]) -> set[tuple[str, tuple[str | int, ...]]]:
    """(code, path) of each diagnostic."""
    return {(d.code, d.loc) for d in diagnostics}


def one(diagnostics: list[Diagnostic], code: str, loc: tuple[str | int, ...]) -> Diagnostic:
    """The diagnostic with this code at this path (it must be there)."""
    found = [d for d in diagnostics if d.code == code and d.loc == loc]
    assert found, f"no {code} at {loc}; got {codes(diagnostics)}"
    return found[0]


def with_change(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The full application with the value at `path` replaced."""
    data = full_application()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


def without(path: tuple[str | int, ...]) -> dict[str, Any]:
    """The full application with the key at `path` removed."""
    data = full_application()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return data
