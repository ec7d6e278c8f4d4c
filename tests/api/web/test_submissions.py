"""The pages «Innstilling» and «Nasjonal oversikt»: blockers, the lock form, refusals, exports."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from api.app import create_app
from tests.api.http.test_rulesets import bump_version
from tests.api.web.conftest import ROOT, csrf_of, settings_for, sign_in
from tests.api.web.html_checks import check_page, visible_text
from tests.builders import baseline, decide

APPROVER_KEY = "godkjenner-nokkel-0123456789abcdef"
CASEWORKER_KEY = "saksbehandler-nokkel-0123456789"
READER_KEY = "leser-nokkel-0123456789abcdef"
KEYS = (
    f"godkjenner:approver:{APPROVER_KEY},saksbehandler:caseworker:{CASEWORKER_KEY},"
    f"leser:reader:{READER_KEY}"
)
# a supervision of the municipality with a deficiency: K3 met, the application recommended
DEFICIENT = [{"year": 2018, "deficiencies": ["practice"]}]
WHY = "Embetet har vurdert saken grundig og står ved forslaget."


def _application(number: str, name: str, *, need: bool) -> dict[str, Any]:
    """The baseline application as municipality `number` (its county from the number's first
    two digits); recommended when `need`."""
    data = baseline()
    municipality = dict(data["municipality"], number=number, name=name)
    if need:
        municipality["supervision"] = DEFICIENT
    data.update(county=number[:2], id=f"app-{number}", municipality=municipality)
    return data


def _api(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Keys for an approver, a caseworker and a reader; three cases in Vestland
    (46), not judged; two in Agder (42), judged and locked through the API; a case in Viken
    (30), judged."""
    folder = tmp_path_factory.mktemp("submissions")
    # a copy of the rules: the last test changes their version (every case becomes stale)
    shutil.copytree(ROOT / "rules" / "pulje-5", folder / "rules" / "pulje-5")
    app = create_app(settings_for(folder, api_keys=KEYS, rules_dir=folder / "rules"))
    with TestClient(app, base_url="https://testserver") as c:
        for number, name, need in (
            ("4601", "Bergen", True),
            ("4602", "Kinn", False),
            ("4640", "Sogndal", True),
            ("4201", "Risør", True),
            ("4203", "Arendal", False),
            ("3001", "Halden", True),
        ):
            data = _application(number, name, need=need)
            r = c.post("/v1/evaluations", json=data, headers=_api(CASEWORKER_KEY))
            assert r.status_code == 201, r.text
        _judge(c, "pulje-5:4201", "propose")
        _judge(c, "pulje-5:4203", "not_propose")
        _judge(c, "pulje-5:3001", "propose")
        r = c.post(
            "/v1/counties/42/submissions",
            json={"round": "pulje-5", "note": "Agders innstilling."},
            headers=_api(APPROVER_KEY),
        )
        assert r.status_code == 201, r.text
        yield c


def _as(client: TestClient, key: str) -> TestClient:
    client.cookies.clear()
    r = sign_in(client, key)
    assert r.status_code == 303  # type: ignore[attr-defined]
    return client


def _judge(client: TestClient, case: str, proposal: str) -> None:
    r = client.post(
        f"/v1/cases/{case}/judgement",
        json={"proposal": proposal, "justification": WHY},
        headers=_api(CASEWORKER_KEY),
    )
    assert r.status_code == 201, r.text


def _lock(client: TestClient, **fields: str) -> Any:
    page = client.get("/innstilling?fylke=46&runde=pulje-5")
    data = {"csrf_token": csrf_of(page.text), "fylke": "46", "runde": "pulje-5", **fields}
    return client.post("/innstilling", data=data, follow_redirects=False)


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/innstilling?fylke=46", "/nasjonal", "/nasjonal.xlsx", "/innstillinger/1.pdf"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn?"), path


