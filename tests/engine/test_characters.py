"""engine.characters: lone UTF-16 surrogates are found wherever they are, and only there."""

from __future__ import annotations

import datetime as dt
import json

from engine.characters import _may_hold_surrogate, surrogate_problems, writable
from tests.engine.samples import full_application, refused_text

LONE = "\ud800"


def test_clean_data_of_every_kind_has_no_problem() -> None:
    # YAML gives dates and non-text keys; neither may be mistaken for a bad character
    data = {"received": dt.date(2020, 1, 20), 2019: [1, 2.5, None, True], "name": "Ålesund"}
    assert surrogate_problems(data) == []
    assert surrogate_problems(full_application()) == []


def test_a_surrogate_in_a_value_a_key_or_beside_a_date_is_named_by_its_path() -> None:
    data = full_application()
    data["schools"][1]["name"] = f"Nord{LONE}by"
    data["municipality"][f"motiv{LONE}"] = True
    data["received"] = dt.date(2020, 1, 20)
    found = {d.loc: d.code for d in surrogate_problems(data)}
    assert found == {
        ("schools", 1, "name"): "BAD_CHARACTER",
        ("municipality", writable(f"motiv{LONE}")): "BAD_CHARACTER",
    }
    assert all("U+D800" in d.message for d in surrogate_problems(data))


def test_an_escaped_surrogate_in_json_text_is_refused_with_its_field() -> None:
    data = full_application()
    data["municipality"]["name"] = f"Trondheim{LONE}"
    text = json.dumps(data)  # written as the escape \ud800
    (problem,) = refused_text(text)
    assert (problem.code, problem.loc) == ("BAD_CHARACTER", ("municipality", "name"))


def test_the_quick_check_says_may_hold_for_every_surrogate_and_only_then() -> None:
    clean = {"received": dt.date(2020, 1, 20), 2019: [1, 2.5, None, True], "name": "Ålesund 😀"}
    assert _may_hold_surrogate(clean) is False
    assert _may_hold_surrogate(full_application()) is False
    for codepoint in (0xD800, 0xDBFF, 0xDC00, 0xDFFF):
        lone = chr(codepoint)
        assert _may_hold_surrogate({"a": [{"b": f"x{lone}"}]}) is True
        assert _may_hold_surrogate({f"k{lone}": 1}) is True
        assert _may_hold_surrogate([lone + "\udc00"]) is True  # a pair written as two halves
    # what orjson cannot write is left to the walk, which finds the surrogate beside it
    huge = {"n": 2**70, "name": f"Nord{LONE}by"}
    assert _may_hold_surrogate(huge) is True
    assert [d.loc for d in surrogate_problems(huge)] == [("name",)]
    assert surrogate_problems({"n": 2**70, "name": "Nordby"}) == []
