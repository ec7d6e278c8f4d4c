"""engine.yamlpos: YAML read with positions; aliases are refused, never expanded."""

from __future__ import annotations

import pytest
import yaml

from engine import InvalidApplication, load_application_text, yamlpos
from engine.yamlpos import YamlProblem, load_lazily, load_positioned

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

# «billion laughs», three levels deep (10**3 copies if expanded; the real attack has nine)
LAUGHS = """\
round: pulje-5
a: &a ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
"""


def test_an_alias_is_refused_with_its_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_positioned("navn: &n Nordby\nskole: *n\n", "s.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == "BAD_VALUE" and "alias" in d.message
    assert (d.location.file, d.location.line) == ("s.yaml", 2)


def test_nested_aliases_are_refused_once_each_not_expanded() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_positioned(LAUGHS)
    # one refusal per alias written in the text (20), not one per expanded copy (1,100)
    assert len(caught.value.diagnostics) == 20
    assert {d.code for d in caught.value.diagnostics} == {"BAD_VALUE"}


def test_an_application_pasted_with_aliases_is_refused_whole() -> None:
    with pytest.raises(InvalidApplication) as caught:
        load_application_text(LAUGHS)
    assert "BAD_VALUE" in {d.code for d in caught.value.diagnostics}


def test_an_anchor_without_an_alias_is_harmless() -> None:
    assert load_positioned("navn: &n Nordby\n").data == {"navn": "Nordby"}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000,
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 100)),
    ],
)
def test_deep_nesting_is_refused_with_a_message_not_a_recursion_error(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_positioned(text, "s.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == "TOO_DEEP" and "64" in d.message
    assert d.location.file == "s.yaml" and d.location.line is not None


def test_a_document_with_too_many_values_is_refused() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_positioned("[" + "1, " * 60_000 + "]")
    assert [d.code for d in caught.value.diagnostics] == ["TOO_MANY_VALUES"]


@pytest.mark.parametrize("text", ["[" * 10_000 + "]" * 10_000, "a: &a [*a]"])
def test_a_pasted_application_nested_too_deep_or_recursive_is_refused_whole(text: str) -> None:
    with pytest.raises(InvalidApplication) as caught:
        load_application_text(text)
    assert {d.code for d in caught.value.diagnostics} <= {"TOO_DEEP", "BAD_VALUE"}


# Documents both readers accept: the fast one must give the same data and positions.
SAME_EITHER_WAY = [
    "round: pulje-5\nreceived: 2020-01-20\nschools:\n  - name: Nordby skole\n    n: 3\n",
    "2019: 7.5\n'2018': x\nyes: 1\nno: ~\n",
    "a: [1, 2.5, 'tekst', null, true]\nb: {c: d}\n",
    '{"a": 1, "b": [1, 2]}',
    "",
    "- 1\n- 2\n",
    "tekst: 'Barn og unge'\ntall: 1e5\n",
]


@pytest.mark.parametrize("text", SAME_EITHER_WAY)
def test_the_fast_reader_reads_as_the_positioned_one(text: str) -> None:
    slow, fast = load_positioned(text, "f.yaml"), load_lazily(text, "f.yaml")
    assert fast.data == slow.data
    assert [type(k) for k in (fast.data or {})] == [type(k) for k in (slow.data or {})]
    assert fast.positions == slow.positions
    assert fast.location(("a",)) == slow.location(("a",))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: 1\na: 2\n", "DUPLICATE_KEY"),
        ("navn: &n Nordby\nskole: *n\n", "BAD_VALUE"),
        ("a: !eget x\n", "BAD_VALUE"),
        ("received: 2020-13-45\n", "BAD_DATE"),
        ("1.5: x\n", "BAD_TYPE"),
        ("a: [1\n", "YAML_SYNTAX"),
        ("b: {}\n<<: {a: 1}\n", "BAD_VALUE"),
    ],
)
def test_the_fast_reader_leaves_the_unusual_to_the_positioned_one(text: str, code: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_lazily(text, "f.yaml")
    assert caught.value.diagnostics[0].code == code
    assert caught.value.diagnostics[0].location.line is not None


def test_a_deep_or_large_document_is_left_to_the_positioned_reader() -> None:
    # beyond the fast reader's bounds, within the positioned reader's (MAX_DEPTH, MAX_NODES)
    deep = "a: " + "[" * 61 + "]" * 61 + "\n"
    wide = "a: [" + ", ".join(["1"] * 46_000) + "]\n"
    for text in (deep, wide):
        # the data as the fast reader (libyaml) reads it, not the slow pure-Python loader
        assert not yamlpos._small(yaml.load(text, Loader=yaml.CSafeLoader))
        assert load_lazily(text).data == load_positioned(text).data
    assert yamlpos._small(yaml.safe_load("a: [[1, 2], {b: 3}]\n"))