def test_the_whole_path_from_blocked_to_locked_to_superseded(client: TestClient) -> None:
    assert decide(_application("4601", "Bergen", need=True)).outcome == "recommended"
    assert decide(_application("4602", "Kinn", need=False)).outcome == "not_recommended"

    # a reader sees the list and what blocks it, each case linked, but no lock form
    _as(client, READER_KEY)
    page = client.get("/innstilling?fylke=46&runde=pulje-5")
    assert page.status_code == 200
    check_page(page.text)
    text = visible_text(page.text)
    assert "Innstilling fra Vestland" in text and "Kapasitet: 2 kommuner" in text
    assert page.text.count('data-code="JUDGEMENT_MISSING"') == 3
    for case in ("pulje-5:4601", "pulje-5:4602", "pulje-5:4640"):
        assert f'href="/saker/{case}"' in page.text
    assert 'method="post" action="/innstilling"' not in page.text
    assert "Bare en godkjenner kan låse innstillingen." in text
    # a forged lock from the reader (with the reader's own CSRF token) is refused
    forged = client.post(
        "/innstilling",
        data={"csrf_token": csrf_of(page.text), "fylke": "46", "runde": "pulje-5"},
    )
    assert forged.status_code == 403 and "krever rollen" in visible_text(forged.text)

    # the approver's lock is refused while cases lack a judgement, each case named
    _as(client, APPROVER_KEY)
    refused = _lock(client, note="Første forsøk.")
    assert refused.status_code == 409
    check_page(refused.text)  # the lock form with its note, the blockers, the filter
    text = visible_text(refused.text)
    assert "Innstillingen ble ikke låst: 3 saker må vurderes eller skjønnsvurderes først." in text
    assert "Saken pulje-5:4602 (Kinn) har ikke noe skjønn" in text
    assert "Første forsøk." in refused.text  # the note is kept in the form
    assert "Ingen innstilling er låst for Vestland" in text

    # judged: proposals first, each group in ranking order; capacity marks the proposed
    _judge(client, "pulje-5:4601", "propose")
    _judge(client, "pulje-5:4640", "not_propose")
    _judge(client, "pulje-5:4602", "propose")
    page = client.get("/innstilling?fylke=46&runde=pulje-5")
    assert 'id="hindrer"' not in page.text
    order = [page.text.index(f'data-case="pulje-5:{n}"') for n in ("4601", "4602", "4640")]
    assert order == sorted(order)
    assert 'class="within" data-case="pulje-5:4602"' in page.text
    assert 'class="" data-case="pulje-5:4640"' in page.text

    too_long = _lock(client, note="x" * 5000)
    assert too_long.status_code == 422 and 'id="feil-note"' in too_long.text

    locked = _lock(client, note="Innstilling fra Statsforvalteren i Vestland.")
    assert locked.status_code == 303
    where = re.fullmatch(
        r"/innstilling\?fylke=46&runde=pulje-5#innstilling-(\d+)", locked.headers["location"]
    )
    assert where, locked.headers["location"]
    first = int(where.group(1))
    page = client.get("/innstilling?fylke=46&runde=pulje-5")
    text = visible_text(page.text)
    assert f"Nr. {first}, godkjent av godkjenner" in text and "gjeldende" in text
    assert f'href="/innstillinger/{first}.pdf"' in page.text
    assert f"Hvorfor erstatter denne innstillingen nr. {first}?" in text

    # a second lock supersedes the first and must say why, at the field
    no_reason = _lock(client, note="Ny liste.")
    assert no_reason.status_code == 422 and 'id="feil-reason"' in no_reason.text
    assert f"Fylket har allerede innstilling {first}" in visible_text(no_reason.text)
    again = _lock(client, note="Ny liste.", reason="Kinn sendte en bedre søknad.")
    assert again.status_code == 303
    second = int(again.headers["location"].rsplit("-", 1)[1])
    page = client.get("/innstilling?fylke=46&runde=pulje-5")
    check_page(page.text)  # the reason's field, the earlier submissions
    text = visible_text(page.text)
    assert f"Nr. {first}, godkjent av godkjenner" in text
    assert f"erstattet av nr. {second}" in text
    assert f"erstatter nr. {first}: Kinn sendte en bedre søknad." in text
    # the case page says the case was submitted (CONTRACT 6's status `submitted`)
    case_page = client.get("/saker/pulje-5:4601")
    assert '<strong id="status">Sendt inn</strong>' in case_page.text


def _agder(client: TestClient) -> dict[str, Any]:
    """Agder's newest submission, as the API gives it."""
    r = client.get("/v1/submissions?round=pulje-5", headers={"X-API-Key": READER_KEY})
    assert r.status_code == 200, r.text
    (sub,) = [s for s in r.json()["submissions"] if s["county"] == "42"]
    found: dict[str, Any] = sub
    return found


