"""Property tests over generated applications (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import baseline, decide, org_number

RANK = {"recommended": 0, "incomplete": 1, "not_recommended": 2}
tristate = st.sampled_from([True, False, None])
years = st.sampled_from([2015, 2016, 2017, 2018, 2019, 2020])


def survey() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "year": st.sampled_from([2016, 2017, 2018, 2019]),
            "percent": st.one_of(st.none(), st.sampled_from([2.0, 6.0, 9.0, 9.1, 9.6, 14.5])),
            "respondents": st.one_of(st.none(), st.sampled_from([0, 9, 10, 250])),
            "suppressed": st.booleans(),
        }
    )


def case() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "year": years,
            "kind": st.sampled_from(["complaint", "other"]),
            "complex": st.booleans(),
            "months_open": st.one_of(st.none(), st.integers(0, 12)),
        }
    )


def supervision() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "year": years,
            "deficiencies": st.lists(
                st.sampled_from(["practice", "routines", "system"]), max_size=2, unique=True
            ),
        }
    )


def maybe_list(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.lists(item, max_size=3))


def unique_years(rows: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return list({r["year"]: r for r in rows}.values())


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Any]:
    """A valid application with any mix of known, unknown, met and unmet facts."""
    data = copy.deepcopy(baseline())
    data["received"] = draw(st.sampled_from([None, "2020-01-15", "2020-02-01", "2020-02-10"]))
    data["county"] = draw(st.sampled_from(["50", "18"]))
    data["municipality"]["number"] = {"50": "5001", "18": "1804"}[data["county"]]
    data["municipality"]["motivated"] = draw(tristate)
    data["municipality"]["supervision"] = draw(maybe_list(supervision()))
    data["participants"] = {
        "school_owner": draw(tristate),
        "kindergarten_owner": draw(tristate),
        "ppt": draw(tristate),
    }
    n_schools = draw(st.integers(0, 3))
    schools = []
    for i in range(n_schools):
        private = draw(st.booleans())
        schools.append(
            {
                "org_number": org_number(10 + i),
                "name": f"Skole {i}",
                "motivated": draw(tristate),
                "bullying": unique_years(draw(maybe_list(survey()))),
                "cases": draw(maybe_list(case())),
                "supervision": draw(maybe_list(supervision())),
                **(
                    {
                        "owner": {
                            "name": "Privat AS",
                            "private": True,
                            "participates": draw(tristate),
                        }
                    }
                    if private
                    else {}
                ),
            }
        )
    data["schools"] = schools
    school_numbers = [s["org_number"] for s in schools]
    kindergartens = []
    for i in range(draw(st.integers(0, 2))):
        feeds = draw(
            st.one_of(
                st.none(),
                st.lists(st.sampled_from(school_numbers or ["974760673"]), max_size=2, unique=True),
            )
        )
        kindergartens.append(
            {
                "org_number": org_number(20 + i),
                "name": f"Barnehage {i}",
                "motivated": draw(tristate),
                "feeds_schools": feeds,
                "known_challenges": draw(tristate),
                "supervision": draw(maybe_list(supervision())),
            }
        )
    data["kindergartens"] = kindergartens
    return data


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(applications())
def test_evaluation_is_deterministic(data: dict[str, Any]) -> None:
    first = decide(data).model_dump(mode="json")
    assert decide(copy.deepcopy(data)).model_dump(mode="json") == first


def break_requirement(data: dict[str, Any], which: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    if which == "FRIST":
        data["received"] = "2020-03-01"
    elif which == "K4":
        data["municipality"]["motivated"] = False
    else:
        data["participants"]["ppt"] = False
    return data


@FAST
@given(applications(), st.sampled_from(["FRIST", "K4", "K6"]))
def test_failing_a_requirement_never_improves_the_outcome(data: dict[str, Any], which: str) -> None:
    before = decide(data)
    after = decide(break_requirement(data, which))
    assert RANK[after.outcome] >= RANK[before.outcome]
    assert after.outcome == "not_recommended"


@FAST
@given(applications())
def test_adding_a_met_need_keeps_a_recommendation(data: dict[str, Any]) -> None:
    before = decide(data)
    more = copy.deepcopy(data)
    more["municipality"]["supervision"] = [
        *(more["municipality"]["supervision"] or []),
        {"year": 2019, "deficiencies": ["system"]},
    ]
    after = decide(more)
    if before.outcome == "recommended":
        assert after.outcome == "recommended"
    assert RANK[after.outcome] <= RANK[before.outcome]
    assert after.score >= before.score
