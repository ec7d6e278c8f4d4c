"""`/vurdering` and `/vurdering/fil` (api/web/pages/evaluation_form.py): form, upload, storing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web.form import from_application
from engine import evaluate, load_application_file, load_ruleset
from tests.api.web.conftest import ROOT, csrf_of, settings_for, upload
from tests.api.web.html_checks import check_page, visible_text

EXAMPLES = ROOT / "examples" / "pulje-5"
RULES = load_ruleset(ROOT / "rules" / "pulje-5")
YEARS = sorted(RULES.survey.national_average)


def _form_items(path: Path) -> list[tuple[str, str]]:
    state = from_application(load_application_file(path), YEARS)
    items = list(state.values.items())
    items += [(k, v) for k, values in state.multi.items() for v in values]
    items += [(f"count.{k}", str(n)) for k, n in state.counts.items()]
    return items


def test_upload_an_example_shows_the_decision(open_client: TestClient) -> None:
    location = upload(open_client, EXAMPLES / "trondheim-2020.yaml")
    r = open_client.get(location)
    assert r.status_code == 200
    check_page(r.text)
    expected = evaluate(load_application_file(EXAMPLES / "trondheim-2020.yaml"), RULES)
    text = visible_text(r.text)
    assert '<h2 id="utfall"><span class="visually-hidden">Utfall: </span>Anbefalt</h2>' in r.text
    assert expected.summary in text
    for c in expected.criteria:
        assert c.explanation in text
    for u in expected.units:
        assert re.search(rf"{re.escape(u.name)} (skole|barnehage) {u.org_number} {u.label}", text)
    # a chart per school, with a text alternative
    assert r.text.count('<svg class="chart" role="img"') == 3
    assert "Mobbetall for Lade skole per år mot terskelen" in r.text
    assert "Dette mangler" not in text


def test_an_invalid_upload_is_refused_with_line_numbers_and_the_text_kept(
    open_client: TestClient,
) -> None:
    page = open_client.get("/vurdering")
    typed = (EXAMPLES / "trondheim-2020.yaml").read_text().replace('"998145422"', '"998145423"')
    r = open_client.post("/vurdering/fil", data={"csrf_token": csrf_of(page.text), "tekst": typed})
    assert r.status_code == 422
    check_page(r.text)
    assert re.search(r"linje \d+, kolonne \d+ · schools\[0\]\.org_number: ", r.text)
    assert "feil kontrollsiffer" in r.text
    assert "998145423" in r.text.split('<textarea id="f-tekst"', 1)[1]  # what was pasted stays
    assert 'aria-invalid="true"' in r.text


def test_a_yaml_mistake_in_the_paste_box_is_named_in_norwegian(open_client: TestClient) -> None:
    page = open_client.get("/vurdering")
    typed = (
        (EXAMPLES / "trondheim-2020.yaml").read_text().replace("round: pulje-5", "round pulje-5")
    )
    line = typed.splitlines().index("round pulje-5") + 1
    r = open_client.post("/vurdering/fil", data={"csrf_token": csrf_of(page.text), "tekst": typed})
    assert r.status_code == 422
    check_page(r.text)
    text = visible_text(r.text)
    assert f"linje {line}, kolonne 1: Linje {line} mangler kolon etter nøkkelen" in text
    assert "«round: pulje-5»" in text
    assert "expected" not in text and "could not find" not in text


def test_a_file_over_the_limit_is_refused_with_a_page(open_client: TestClient) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    big = b"# " + b"x" * (600 * 1024)
    r = open_client.post(
        "/vurdering/fil",
        data={"csrf_token": token},
        files={"fil": ("stor.yaml", big, "application/yaml")},
    )
    assert r.status_code == 413 and "Filen er større enn 512 KiB" in r.text
    check_page(r.text)
    big_field = {"csrf_token": token, "tekst": "x" * (600 * 1024)}
    r = open_client.post("/vurdering/fil", files={"fil": ("", b"")}, data=big_field)
    assert r.status_code == 400 and "Skjemaet kunne ikke leses" in r.text


def test_the_form_page_has_labelled_fields(open_client: TestClient) -> None:
    r = open_client.get("/vurdering")
    assert r.status_code == 200
    page = check_page(r.text)
    names = {f.get("name") for f in page.fields}
    for year in YEARS:
        assert f"schools.0.bullying.{year}.percent" in names
    assert {"municipality.number", "participants.ppt", "kindergartens.0.feeds_schools"} <= names


def test_an_invalid_form_shows_errors_next_to_the_fields_and_keeps_what_was_typed(
    open_client: TestClient,
) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    before = open_client.get("/soknader?fylke=50").text.count('class="capacity-line"')
    form = {
        "csrf_token": token,
        "round": "pulje-5",
        "county": "50",
        "municipality.number": "50O1",  # a letter O, not a zero
        "municipality.name": "Trondheim",
        "schools.0.org_number": "998145422",
        "schools.0.name": "Lade skole",
        "schools.0.bullying.2017.percent": "ni komma seks",
        "schools.0.bullying.2018.percent": "9,1",
        "count.schools": "1",
        "action": "evaluate",
    }
    r = open_client.post("/vurdering", data=form)
    assert r.status_code == 422
    check_page(r.text)
    # the message sits right before its field, which points to it
    number = re.search(
        r'<p class="error-message" id="f-municipality-number-feil">(.*?)</p>\s*'
        r'<input type="text" id="f-municipality-number" name="municipality.number" '
        r'value="50O1"[^>]*aria-describedby="[^"]*f-municipality-number-feil"[^>]*'
        r'aria-invalid="true"',
        r.text,
    )
    assert number and "fire sifre" in number.group(1)
    assert 'id="f-schools-0-bullying-2017-percent-feil"' in r.text
    assert 'value="ni komma seks"' in r.text and 'value="9,1"' in r.text
    assert 'value="Lade skole"' in r.text
    assert '<option value="50" selected>' in r.text
    # the summary at the top links to the fields
    assert 'href="#f-municipality-number"' in r.text
    assert "<title>Feil i søknaden" in r.text
    # nothing was stored
    assert open_client.get("/soknader?fylke=50").text.count('class="capacity-line"') == before


def test_add_row_keeps_values_and_evaluates_nothing(open_client: TestClient) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    r = open_client.post(
        "/vurdering",
        data={
            "csrf_token": token,
            "round": "pulje-5",
            "municipality.name": "Verdal",
            "count.schools": "1",
            "count.schools.0.cases": "1",
            "action": "add:schools.0.cases",
        },
    )
    assert r.status_code == 200
    assert 'name="schools.0.cases.1.year"' in r.text and 'value="Verdal"' in r.text
    assert "error-summary" not in r.text
    r = open_client.post(
        "/vurdering",
        data={"csrf_token": token, "round": "pulje-5", "action": "add:schools"},
    )
    assert 'name="schools.1.org_number"' in r.text


def test_a_filled_form_gives_the_same_decision_as_the_file(open_client: TestClient) -> None:
    path = EXAMPLES / "steinkjer-2020.yaml"
    token = csrf_of(open_client.get("/vurdering").text)
    data: dict[str, list[str]] = {"csrf_token": [token], "action": ["evaluate"]}
    for name, value in _form_items(path):
        data.setdefault(name, []).append(value)
    r = open_client.post("/vurdering", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    shown = visible_text(open_client.get(r.headers["location"]).text)
    expected = evaluate(load_application_file(path), RULES)
    assert expected.label in shown and expected.summary in shown
    for c in expected.criteria:
        assert c.explanation in shown


def test_the_form_can_be_filled_from_a_stored_evaluation(open_client: TestClient) -> None:
    location = upload(open_client, EXAMPLES / "vefsn-2020.yaml")
    r = open_client.get("/vurdering?fra=" + location.rsplit("/", 1)[1])
    assert r.status_code == 200
    assert 'value="Vefsn"' in r.text and 'value="vefsn-2020"' in r.text


def test_a_changed_application_without_id_replaces_the_old_one(open_client: TestClient) -> None:
    # Oslo (03), which no other test ranks
    original = (
        (EXAMPLES / "narvik-2020.yaml")
        .read_text()
        .replace('county: "18"', 'county: "03"')
        .replace('number: "1806"', 'number: "0301"')
    )
    assert 'county: "03"' in original
    locations = []
    for text in (original.replace("id: narvik-2020\n", ""), original):
        token = csrf_of(open_client.get("/vurdering").text)
        r = open_client.post(
            "/vurdering/fil", data={"csrf_token": token, "tekst": text}, follow_redirects=False
        )
        locations.append(r.headers["location"])
    derived = re.search(r"<code>(s-[0-9a-f]+)</code>", open_client.get(locations[0]).text)
    assert derived, "the service gives an application without id an id of its own"
    page = open_client.get("/vurdering?fra=" + locations[0].rsplit("/", 1)[1])
    assert f'value="{derived.group(1)}"' in page.text  # kept when the form is sent again
    listing = open_client.get("/soknader?fylke=03").text
    # Oslo twice, under two ids: one case with two versions, one place in the ranking
    assert listing.count("data-rank=") == 1 and "flere søknader" not in listing


def test_a_form_with_a_stale_token_comes_back_with_what_was_typed(
    open_client: TestClient,
) -> None:
    before = open_client.get("/soknader?fylke=50").text.count("data-rank=")
    r = open_client.post(
        "/vurdering",
        data={
            "csrf_token": "utlopt-kode",
            "round": "pulje-5",
            "county": "50",
            "municipality.number": "5001",
            "municipality.name": "Trondheim",
            "action": "evaluate",
        },
    )
    assert r.status_code == 403
    assert "sikkerhetskoden (CSRF) var utløpt" in r.text and 'value="Trondheim"' in r.text
    assert csrf_of(r.text) != "utlopt-kode"  # a fresh token to send it again with
    assert open_client.get("/soknader?fylke=50").text.count("data-rank=") == before


def test_a_log_that_cannot_be_written_is_a_503_page_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    app = create_app(settings_for(tmp_path))
    with TestClient(app, base_url="https://testserver") as client:
        engine = client.app.state.services.log.engine
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE evaluations RENAME TO evaluations_gone")
        token = csrf_of(client.get("/vurdering").text)
        text = (EXAMPLES / "trondheim-2020.yaml").read_text()
        r = client.post(
            "/vurdering/fil", data={"csrf_token": token, "tekst": text}, follow_redirects=False
        )
        assert r.status_code == 503
        check_page(r.text)
        shown = visible_text(r.text)
        assert "Vurderingen kunne ikke lagres" in shown
        assert "Ingenting er lagret" in shown
        with engine.begin() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM evaluations_gone").scalar()
        assert stored == 0


def _bare_form(token: str, **more: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "round": "pulje-5",
        "county": "50",
        "municipality.number": "5001",
        "municipality.name": "Trondheim",
        "action": "evaluate",
    }
    form.update(more)
    return form


def test_a_bare_application_shows_what_is_missing_before_it_is_stored(
    open_client: TestClient,
) -> None:
    before = open_client.get("/soknader?fylke=50").text.count("data-rank=")
    token = csrf_of(open_client.get("/vurdering").text)
    r = open_client.post("/vurdering", data=_bare_form(token), follow_redirects=False)
    assert r.status_code == 200
    check_page(r.text)
    shown = visible_text(r.text)
    assert "dette mangler" in shown
    for text in ("Mottatt-dato", "Om PPT deltar", "Skoler: ingen skole", "Barnehager: ingen"):
        assert text in shown
    assert 'href="#f-received"' in r.text and 'href="#f-participants-ppt"' in r.text
    assert 'value="Trondheim"' in r.text  # what was typed stays
    assert open_client.get("/soknader?fylke=50").text.count("data-rank=") == before
    # the rådgiver may evaluate it as it is
    anyway = _bare_form(csrf_of(r.text), action="evaluate-anyway")
    assert 'value="evaluate-anyway"' in r.text
    r = open_client.post("/vurdering", data=anyway, follow_redirects=False)
    assert r.status_code == 303
    # no school and no kindergarten: K6 is not met
    assert "Ikke anbefalt" in visible_text(open_client.get(r.headers["location"]).text)


def test_a_dotted_date_is_kept_when_the_form_comes_back_and_the_hint_agrees(
    open_client: TestClient,
) -> None:
    page = open_client.get("/vurdering").text
    field = re.search(r'<input type="([a-z]+)" id="f-received"[^>]*>', page)
    assert field and field.group(1) == "text"  # no browser date widget saying mm/dd/yyyy
    assert 'pattern="' in field.group(0)
    assert "dd.mm.åååå" in page and "ÅÅÅÅ-MM-DD" not in page.split('id="skjema"', 1)[1]
    form = _bare_form(csrf_of(page), received="01.02.2020", **{"municipality.number": "50O1"})
    r = open_client.post("/vurdering", data=form)
    assert r.status_code == 422
    assert re.search(r'id="f-received" name="received" value="01.02.2020"', r.text)
    form = _bare_form(csrf_of(r.text), received="31.02.2020")
    r = open_client.post("/vurdering", data=form)
    assert r.status_code == 422
    assert "«31.02.2020» er ikke en gyldig dato" in r.text


def test_a_dotted_date_is_read_as_the_received_date(open_client: TestClient) -> None:
    path = EXAMPLES / "steinkjer-2020.yaml"
    token = csrf_of(open_client.get("/vurdering").text)
    data: dict[str, list[str]] = {"csrf_token": [token], "action": ["evaluate"]}
    for name, value in _form_items(path):
        data.setdefault(name, []).append(value)
    assert re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}", data["received"][0])
    r = open_client.post("/vurdering", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    expected = evaluate(load_application_file(path), RULES)
    frist = next(c for c in expected.criteria if c.criterion == "FRIST")
    assert frist.explanation in visible_text(open_client.get(r.headers["location"]).text)


def test_a_municipality_outside_the_county_is_said_next_to_its_number(
    open_client: TestClient,
) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    r = open_client.post("/vurdering", data=_bare_form(token, **{"municipality.number": "1804"}))
    assert r.status_code == 422
    found = re.search(r'<p class="error-message" id="f-municipality-number-feil">(.*?)</p>', r.text)
    assert found and "1804 hører ikke til fylke 50" in found.group(1)
    assert "«" not in found.group(1)  # no data field names in the form


# --- hostile posts: a form error, never a 500 or a giant page --------------------------


@pytest.mark.parametrize(
    ("pasted", "code_word"),
    [
        ("a: &a [*a]", "alias"),
        ("[" * 10_000 + "]" * 10_000, "nøstet dypere enn 64"),
        ('round: pulje-5\nmunicipality: {name: "Tr\\ud800ondheim"}', "U+D800"),
        ("round: pulje-5\nreceived: " + "9" * 5000, "5000 sifre"),
    ],
)
def test_a_hostile_paste_is_refused_with_a_form_error(
    open_client: TestClient, pasted: str, code_word: str
) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    r = open_client.post("/vurdering/fil", data={"csrf_token": token, "tekst": pasted})
    assert r.status_code == 422
    assert code_word in r.text


@pytest.mark.parametrize("years", ["²", "9" * 5000, "2017,²", ",".join(["2017"] * 2000)])
def test_odd_survey_years_in_the_form_are_a_form_error(open_client: TestClient, years: str) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    form = {"csrf_token": token, "round": "pulje-5", "years": years, "count.schools": "200"}
    r = open_client.post("/vurdering", data={**form, "action": "add:schools"})
    assert r.status_code == 422
    assert "høyst 10 år fra Elevundersøkelsen" in r.text
    assert len(r.content) < 4 * 1024 * 1024


def test_the_form_caps_its_rows_with_a_form_error(open_client: TestClient) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    form = {"csrf_token": token, "round": "pulje-5", "count.schools": "100"}
    r = open_client.post("/vurdering", data={**form, "action": "add:schools"})
    assert r.status_code == 422 and "høyst 100 skoler" in r.text
    assert 'name="schools.99.name"' in r.text and 'name="schools.100.name"' not in r.text
    form = {**form, "count.schools": "5000", "count.schools.0.cases": "999999"}
    r = open_client.post("/vurdering", data=form)
    assert r.status_code == 422 and "høyst 100 skoler" in r.text and "høyst 20 saker" in r.text
