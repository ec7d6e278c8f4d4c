"""Decisions stay byte-identical to the stored sample (tests/engine/pinned.py made it)."""

from __future__ import annotations

import pytest

from engine import load_ruleset
from engine.ruleset import RuleSet
from tests.engine import pinned


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(pinned.RULES)


def test_every_example_decides_as_the_stored_sample(ruleset: RuleSet) -> None:
    stored = pinned.read_examples()
    today = list(pinned.example_decisions(ruleset))
    assert len(today) == len(stored) == 14
    changed = [name for (name, after), before in zip(today, stored, strict=True) if after != before]
    assert changed == []


def test_the_generated_country_decides_as_the_stored_sample(ruleset: RuleSet) -> None:
    stored = pinned.read_national()
    today = list(pinned.national_digests(ruleset))
    assert len(today) == len(stored) == 356
    changed = [
        app_id
        for (app_id, digest), old in zip(today, stored, strict=True)
        if (app_id, digest) != old
    ]
    assert changed == []
