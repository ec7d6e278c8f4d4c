"""engine.text: the one place for Norwegian numbers, dates, lists and templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.text import (
    compile_template,
    format_date,
    format_figure,
    format_fixed,
    format_number,
    format_value,
    in_sentence,
    join_list,
    number_word,
    placeholders,
    plural,
    render,
    sentence_start,
    single_spaced,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(9.6, "9,6"), (3.0, "3,0"), (10, "10"), (Decimal("9.60"), "9,6"), (6.6 + 3.0, "9,6")],
)
def test_format_number_uses_a_decimal_comma_and_keeps_one_decimal(
    value: float, expected: str
) -> None:
    assert format_number(value) == expected


def test_format_number_says_yes_and_no_for_booleans() -> None:
    assert (format_number(True), format_number(False)) == ("ja", "nei")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(9.6, "9,6"), (10.0, "10"), (5, "5"), (100.01, "100,01"), (1e16, "1e+16"), ("x", "x")],
)
def test_format_figure_writes_a_number_as_typed(value: object, expected: str) -> None:
    assert format_figure(value) == expected


def test_format_fixed_has_exactly_the_decimals_asked_for() -> None:
    assert format_fixed(12.345, 1) == "12,3"
    assert format_fixed(100, 1) == "100,0"
    assert format_fixed(0.5, 2) == "0,50"


def test_number_word_for_small_counts() -> None:
    assert [number_word(n) for n in (1, 2, 4, 9)] == ["ett", "to", "fire", "ni"]
    assert number_word(13) == "13"


def test_format_date_spells_the_month() -> None:
    assert format_date(dt.date(2020, 2, 1)) == "1. februar 2020"


def test_join_list_is_norwegian_prose() -> None:
    assert join_list([]) == "ingen"
    assert join_list([], empty="ukjent") == "ukjent"
    assert join_list(["a"]) == "a"
    assert join_list(["a", "", "b", "c"]) == "a, b og c"


def test_format_value_for_evidence() -> None:
    assert format_value(None) == "ukjent"
    assert format_value([2017, 2018]) == "2017 og 2018"
    assert format_value(dt.date(2020, 1, 15)) == "15. januar 2020"


def test_render_fills_known_placeholders_and_leaves_unknown_ones_visible() -> None:
    assert render("{a} av {b}  og {c}", {"a": 2, "b": 3.5}) == "2 av 3,5 og {c}"
    assert placeholders("{a} og {b}{a}") == ["a", "b", "a"]


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 dager"), (1, "1 dag"), (2, "2 dager"), (-1, "-1 dag")]
)
def test_plural_words_a_count_with_its_noun(n: int, expected: str) -> None:
    assert plural(n, "dag", "dager") == expected


def test_render_words_a_count_by_the_placeholder_form() -> None:
    template = "{d:dag|dager}, {s:sak|saker}, {k:skole|skoler} og {b:barnehage|barnehager}"
    assert render(template, {"d": 1, "s": 2, "k": 1, "b": 3}) == (
        "1 dag, 2 saker, 1 skole og 3 barnehager"
    )
    # the plural form is a placeholder like any other for the loader
    assert placeholders("{d:dag|dager} etter {deadline}") == ["d", "deadline"]
    # an unknown count is not worded: "ukjent", never "ukjent dager"
    assert render("{d:dag|dager}", {"d": None}) == "ukjent"


def test_sentence_case_changes_only_the_first_letter() -> None:
    assert in_sentence("Søknaden fra Malvik kommune") == "søknaden fra Malvik kommune"
    assert sentence_start("søknaden fra Malvik kommune") == "Søknaden fra Malvik kommune"


def test_a_template_is_compiled_once_and_renders_as_written() -> None:
    template = "{subject} har {n:sak|saker}  i {years}; {ukjent} og {n}."
    compiled = compile_template(template)
    assert compile_template(template) is compiled  # parsed once per distinct text
    assert compiled == (
        ("subject", None, None, "{subject}"),
        " har ",
        ("n", "sak", "saker", "{n:sak|saker}"),
        "  i ",
        ("years", None, None, "{years}"),
        "; ",
        ("ukjent", None, None, "{ukjent}"),
        " og ",
        ("n", None, None, "{n}"),
        ".",
    )
    values = {"subject": "Nordby skole", "n": 1, "years": [2017, 2018]}
    assert render(template, values) == "Nordby skole har 1 sak i 2017 og 2018; {ukjent} og 1."
    assert render("", {}) == ""
    assert render("ingen felt", {"a": 1}) == "ingen felt"


def test_format_number_of_a_float_is_its_decimal_form() -> None:
    # the fast way for floats against the definition: the decimal value, normalised
    samples = [0.0, -0.0, 0.5, 9.6, 9.600000000000001, 10.0, 100.0, 123.456, 6.6 + 3.0]
    samples += [1e-05, 1.5e-07, 1e16, 2.5e20, -3.25, 1 / 3, 2 / 3 * 100, 99.99999999999999]
    samples += [i / 10 for i in range(-50, 1000)] + [i / 7 for i in range(200)]
    for value in samples:
        text = f"{Decimal(str(value)).normalize():f}"
        expected = (text if "." in text else text + ".0").replace(".", ",")
        assert format_number(value) == expected, value


_WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*_WHITE_SPACE, "a", "ø", "\u200b", "\x00", "."])))
def test_single_spaced_is_splitting_and_joining(text: str) -> None:
    # every white space character of str.split, a zero-width space (not white space) and a
    # control character that is not white space either
    assert single_spaced(text) == " ".join(text.split())


def test_single_spaced_keeps_a_single_spaced_text_as_it_is() -> None:
    assert single_spaced("Nordby skole har høye tall.") == "Nordby skole har høye tall."
    assert single_spaced(" Nordby\u00a0 skole\n") == "Nordby skole"
    assert single_spaced("") == ""
