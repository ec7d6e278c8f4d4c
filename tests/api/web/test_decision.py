"""`/vurderinger/{ident}` (api/web/pages/decision.py): a stored decision."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.web.conftest import ROOT, upload
from tests.api.web.html_checks import check_page, visible_text

EXAMPLES = ROOT / "examples"


def test_an_incomplete_decision_says_what_is_missing(open_client: TestClient) -> None:
    r = open_client.get(upload(open_client, EXAMPLES / "malvik-2020.yaml"))
    text = visible_text(r.text)
    assert "Ufullstendig" in text and "Dette mangler" in text
    section = text.split("Dette mangler", 1)[1].split("Skoler og barnehager", 1)[0]
    assert "K6 for Søknaden fra Malvik kommune" in section
    assert "participants.ppt" in section


def test_an_unknown_decision_is_a_page_not_found(open_client: TestClient) -> None:
    r = open_client.get("/vurderinger/ev-finnes-ikke")
    assert r.status_code == 404 and "Fant ikke vurderingen" in r.text
    check_page(r.text)
