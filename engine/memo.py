"""Values derived from rules objects once, not once per application (keyed by identity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values computed once per tuple of objects, found by the objects' identity.

    For what a ruleset's parameters give alike for every application (formatted parameters,
    survey thresholds, year lists). Each entry holds its objects, so their ids cannot be
    reused by other objects while cached; bounded, as simulations build rulesets of their
    own (the whole memo is emptied when full: the rules in use fill it again at once).
    """

    def __init__(self, limit: int = 1_000) -> None:
        self._limit = limit
        self._found: dict[tuple[int, ...], tuple[tuple[Any, ...], V]] = {}

    def get(self, make: Callable[[], V], *objects: Any) -> V:
        """The value for `objects`, made by `make()` the first time."""
        key = tuple(map(id, objects))
        found = self._found.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], objects, strict=True)):
            return found[1]
        value = make()
        if len(self._found) >= self._limit:
            self._found.clear()
        self._found[key] = (objects, value)
        return value
