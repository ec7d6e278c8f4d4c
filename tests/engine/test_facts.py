"""engine.facts: the registry, the facts' declared parameters, and computing one stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.compile import field_name
from engine.facts.build import SubjectRef, build_stage, subject_key_of_fact, subjects_of
from engine.facts.core import VOCABULARY, Derived, FactContext, fact
from tests.builders import SCHOOL_A, application, changed, ruleset

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("cases", "deadline", "kindergartens", "participation", "supervision", "survey")


def test_every_domain_module_registers_facts() -> None:
    modules = {d.compute.__module__ for d in VOCABULARY.values()}
    assert modules == {f"engine.facts.{d}" for d in DOMAINS}


def test_every_fact_is_documented_for_the_advisers() -> None:
    guide = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    assert [name for name in VOCABULARY if f"`{name}`" not in guide] == []


def test_a_fact_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        fact("motivated", ["school"], "bool", "igjen")(lambda ctx: Derived(None))
    assert VOCABULARY["motivated"].compute.__module__ == "engine.facts.participation"


def test_facts_declare_the_parameters_they_read_with_types() -> None:
    assert dict(VOCABULARY["high_survey_years"].params) == {
        "years": "survey_years",
        "margin": "number",
    }
    assert dict(VOCABULARY["qualifying_cases"].params) == {
        "years": "year_list",
        "min_months_open": "int",
    }
    assert dict(VOCABULARY["deficient_supervisions"].params) == {"years": "year_list"}
    assert dict(VOCABULARY["motivated"].params) == {}


def _school_fact(name: str, data: dict[str, Any], **params: Any) -> Derived:
    app = application(data)
    school = app.schools[0]
    ctx = FactContext(
        kind="school",
        subject=school,
        path="schools[0]",
        application=app,
        params=params,
        ruleset=ruleset(),
    )
    return VOCABULARY[name].compute(ctx)


def test_a_figure_exactly_on_the_threshold_counts_as_high() -> None:
    # 6.6 (national average 2017) + 3.0 is 9.6 exactly, not 9.600000000000001
    rows = [{"year": 2017, "percent": 9.6, "respondents": 100}]
    derived = _school_fact(
        "high_survey_years", changed(**{"schools.0.bullying": rows}), years=[2017], margin=3.0
    )
    assert derived.value == 1
    assert derived.texts["survey_figures"] == "2017: 9,6 % (terskel 9,6 %, høyt)"


def test_qualifying_cases_count_complaints_complex_and_long_cases_in_the_years() -> None:
    cases = [
        {"year": 2018, "kind": "complaint"},
        {"year": 2018, "kind": "other", "months_open": 7},
        {"year": 2018, "kind": "other", "months_open": 2},
        {"year": 2015, "kind": "complaint"},
    ]
    derived = _school_fact(
        "qualifying_cases",
        changed(**{"schools.0.cases": cases}),
        years=[2017, 2018],
        min_months_open=6,
    )
    assert derived.value == 2
    assert derived.texts["case_list"] == "2018: klagesak og 2018: åpen i 7 måneder"


def test_an_unknown_value_names_what_is_missing() -> None:
    derived = _school_fact(
        "deficient_supervisions", changed(**{"schools.0.supervision": None}), years=[2019]
    )
    assert derived.value is None
    # the path stays technical; the text is the schema's Norwegian title, not "supervision"
    assert derived.missing == [("schools[0].supervision", "tilsynene")]


def test_build_stage_leaves_unknown_values_out_of_the_facts() -> None:
    rs = ruleset()
    app = application(changed(received=..., **{"schools.0.motivated": None}))
    subjects = subjects_of(app, "test-1")
    assert [s.kind for s in subjects[:3]] == ["application", "municipality", "school"]
    derivations: dict[str, dict[str, dict[str, Derived]]] = {}
    facts = build_stage(app, rs, subjects, 1, derivations)
    by_key = {subject_key_of_fact(f["id"]): f for f in facts}
    application_fact = by_key["application:test-1"]
    assert field_name("FRIST", "days_after_deadline") not in application_fact
    assert derivations["FRIST"]["application:test-1"]["days_after_deadline"].value is None
    school_fact = by_key[f"school:{SCHOOL_A}"]
    assert school_fact["t"] == "school" and school_fact["stage"] == 1
    assert field_name("K4", "motivated") not in school_fact
    assert school_fact[field_name("K1", "high_survey_years")] == 0


def test_subject_key() -> None:
    ref = SubjectRef("school", SCHOOL_A, "Nordby skole", "schools[0]", None)
    assert ref.key == f"school:{SCHOOL_A}"
    assert subject_key_of_fact(f"{ref.key}#2") == ref.key
