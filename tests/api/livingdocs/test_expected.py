"""api.livingdocs.expected: one failing step's expected value changed, every other byte kept."""

from __future__ import annotations

import pytest

from api.livingdocs.expected import NotRewritable, rewrite_expected, shown_value

FEATURE = """\
# language: no
Egenskap: K1
  Abstrakt Scenario: Terskelen
    Når søknaden vurderes
    Så er K1 for «Nordby skole» «<K1>»

    Eksempler:
      | 2017 | K1           | hvorfor |
      | 9,6  | oppfylt      | på      |
      | 9,5  | ikke oppfylt | under   |

  Scenario: Poeng
    Så er K1 for «Nordby skole» «oppfylt»
    Og er poengsummen 7
"""


def _changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]


def test_a_plain_step_gets_its_last_quoted_value_changed() -> None:
    new = rewrite_expected(FEATURE, 13, "ikke oppfylt", {})
    assert _changed_lines(FEATURE, new) == [
        (
            "    Så er K1 for «Nordby skole» «oppfylt»",
            "    Så er K1 for «Nordby skole» «ikke oppfylt»",
        )
    ]


def test_an_outline_changes_the_cell_of_the_row_that_ran() -> None:
    row = {"2017": "9,5", "K1": "ikke oppfylt", "hvorfor": "under"}
    new = rewrite_expected(FEATURE, 5, "oppfylt", row)
    assert _changed_lines(FEATURE, new) == [
        ("      | 9,5  | ikke oppfylt | under   |", "      | 9,5  | oppfylt      | under   |")
    ]


def test_a_trailing_number_is_changed() -> None:
    new = rewrite_expected(FEATURE, 14, "5", {})
    assert _changed_lines(FEATURE, new) == [("    Og er poengsummen 7", "    Og er poengsummen 5")]


def test_what_cannot_be_changed_is_refused() -> None:
    with pytest.raises(NotRewritable):
        rewrite_expected(FEATURE, 4, "x", {})  # a When-step has no value
    with pytest.raises(NotRewritable):
        rewrite_expected(FEATURE, 13, "a » b", {})
    with pytest.raises(NotRewritable):
        rewrite_expected(FEATURE, 5, "oppfylt", {"2017": "1,0", "K1": "x", "hvorfor": "y"})


def test_the_value_a_step_got_is_suggested() -> None:
    assert shown_value("«oppfylt» – Nordby skole har …") == "oppfylt"
    assert shown_value("5") == "5"
