"""Server tests of each page (FastAPI TestClient): content, errors, roles, sign-in, CSRF."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.web.form import from_application
from engine import evaluate, load_application_file, load_ruleset, rank, rankable
from tests.web.conftest import CASEWORKER_KEY, READER_KEY, ROOT, csrf_of
from tests.web.html_checks import check_page

EXAMPLES = ROOT / "examples" / "pulje-5"
RULES = load_ruleset(ROOT / "rules" / "pulje-5")
YEARS = sorted(RULES.survey.national_average)


def _text(html: str) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _upload(client: TestClient, path: Path) -> str:
    page = client.get("/vurdering")
    r = client.post(
        "/vurdering/fil",
        data={"csrf_token": csrf_of(page.text)},
        files={"fil": (path.name, path.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith("/vurderinger/ev-")
    return location


def _expected_ranking(county: str) -> list[str]:
    apps = [load_application_file(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    pairs = [rankable(a, evaluate(a, RULES)) for a in apps if a.county == county]
    return [e.application_id for e in rank(pairs, RULES).counties[0].ranking]


def _form_items(path: Path) -> list[tuple[str, str]]:
    state = from_application(load_application_file(path), YEARS)
    items = list(state.values.items())
    items += [(k, v) for k, values in state.multi.items() for v in values]
    items += [(f"count.{k}", str(n)) for k, n in state.counts.items()]
    return items


# --- Kriterier ---------------------------------------------------------------------------


def test_criteria_page_shows_the_ruleset_in_force(open_client: TestClient) -> None:
    r = open_client.get("/kriterier")
    assert r.status_code == 200
    check_page(r.text)
    text = _text(r.text)
    assert f"versjon {RULES.version}" in text
    assert RULES.digest in text
    assert "21. april 2020" in text  # the start-up gathering
    assert "1. september 2020 – 30. juni 2022" in text
    # every county with its deadline and capacity; Nordland's own deadline and capacity 1
    assert re.search(r"18 Nordland 14\. februar 2020 1 ", text)
    assert re.search(r"50 Trøndelag 1\. februar 2020 2 ", text)
    for c in RULES.criteria:
        assert c.title in text and c.source[0] in text
    assert "margin : 3,0" in text  # K1's parameter, as the rules say it
    assert "opplæringslova § 9 A-6".lower() in text.lower()
    # the outcome policy is read from the roles in the rules, not written into the page
    assert "Et krav (FRIST, K4 for kommunen og K6) som ikke er oppfylt" in text
    assert "Er et behov (K1, K2 og K3) oppfylt" in text


def test_the_criteria_link_to_the_living_documentation(open_client: TestClient) -> None:
    r = open_client.get("/kriterier")
    assert 'href="/dokumentasjon/">den levende dokumentasjonen</a>' in r.text
    assert 'href="/dokumentasjon/kriterium-k1.html">Scenarioer for K1' in r.text
    assert 'href="/dokumentasjon/">Scenarioer for K2' in r.text  # no page of its own (yet)
    page = open_client.get("/dokumentasjon/kriterium-k1.html")
    assert page.status_code == 200 and "Scenarioer" in page.text
    assert open_client.get("/dokumentasjon/").text.startswith("<!doctype html><title>Levende")
    assert open_client.get("/dokumentasjon", follow_redirects=False).status_code == 303
    for escape in ("/dokumentasjon/%2e%2e/hemmelig.txt", "/dokumentasjon/..%2fhemmelig.txt"):
        r = open_client.get(escape)
        assert r.status_code == 404 and "ikke del av" not in r.text


def test_without_generated_documentation_there_is_no_link(keyed_client: TestClient) -> None:
    _sign_in(keyed_client, READER_KEY)
    r = keyed_client.get("/kriterier")
    assert "/dokumentasjon/" not in r.text and "utvalg docs --out" in r.text
    r = keyed_client.get("/dokumentasjon/")
    assert r.status_code == 404 and "Dokumentasjonen er ikke laget ennå" in r.text


def test_start_page_leads_to_the_criteria(open_client: TestClient) -> None:
    r = open_client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kriterier"


def test_static_files_are_served_locally(open_client: TestClient) -> None:
    r = open_client.get("/statisk/utvalg.css")
    assert r.status_code == 200 and "text/css" in r.headers["content-type"]
    assert "@import" not in r.text and "url(http" not in r.text


# --- Ny vurdering -------------------------------------------------------------------------


def test_upload_an_example_shows_the_decision(open_client: TestClient) -> None:
    location = _upload(open_client, EXAMPLES / "trondheim-2020.yaml")
    r = open_client.get(location)
    assert r.status_code == 200
    check_page(r.text)
    expected = evaluate(load_application_file(EXAMPLES / "trondheim-2020.yaml"), RULES)
    text = _text(r.text)
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


def test_an_incomplete_decision_says_what_is_missing(open_client: TestClient) -> None:
    r = open_client.get(_upload(open_client, EXAMPLES / "malvik-2020.yaml"))
    text = _text(r.text)
    assert "Ufullstendig" in text and "Dette mangler" in text
    section = text.split("Dette mangler", 1)[1].split("Skoler og barnehager", 1)[0]
    assert "K6 for Søknaden fra Malvik kommune" in section
    assert "participants.ppt" in section


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
    shown = _text(open_client.get(r.headers["location"]).text)
    expected = evaluate(load_application_file(path), RULES)
    assert expected.label in shown and expected.summary in shown
    for c in expected.criteria:
        assert c.explanation in shown


def test_the_form_can_be_filled_from_a_stored_evaluation(open_client: TestClient) -> None:
    location = _upload(open_client, EXAMPLES / "vefsn-2020.yaml")
    r = open_client.get("/vurdering?fra=" + location.rsplit("/", 1)[1])
    assert r.status_code == 200
    assert 'value="Vefsn"' in r.text and 'value="vefsn-2020"' in r.text


def test_a_changed_application_without_id_replaces_the_old_one(open_client: TestClient) -> None:
    # Oslo (03), which no other test ranks
    original = (EXAMPLES / "narvik-2020.yaml").read_text().replace('county: "18"', 'county: "03"')
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
    assert listing.count("flere søknader") == 2  # Narvik twice, under two ids


def test_an_unknown_decision_is_a_page_not_found(open_client: TestClient) -> None:
    r = open_client.get("/vurderinger/ev-finnes-ikke")
    assert r.status_code == 404 and "Fant ikke vurderingen" in r.text
    check_page(r.text)


# --- Søknader ------------------------------------------------------------------------------


def _ranked_rows(html: str) -> list[tuple[str, str]]:
    """(rank or 'LINE', application id) in table order."""
    out = []
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html.split("<tbody>", 1)[1], flags=re.S):
        if "capacity-line" in row:
            out.append(("LINE", ""))
        else:
            rank_no = re.search(r'data-rank="(\d+)"', row)
            app = re.search(r'<a href="/vurderinger/[^"]+">([^<]+)</a>', row)
            assert rank_no and app
            out.append((rank_no.group(1), app.group(1)))
    return out


def test_the_county_is_ranked_with_the_capacity_line_after_the_last_within(
    open_client: TestClient,
) -> None:
    r = open_client.get("/soknader?fylke=50")
    assert r.status_code == 200
    check_page(r.text)
    rows = _ranked_rows(r.text)
    expected = _expected_ranking("50")
    assert [a for n, a in rows if n != "LINE"] == expected
    assert rows[2] == ("LINE", "")  # capacity 2: after the second
    assert rows[:2] == [("1", "trondheim-2020"), ("2", "steinkjer-2020")]
    r = open_client.get("/soknader?fylke=18")
    rows = _ranked_rows(r.text)
    assert rows[1] == ("LINE", "") and rows[0] == ("1", "rana-2020")  # Nordland: capacity 1


def test_the_outcome_filter_keeps_the_county_ranks(open_client: TestClient) -> None:
    r = open_client.get("/soknader?fylke=50&utfall=incomplete")
    rows = _ranked_rows(r.text)
    assert rows == [("4", "malvik-2020"), ("5", "namsos-2020")]
    assert "Kapasitetsgrensen går etter rang 2" in r.text


def test_no_county_chosen_asks_for_one(open_client: TestClient) -> None:
    r = open_client.get("/soknader")
    assert r.status_code == 200 and "Velg et fylke" in r.text
    check_page(r.text)


def test_csv_export_has_a_row_per_application(open_client: TestClient) -> None:
    r = open_client.get("/soknader.csv?fylke=50")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:9] == [
        "Rang", "Søknad", "Kommunenr.", "Kommune", "Fylke", "Mottatt", "Utfall", "Poeng",
        "Innenfor kapasitet",
    ]  # fmt: skip
    assert [h.split()[0] for h in header[9:]] == [c.id for c in RULES.criteria]
    assert [line.split(";")[1] for line in lines[1:]] == _expected_ranking("50")
    first = lines[1].split(";")
    assert first[6:9] == ["Anbefalt", "8", "Ja"]


def test_xlsx_export_opens_with_a_row_per_application(open_client: TestClient) -> None:
    r = open_client.get("/soknader.xlsx?fylke=18")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Rang" and rows[0][8] == "Innenfor kapasitet"
    assert [row[1] for row in rows[1:]] == _expected_ranking("18")
    assert rows[1][6:9] == ("Anbefalt", 6, "Ja") and rows[2][8] == "Nei"
    k6 = rows[0].index("K6 " + RULES.criterion("K6").title)
    by_id = {row[1]: row for row in rows[1:]}
    assert by_id["narvik-2020"][k6] == "ikke oppfylt"


def test_export_needs_a_county(open_client: TestClient) -> None:
    assert open_client.get("/soknader.xlsx").status_code == 422


# --- CSRF ------------------------------------------------------------------------------------


def test_a_form_without_a_valid_csrf_token_is_refused(open_client: TestClient) -> None:
    open_client.get("/vurdering")
    text = (EXAMPLES / "namsos-2020.yaml").read_text()
    before = open_client.get("/soknader?fylke=50").text.count("data-rank=")
    for data in ({"tekst": text}, {"tekst": text, "csrf_token": "0" * 64}):
        r = open_client.post("/vurdering/fil", data=data, follow_redirects=False)
        assert r.status_code == 403 and "Skjemaet ble avvist" in r.text
    # a token from another visitor's session does not fit this one
    other = TestClient(open_client.app, base_url="https://testserver")
    foreign = csrf_of(other.get("/vurdering").text)
    r = open_client.post("/vurdering/fil", data={"tekst": text, "csrf_token": foreign})
    assert r.status_code == 403
    assert open_client.get("/soknader?fylke=50").text.count("data-rank=") == before


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


def test_a_tampered_session_cookie_is_not_trusted(keyed_client: TestClient) -> None:
    token_page = keyed_client.get("/logg-inn")
    r = keyed_client.post(
        "/logg-inn",
        data={"csrf_token": csrf_of(token_page.text), "api_key": READER_KEY, "neste": "/"},
        follow_redirects=False,
    )
    cookie = r.cookies["utvalg_okt"]
    body, sig = cookie.split(".")
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(body + "=="))
    data["r"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    keyed_client.cookies.clear()
    keyed_client.cookies.set("utvalg_okt", f"{forged}.{sig}", domain="testserver")
    r = keyed_client.get("/vurdering", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")


# --- sign-in --------------------------------------------------------------------------------


def _sign_in(client: TestClient, key: str, next_path: str = "/") -> object:
    page = client.get("/logg-inn")
    return client.post(
        "/logg-inn",
        data={"csrf_token": csrf_of(page.text), "api_key": key, "neste": next_path},
        follow_redirects=False,
    )


def test_pages_need_sign_in_when_keys_are_configured(keyed_client: TestClient) -> None:
    for path in ("/kriterier", "/vurdering", "/soknader?fylke=50", "/soknader.xlsx?fylke=50"):
        r = keyed_client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/logg-inn?neste=%2F")
    page = keyed_client.get("/logg-inn")
    assert page.status_code == 200
    check_page(page.text)
    assert 'type="password" id="f-api_key" name="api_key"' in page.text


def test_sign_in_sets_a_secure_http_only_cookie_and_goes_on(keyed_client: TestClient) -> None:
    r = _sign_in(keyed_client, CASEWORKER_KEY, "/soknader?fylke=50")
    assert r.status_code == 303 and r.headers["location"] == "/soknader?fylke=50"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("utvalg_okt=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    assert CASEWORKER_KEY not in cookie  # the key itself is never in the cookie
    r = keyed_client.get("/vurdering")
    assert r.status_code == 200 and "Innlogget som" in r.text and "saksbehandler" in r.text


def test_a_wrong_key_is_refused_next_to_the_field(keyed_client: TestClient) -> None:
    r = _sign_in(keyed_client, "feil-nokkel-0123456789")
    assert r.status_code == 401
    assert 'id="f-api_key-feil"' in r.text and "API-nøkkelen er ukjent" in r.text
    assert keyed_client.get("/kriterier", follow_redirects=False).status_code == 303


def test_a_reader_may_read_but_not_evaluate(keyed_client: TestClient) -> None:
    _sign_in(keyed_client, READER_KEY)
    assert keyed_client.get("/kriterier").status_code == 200
    assert keyed_client.get("/soknader.csv?fylke=50").status_code == 200
    r = keyed_client.get("/vurdering")
    assert r.status_code == 403 and "Ikke tilgang" in r.text
    token = csrf_of(keyed_client.get("/kriterier").text)
    text = (EXAMPLES / "trondheim-2020.yaml").read_text()
    r = keyed_client.post("/vurdering/fil", data={"csrf_token": token, "tekst": text})
    assert r.status_code == 403


def test_sign_out_ends_the_session(keyed_client: TestClient) -> None:
    _sign_in(keyed_client, CASEWORKER_KEY)
    page = keyed_client.get("/kriterier")
    r = keyed_client.post(
        "/logg-ut", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/logg-inn"
    assert keyed_client.get("/kriterier", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_pages_on_this_site(keyed_client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = _sign_in(keyed_client, CASEWORKER_KEY, target)
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_without_keys_there_is_no_sign_in(open_client: TestClient) -> None:
    r = open_client.get("/logg-inn?neste=/soknader", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/soknader"
    r = open_client.get("/kriterier")
    assert "Logg ut" not in r.text and "Innlogget som" not in r.text
