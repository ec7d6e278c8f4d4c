"""api.web.rules_form: the rules page's typed fields, reading a posted form, errors at fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.web.rules_form import FieldGroup, form_fields, parse_value, place, posted_values
from engine import InvalidRules
from engine.simulate import current_files, load_draft, set_values
from tests.builders import ruleset

K1 = "criteria/k1-hoye-mobbetall.yaml"


@pytest.fixture(scope="module")
def groups() -> list[FieldGroup]:
    return form_fields(current_files(ruleset()), ruleset())


def _field(groups: list[FieldGroup], name: str) -> object:
    return next(f for g in groups for f in g.fields if f.name == name)


def _shown(groups: list[FieldGroup]) -> dict[str, str]:
    return {f.name: f.value for g in groups for f in g.fields}


def test_each_value_gets_the_input_of_its_type(groups: list[FieldGroup]) -> None:
    kinds = {f.name: f.kind for g in groups for f in g.fields}
    assert kinds[f"{K1}|parameters.margin"] == "number"
    assert kinds[f"{K1}|parameters.years"] == "years"
    assert kinds["ruleset.yaml|counties.18.deadline"] == "date"
    assert kinds["ruleset.yaml|counties.18.capacity"] == "int"
    assert kinds["ruleset.yaml|survey.national_average.2017"] == "number"
    assert kinds["ruleset.yaml|survey.min_respondents"] == "int"
    assert kinds[f"{K1}|title"] == "text"
    assert kinds[f"{K1}|explanation.met"] == "longtext"
    assert kinds["ruleset.yaml|labels.outcome.recommended"] == "text"
    assert "ruleset.yaml|version" not in kinds and "ruleset.yaml|id" not in kinds


def test_numbers_are_shown_and_read_with_a_decimal_comma(groups: list[FieldGroup]) -> None:
    assert _shown(groups)[f"{K1}|parameters.margin"] == "3,0"
    assert parse_value("number", "2,5") == 2.5
    assert parse_value("number", " 2.5 ") == 2.5
    assert parse_value("number", "2") == 2
    assert parse_value("int", "3") == 3
    assert parse_value("date", "2020-02-14") == dt.date(2020, 2, 14)
    assert parse_value("years", "2017, 2018 2019") == [2017, 2018, 2019]
    assert parse_value("number", "mye") == "mye"  # the loader refuses it


def test_the_form_as_shown_changes_no_byte(groups: list[FieldGroup]) -> None:
    files = current_files(ruleset())
    edited = dict(files)
    set_values(edited, posted_values(groups, _shown(groups)))
    assert edited == files


def test_a_changed_margin_changes_only_its_line(groups: list[FieldGroup], tmp_path: Path) -> None:
    files = current_files(ruleset())
    form = _shown(groups) | {f"{K1}|parameters.margin": "2,5"}
    edited = dict(files)
    set_values(edited, posted_values(groups, form))
    changed = [n for n in files if files[n] != edited[n]]
    assert changed == [K1]
    old, new = files[K1].splitlines(), edited[K1].splitlines()
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [
        ("  margin: 3.0", "  margin: 2.5")
    ]
    draft = load_draft(edited, tmp_path, ruleset())
    assert draft.criterion("K1").parameters["margin"] == 2.5


def test_the_loaders_diagnostics_land_at_their_fields(
    groups: list[FieldGroup], tmp_path: Path
) -> None:
    form = _shown(groups) | {
        f"{K1}|parameters.margin": "mye",
        "ruleset.yaml|counties.50.capacity": "-1",
        "ruleset.yaml|round.project_end": "2022-13-01",
    }
    edited = current_files(ruleset())
    set_values(edited, posted_values(groups, form))
    with pytest.raises(InvalidRules) as refused:
        load_draft(edited, tmp_path, ruleset())
    at, rest = place(refused.value.diagnostics, groups)
    assert rest == []
    assert [d.code for d in at[f"{K1}|parameters.margin"]] == ["BAD_TYPE"]
    assert [d.code for d in at["ruleset.yaml|counties.50.capacity"]] == ["OUT_OF_RANGE"]
    assert [d.code for d in at["ruleset.yaml|round.project_end"]] == ["BAD_DATE"]
