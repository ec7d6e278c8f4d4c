"""The application form: typed fields to an application and back, errors to their fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.form import (
    DATE_PATTERN,
    FormState,
    add_row,
    from_application,
    from_form,
    missing_basics,
    place_errors,
    to_application,
)
from engine import (
    InvalidApplication,
    evaluate,
    load_application_file,
    load_ruleset,
    parse_application,
)
from tests.api.web.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "pulje-5")
YEARS = sorted(RULES.survey.national_average)
EXAMPLES = sorted((ROOT / "examples" / "pulje-5").glob("*.yaml"))


def _submitted(state: FormState) -> FormState:
    """The state as the browser would post it back."""
    items = list(state.values.items())
    items += [(k, v) for k, values in state.multi.items() for v in values]
    items += [(f"count.{k}", str(n)) for k, n in state.counts.items()]
    return from_form(items, YEARS)


def _errors(fields: dict[str, str]) -> FormState:
    state = from_form(fields.items(), YEARS)
    raw, where = to_application(state)
    with pytest.raises(InvalidApplication) as exc:
        parse_application(raw, rounds={"pulje-5": list(RULES.counties)})
    place_errors(state, exc.value.diagnostics, where)
    return state


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_example_through_the_form_gives_the_same_decision(path: Path) -> None:
    app = load_application_file(path)
    raw, _ = to_application(_submitted(from_application(app, YEARS)))
    again = parse_application(raw)
    original, through_form = evaluate(app, RULES), evaluate(again, RULES)
    assert through_form.outcome == original.outcome
    assert through_form.score == original.score
    assert [(c.criterion, c.subject.id, c.status) for c in through_form.criteria] == [
        (c.criterion, c.subject.id, c.status) for c in original.criteria
    ]


def test_numbers_may_be_written_with_a_decimal_comma() -> None:
    state = from_form(
        {
            "schools.0.org_number": "998145422",
            "schools.0.name": "Lade skole",
            "schools.0.bullying.2017.percent": "9,6",
            "schools.0.bullying.2017.respondents": "1 212",
        }.items(),
        YEARS,
    )
    raw, _ = to_application(state)
    assert raw["schools"][0]["bullying"] == [
        {"year": 2017, "percent": 9.6, "respondents": 1212, "suppressed": False}
    ]


def test_empty_fields_are_unknown_never_false() -> None:
    state = from_form({"municipality.name": "Malvik", "schools.0.name": "Hommelvik"}.items(), YEARS)
    raw, _ = to_application(state)
    assert raw["municipality"]["motivated"] is None
    assert raw["participants"] == {"school_owner": None, "kindergarten_owner": None, "ppt": None}
    school = raw["schools"][0]
    assert school["bullying"] is None and school["cases"] is None
    assert school["supervision"] is None and school["motivated"] is None
    assert raw["kindergartens"] == []  # an untouched kindergarten is not a kindergarten


def test_a_list_may_be_none_or_unknown_or_listed() -> None:
    fields = {
        "schools.0.name": "A",
        "schools.0.cases.state": "none",
        "schools.0.supervision.state": "",
        "municipality.supervision.state": "listed",
        "municipality.supervision.0.year": "2018",
    }
    state = from_form(
        [*fields.items(), ("municipality.supervision.0.deficiencies", "routines")], YEARS
    )
    raw, _ = to_application(state)
    assert raw["schools"][0]["cases"] == []
    assert raw["schools"][0]["supervision"] is None
    assert raw["municipality"]["supervision"] == [{"year": 2018, "deficiencies": ["routines"]}]


def test_rows_under_none_are_an_error_at_the_select() -> None:
    state = from_form(
        {
            "schools.0.name": "A",
            "schools.0.cases.state": "none",
            "schools.0.cases.0.year": "2019",
            "schools.0.cases.0.kind": "complaint",
        }.items(),
        YEARS,
    )
    to_application(state)
    assert state.field_errors("schools.0.cases.state")


def test_errors_land_on_the_field_they_came_from() -> None:
    state = _errors(
        {
            "round": "pulje-5",
            "county": "",
            "municipality.number": "12345",
            "municipality.name": "Test",
            "schools.0.org_number": "998145423",
            "schools.0.name": "Skole",
            "schools.0.bullying.2019.percent": "140",
            "schools.0.cases.0.year": "2019",
            "schools.1.name": "Uten nummer",
            "count.schools": "2",
        }
    )
    assert state.field_errors("county") == ["Velg fylke."]
    number = state.field_errors("municipality.number")[0]
    assert "fire sifre" in number and "«number»" not in number  # no data jargon in a form
    assert "kontrollsiffer" in state.field_errors("schools.0.org_number")[0]
    assert "mellom 0 og 100" in state.field_errors("schools.0.bullying.2019.percent")[0]
    assert state.field_errors("schools.0.cases.0.kind") == ["Velg type sak."]
    assert state.field_errors("schools.1.org_number")
    assert not state.general
    # the summary at the top says where each error is
    summary = dict(state.error_list())
    assert summary["schools.0.bullying.2019.percent"].startswith(
        "Skole 1 (Skole), Elevundersøkelsen 2019: Prosentandelen må være mellom 0 og 100"
    )
    assert summary["schools.0.cases.0.kind"] == "Skole 1 (Skole), sak 1: Velg type sak."
    assert summary["schools.1.org_number"].startswith("Skole 2 (Uten nummer): ")
    assert summary["schools.1.org_number"].endswith("uten mellomrom.")  # not «men er tekst «»»


def test_a_unit_left_out_keeps_the_paths_of_the_next_one() -> None:
    # the second of three rows is empty, so the third school is schools[1] in the data
    state = _errors(
        {
            "round": "pulje-5",
            "county": "50",
            "municipality.number": "5001",
            "municipality.name": "Test",
            "schools.0.org_number": "998145422",
            "schools.0.name": "Første",
            "schools.2.org_number": "12",
            "schools.2.name": "Tredje",
            "count.schools": "3",
        }
    )
    assert state.field_errors("schools.2.org_number")
    assert not state.field_errors("schools.1.org_number")


def test_add_row_grows_only_the_list_asked_for() -> None:
    state = from_form([("count.schools", "2")], YEARS)
    assert add_row(state, "add:schools.1.cases")
    assert state.count("schools.1.cases") == 2 and state.count("schools") == 2
    assert add_row(state, "add:municipality.supervision")
    assert state.count("municipality.supervision") == 2
    assert not add_row(state, "evaluate")
    assert not add_row(state, "add:../../etc")


def test_a_norwegian_date_is_read_as_a_date() -> None:
    for typed, data in (("27.1.2020", "2020-01-27"), ("2020-01-27", "2020-01-27")):
        raw, _ = to_application(from_form([("received", typed)], YEARS))
        assert raw["received"] == data
    raw, _ = to_application(from_form([("received", "i går")], YEARS))
    assert raw["received"] == "i går"  # left for the engine to refuse, in Norwegian


def test_a_received_date_comes_back_to_the_form_as_dd_mm_yyyy() -> None:
    app = load_application_file(ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml")
    state = from_application(app, YEARS)
    assert re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}", state.value("received"))
    raw, _ = to_application(state)
    assert raw["received"] == app.received.isoformat() if app.received else False


def test_the_date_pattern_allows_both_forms_and_nothing_else() -> None:
    for typed in ("01.02.2020", "1.2.2020", "2020-02-01"):
        assert re.fullmatch(DATE_PATTERN, typed)
    for typed in ("02/01/2020", "1.2.20", "i går"):
        assert not re.fullmatch(DATE_PATTERN, typed)


def test_a_bad_dotted_date_is_said_in_the_form_s_own_words() -> None:
    state = from_form([("received", "31.02.2020")], YEARS)
    raw, fields = to_application(state)
    with pytest.raises(InvalidApplication) as info:
        parse_application(raw)
    place_errors(state, info.value.diagnostics, fields)
    (msg,) = state.field_errors("received")
    assert "«31.02.2020»" in msg and "dd.mm.åååå" in msg and "ÅÅÅÅ" not in msg


def test_what_a_bare_application_leaves_unknown_is_listed() -> None:
    typed = [("round", "pulje-5"), ("county", "50"), ("municipality.number", "5001")]
    typed.append(("municipality.name", "Trondheim"))
    raw, _ = to_application(from_form(typed, YEARS))
    parse_application(raw)  # valid: nothing is wrong, only unknown
    missing = dict(missing_basics(raw))
    assert set(missing) == {
        "received",
        "municipality.motivated",
        "participants.school_owner",
        "participants.kindergarten_owner",
        "participants.ppt",
        "schools.0.name",
        "kindergartens.0.name",
    }
    assert "mottatt-dato" in missing["received"] and "PPT" in missing["participants.ppt"]


def test_a_complete_application_misses_nothing() -> None:
    app = load_application_file(ROOT / "examples" / "pulje-5" / "steinkjer-2020.yaml")
    raw, _ = to_application(from_application(app, YEARS))
    assert missing_basics(raw) == []
