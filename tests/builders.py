"""Build test applications: a baseline where every fact is known, changed per test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from engine import Application, Decision, RuleSet, evaluate, load_ruleset, parse_application

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "pulje-5"
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number(n: int) -> str:
    """The n-th valid 9-digit org number from 910000000 upwards (mod-11 check digit)."""
    base = 91000000 + n * 7
    while True:
        digits = [int(c) for c in f"{base:08d}"]
        rest = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            return f"{base:08d}{check}"
        base += 1


SCHOOL_A, SCHOOL_B = org_number(1), org_number(2)
KINDERGARTEN_A, KINDERGARTEN_B = org_number(3), org_number(4)


def low_figures() -> list[dict[str, Any]]:
    """Survey figures well below every threshold."""
    return [{"year": y, "percent": 3.0, "respondents": 100} for y in (2017, 2018, 2019)]


def baseline() -> dict[str, Any]:
    """Everything known, every requirement met, no need met: not recommended."""
    return {
        "id": "test-1",
        "round": "pulje-5",
        "county": "50",
        "received": "2020-01-20",
        "municipality": {
            "number": "5001",
            "name": "Trondheim",
            "motivated": True,
            "supervision": [],
        },
        "participants": {"school_owner": True, "kindergarten_owner": True, "ppt": True},
        "schools": [
            {
                "org_number": SCHOOL_A,
                "name": "Nordby skole",
                "motivated": True,
                "bullying": low_figures(),
                "cases": [],
                "supervision": [],
            },
            {
                "org_number": SCHOOL_B,
                "name": "Sørby skole",
                "motivated": True,
                "bullying": low_figures(),
                "cases": [],
                "supervision": [],
            },
        ],
        "kindergartens": [
            {
                "org_number": KINDERGARTEN_A,
                "name": "Solsikken barnehage",
                "motivated": True,
                "feeds_schools": [],
                "known_challenges": False,
                "supervision": [],
            },
            {
                "org_number": KINDERGARTEN_B,
                "name": "Blåbær barnehage",
                "motivated": True,
                "feeds_schools": [],
                "known_challenges": False,
                "supervision": [],
            },
        ],
    }


def changed(**paths: Any) -> dict[str, Any]:
    """The baseline with dotted paths replaced: changed(**{"schools.0.motivated": None})."""
    data = copy.deepcopy(baseline())
    for dotted, value in paths.items():
        set_path(data, dotted, value)
    return data


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.0.b` in nested dicts/lists; a value of ... deletes the key."""
    parts = dotted.split(".")
    target: Any = data
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is ...:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value


_RULESET: RuleSet | None = None


def ruleset() -> RuleSet:
    """The shipped pulje-5 rules, loaded once."""
    global _RULESET
    if _RULESET is None:
        _RULESET = load_ruleset(RULES)
    return _RULESET


def application(data: dict[str, Any], rules: RuleSet | None = None) -> Application:
    """Validate test data as an application."""
    rs = rules or ruleset()
    return parse_application(data, rounds={rs.id: list(rs.counties)})


def decide(data: dict[str, Any], rules: RuleSet | None = None) -> Decision:
    """Validate and evaluate test data."""
    rs = rules or ruleset()
    return evaluate(application(data, rs), rs)


def status(decision: Decision, criterion: str, subject_id: str | None = None) -> str:
    """The status of a criterion for one subject (the only one when subject_id is None)."""
    found = [
        r
        for r in decision.criteria
        if r.criterion == criterion and (subject_id is None or r.subject.id == subject_id)
    ]
    assert len(found) == 1, f"{criterion}/{subject_id}: {len(found)} results"
    return found[0].status


def result(decision: Decision, criterion: str, subject_id: str | None = None) -> Any:
    """The criterion result for one subject."""
    return next(
        r
        for r in decision.criteria
        if r.criterion == criterion and (subject_id is None or r.subject.id == subject_id)
    )
