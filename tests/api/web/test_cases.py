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
