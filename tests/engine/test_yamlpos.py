"""engine.yamlpos: YAML read with positions; aliases are refused, never expanded."""

from __future__ import annotations

import pytest

from engine import InvalidApplication, load_application_text
from engine.yamlpos import YamlProblem, load_positioned

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
