"""Values derived from rules objects once, not once per application (keyed by identity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values made once per object (or pair of objects), found by the objects' identity.

    For what a ruleset's parameters give alike for every application (formatted parameters,
    survey thresholds, year lists). Each entry holds its objects, so their ids cannot be
    reused by other objects while cached; bounded, as simulations build rulesets of their
    own (the whole memo is emptied when full: the rules in use fill it again at once).
    `make` is a plain function of the objects, not a closure: this is on the path of every
    unit, where making a closure per call cost more than what it saved.
    """

    def __init__(self, make: Callable[[Any, Any], V], limit: int = 1_000) -> None:
        self._make = make
        self._limit = limit
        self._found: dict[tuple[int, int], tuple[Any, Any, V]] = {}

    def get(self, first: Any, second: Any = None) -> V:
        """The value for `first` (and `second`), made by `make(first, second)` the first time."""
        found = self._found.get((id(first), id(second)))
        if found is not None and found[0] is first and found[1] is second:
            return found[2]
        value = self._make(first, second)
        if len(self._found) >= self._limit:
            self._found.clear()
        self._found[(id(first), id(second))] = (first, second, value)
        return value
