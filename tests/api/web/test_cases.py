"""The case page: versions, the judgement form and its field errors, withdraw with a reason."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.api.web.conftest import csrf_of
from tests.api.web.html_checks import visible_text
from tests.builders import baseline, decide


def test_the_case_page_judgement_errors_and_withdrawal(open_client: TestClient) -> None:
    # Innlandet (34), which no other test of this folder ranks
    data = baseline()
    data.update(county="34", id="hamar-2020")
    data["municipality"] = dict(data["municipality"], number="3403", name="Hamar")
    for received in ("2020-01-20", "2020-01-24"):
        assert (
            open_client.post("/v1/evaluations", json=dict(data, received=received)).status_code
            == 201
        )
    outcome = decide(data).outcome
    depart = "propose" if outcome != "recommended" else "not_propose"
    page = open_client.get("/saker/pulje-5:3403")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Eksempeldata" in text  # this app serves the examples (seed_examples)
    assert "Hamar" in text and "2 versjoner" in text and "2020-01-20 → 2020-01-24" in text

    token = csrf_of(page.text)
    r = open_client.post(
        "/saker/pulje-5:3403/skjonn", data={"csrf_token": token, "proposal": depart}
    )
    assert r.status_code == 422 and 'id="feil-justification"' in r.text
    assert "Skriv en begrunnelse for skjønnet." in r.text
    why = "Embetet kjenner til store utfordringer i kommunen."
    r = open_client.post(
        "/saker/pulje-5:3403/skjonn",
        data={"csrf_token": token, "proposal": depart, "justification": why},
        follow_redirects=True,
    )
    assert r.status_code == 200 and why in r.text and "avviker fra beregnet utfall" in r.text
    pdf = open_client.get("/saker/pulje-5:3403/dokument.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert why in text and "Hamar" in text

    r = open_client.post(
        "/saker/pulje-5:3403/lukk", data={"csrf_token": token, "status": "withdrawn"}
    )
    assert r.status_code == 422 and 'id="feil-reason"' in r.text
    r = open_client.post(
        "/saker/pulje-5:3403/lukk",
        data={"csrf_token": token, "status": "withdrawn", "reason": "Trukket i brev."},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "Saken er trukket: Trukket i brev." in visible_text(r.text)
    assert "Hamar" not in open_client.get("/soknader?fylke=34").text
    assert open_client.get("/saker/pulje-5:9999").status_code == 404


def test_the_ranking_page_shows_the_office_proposal_beside_each_case(
    open_client: TestClient,
) -> None:
    # Møre og Romsdal (15), which no other test of this folder ranks
    def entered(number: str, name: str, received: str) -> dict[str, object]:
        data = baseline()
        data.update(county="15", id=f"k{number}-2020", received=received)
        data["municipality"] = dict(data["municipality"], number=number, name=name)
        assert open_client.post("/v1/evaluations", json=data).status_code == 201
        return data

    molde = entered("1506", "Molde", "2020-01-20")
    entered("1507", "Ålesund", "2020-01-21")
    outcome = decide(molde).outcome
    depart = "propose" if outcome != "recommended" else "not_propose"
    why = "Embetet kjenner til store utfordringer i kommunen."
    judged = open_client.post(
        "/v1/cases/pulje-5:1506/judgement", json={"proposal": depart, "justification": why}
    )
    assert judged.status_code == 201
    entered("1506", "Molde", "2020-01-25")  # a new version: the judgement is outdated

    page = open_client.get("/soknader?fylke=15")
    assert page.status_code == 200
    rows = {
        name: visible_text(row)
        for row in page.text.split("<tr")[1:]
        for name in ("Molde", "Ålesund")
        if f">{name}</a>" in row
    }
    label = "Foreslås" if depart == "propose" else "Foreslås ikke"
    assert label in rows["Molde"]
    assert "avviker fra beregnet utfall" in rows["Molde"]
    assert "utdatert: ny versjon kom etterpå" in rows["Molde"]
    assert "ikke vurdert" in rows["Ålesund"] and "Foreslås" not in rows["Ålesund"]
    # the same proposal the API ranking gives
    ranked = open_client.post("/v1/rankings", json={"county": "15"}).json()
    api = {e["case_id"]: e for e in ranked["counties"][0]["ranking"]}
    assert api["pulje-5:1506"]["proposal"] == depart
    assert api["pulje-5:1506"]["departs"] is True
    assert api["pulje-5:1506"]["judgement_outdated"] is True
    assert api["pulje-5:1507"]["proposal"] is None


def test_reevaluating_a_county_returns_only_to_a_page_that_has_the_button(
    open_client: TestClient,
) -> None:
    token = csrf_of(open_client.get("/vurdering").text)
    for given, expected in [
        ("", "/soknader?fylke=34&runde=pulje-5"),
        ("innstilling", "/innstilling?fylke=34&runde=pulje-5"),
        ("https://andre.example/", "/soknader?fylke=34&runde=pulje-5"),
    ]:
        done = open_client.post(
            "/fylker/34/vurder-pa-nytt",
            data={"csrf_token": token, "runde": "pulje-5", "tilbake": given},
            follow_redirects=False,
        )
        assert (done.status_code, done.headers["location"]) == (303, expected)
