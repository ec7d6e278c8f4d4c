"""engine.characters: lone UTF-16 surrogates are found wherever they are, and only there."""

from __future__ import annotations

import datetime as dt
import json

from engine.characters import surrogate_problems, writable
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
