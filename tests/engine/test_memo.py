"""engine.memo: values made once per identity of rules objects."""

from __future__ import annotations

from engine.memo import IdentityMemo


def test_the_same_objects_give_the_value_made_the_first_time() -> None:
    memo: IdentityMemo[int] = IdentityMemo()
    params, survey = {"years": [2019]}, {"2019": 6.0}
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    assert memo.get(make, params, survey) == 1
    assert memo.get(make, params, survey) == 1
    assert calls == [1]


def test_equal_but_other_objects_are_made_anew() -> None:
    # a simulation's ruleset has equal parameters in new objects: never a stale value
    memo: IdentityMemo[str] = IdentityMemo()
    first, second = {"years": [2019]}, {"years": [2019]}
    assert memo.get(lambda: "first", first) == "first"
    assert memo.get(lambda: "second", second) == "second"
    assert memo.get(lambda: "again", first) == "first"


def test_a_full_memo_is_emptied_and_still_answers() -> None:
    memo: IdentityMemo[int] = IdentityMemo(limit=2)
    objects = [object() for _ in range(5)]
    for index, obj in enumerate(objects):
        assert memo.get(lambda index=index: index, obj) == index
    assert memo.get(lambda: 99, objects[-1]) == 4  # the newest survived the emptying
    assert memo.get(lambda: 99, objects[0]) == 99  # an old one is made again


def test_an_entry_holds_its_objects_so_their_ids_are_not_reused() -> None:
    memo: IdentityMemo[str] = IdentityMemo()
    memo.get(lambda: "kept", {"a": 1})  # the dict has no other reference
    # were it freed, a new dict could take its id and get "kept"; held, it cannot
    for _ in range(1000):
        assert memo.get(lambda: "new", {"a": 1}) == "new"