def test_a_reader_sees_the_national_view_and_downloads_the_exports(client: TestClient) -> None:
    sub = _agder(client)
    ident = sub["submission_id"]
    _as(client, READER_KEY)
    page = client.get("/nasjonal?runde=pulje-5")
    assert page.status_code == 200 and 'aria-current="page">Nasjonal oversikt' in page.text
    check_page(page.text)
    text = visible_text(page.text)
    assert re.search(r"[12] av 11 fylker har låst en innstilling", text)
    section = page.text[page.text.index('<section class="card county" id="fylke-42"') :]
    agder = visible_text(section.split("</section>")[0]).replace(" :", ":")
    assert f"Innstilling nr. {ident}, godkjent av godkjenner" in agder
    assert "Kapasitet: 2 kommuner." in agder and "1 kommune foreslått av 2 saker" in agder
    assert "Risør (4201)" in agder and "innenfor kapasiteten" in agder
    assert "Arendal" not in agder  # not proposed
    for unit in sub["entries"][0]["units"]:
        assert f"{unit['name']} ({unit['org_number']}): {unit['label']}" in agder
    assert "Kapasitet: 1 kommune." in text  # Nordland, without a submission
    assert f'href="/innstillinger/{ident}.xlsx"' in page.text

    book = load_workbook(io.BytesIO(client.get("/nasjonal.xlsx?runde=pulje-5").content))
    assert "42 Agder" in book.sheetnames and book.sheetnames == sorted(book.sheetnames)
    rows = list(book["42 Agder"].iter_rows(values_only=True))
    assert rows[0][:6] == ("Fylkesnr.", "Fylke", "Rang", "Kommunenr.", "Kommune", "Sak")
    expected = [
        (e["rank"], e["municipality"]["number"], u["org_number"] if u else None)
        for e in sub["entries"]
        for u in (e["units"] or [None])
    ]
    assert [(r[2], r[3], r[12]) for r in rows[1:]] == expected

    body = client.get(f"/innstillinger/{ident}.csv")
    assert body.headers["content-type"].startswith("text/csv")
    assert body.headers["content-disposition"] == (
        f'attachment; filename="innstilling-pulje-5-fylke-42-nr-{ident}.csv"'
    )
    parsed = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig")), delimiter=";"))
    assert [(int(p[2]), p[3], p[12] or None) for p in parsed[1:]] == expected
    sheet = load_workbook(io.BytesIO(client.get(f"/innstillinger/{ident}.xlsx").content))
    assert sheet.sheetnames == ["42 Agder"]
    pdf = client.get(f"/innstillinger/{ident}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    words = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Innstilling fra Agder (42)" in words and WHY in words and "Agders innstilling." in words

    missing = client.get("/innstillinger/999.pdf")
    assert missing.status_code == 404 and "ingen innstilling med nummer 999" in missing.text


def test_a_lock_without_a_valid_csrf_token_is_refused(client: TestClient) -> None:
    _as(client, APPROVER_KEY)
    r = client.post("/innstilling", data={"csrf_token": "feil", "fylke": "46", "runde": "pulje-5"})
    assert r.status_code == 403 and "sikkerhetskode" in r.text


def test_a_lock_for_no_county_is_refused(client: TestClient) -> None:
    _as(client, APPROVER_KEY)
    page = client.get("/innstilling")
    assert "Velg et fylke" in page.text
    r = client.post("/innstilling", data={"csrf_token": csrf_of(page.text), "fylke": "99"})
    assert r.status_code == 422 and "Velg et fylke" in r.text


def test_a_case_under_older_rules_blocks_and_is_evaluated_again_from_the_page(
    client: TestClient,
) -> None:
    """Last in this file: it changes the rules' version, so every case becomes stale."""
    _as(client, CASEWORKER_KEY)
    page = client.get("/innstilling?fylke=30&runde=pulje-5")
    assert 'id="hindrer"' not in page.text and 'data-case="pulje-5:3001"' in page.text

    app: Any = client.app
    bump_version(app.state.services.settings.rules_dir, "2020.1-ny")
    # loaded as at start (validated, without the reload's scenario gate in a subprocess,
    # which tests/api/http/test_rulesets.py covers): the same swap, in a fraction of the time
    app.state.services.rules.load()
    page = client.get("/innstilling?fylke=30&runde=pulje-5")
    assert 'data-code="CASE_STALE"' in page.text and 'href="/saker/pulje-5:3001"' in page.text
    assert "Halden (pulje-5:3001): Saken pulje-5:3001 (Halden) er ikke vurdert med reglene" in (
        visible_text(page.text).replace(" :", ":")
    )
    assert 'data-case="pulje-5:3001"' not in page.text  # not in the list while stale
    assert 'method="post" action="/innstilling"' not in page.text  # a caseworker cannot lock

    again = client.post(
        "/fylker/30/vurder-pa-nytt",
        data={"csrf_token": csrf_of(page.text), "runde": "pulje-5", "tilbake": "innstilling"},
        follow_redirects=False,
    )
    assert again.status_code == 303  # back to the page the button was pressed on
    assert again.headers["location"] == "/innstilling?fylke=30&runde=pulje-5"
    assert 'name="tilbake" value="innstilling"' in page.text
    page = client.get("/innstilling?fylke=30&runde=pulje-5")
    assert 'id="hindrer"' not in page.text and 'data-case="pulje-5:3001"' in page.text
    assert "versjon 2020.1-ny" in page.text
