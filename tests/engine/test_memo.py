"""engine.memo: values made once per identity of rules objects."""

from __future__ import annotations

from typing import Any

from engine.memo import IdentityMemo


def test_the_same_objects_give_the_value_made_the_first_time() -> None:
    calls: list[tuple[Any, Any]] = []

    def make(first: Any, second: Any) -> int:
        calls.append((first, second))
        return len(calls)

    memo: IdentityMemo[int] = IdentityMemo(make)
    params, survey = {"years": [2019]}, {"2019": 6.0}
    assert memo.get(params, survey) == 1
    assert memo.get(params, survey) == 1
    assert calls == [(params, survey)]
    assert memo.get(params) == 2  # another pair: (params, None)


def test_equal_but_other_objects_are_made_anew() -> None:
    # a simulation's ruleset has equal parameters in new objects: never a stale value
    memo: IdentityMemo[int] = IdentityMemo(lambda first, _: id(first))
    first, second = {"years": [2019]}, {"years": [2019]}
    assert memo.get(first) == id(first)
    assert memo.get(second) == id(second)
    assert memo.get(first) == id(first)


def test_a_full_memo_is_emptied_and_still_answers() -> None:
    made: list[Any] = []
    memo: IdentityMemo[int] = IdentityMemo(lambda first, _: made.append(first) or len(made), 2)
    objects = [object() for _ in range(5)]
    for index, obj in enumerate(objects):
        assert memo.get(obj) == index + 1
    assert memo.get(objects[-1]) == 5  # the newest survived the emptying
    assert memo.get(objects[0]) == 6  # an old one is made again


def test_an_entry_holds_its_objects_so_their_ids_are_not_reused() -> None:
    memo: IdentityMemo[str] = IdentityMemo(lambda first, _: str(first["n"]))
    assert memo.get({"n": 0}) == "0"  # the dict has no other reference
    # were it freed, a new dict could take its id and get "0"; held, it cannot
    for n in range(1, 1000):
        assert memo.get({"n": n}) == str(n)
