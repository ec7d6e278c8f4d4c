"""`/vurderinger/{ident}` (api/web/pages/decision.py): a stored decision."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.web.conftest import OTHER_ROUND, ROOT, csrf_of, upload
from tests.api.web.html_checks import check_page, visible_text

EXAMPLES = ROOT / "examples" / "pulje-5"


def test_an_incomplete_decision_says_what_is_missing(open_client: TestClient) -> None:
    r = open_client.get(upload(open_client, EXAMPLES / "malvik-2020.yaml"))
    text = visible_text(r.text)
    assert "Ufullstendig" in text and "Dette mangler" in text
    section = text.split("Dette mangler", 1)[1].split("Skoler og barnehager", 1)[0]
    # mid-sentence in lower case; in Norwegian, not the technical path
    assert "K6 for søknaden fra Malvik kommune" in section
    assert "om PPT deltar" in section and "participants.ppt" not in section


def test_a_name_ending_in_kommune_is_not_doubled(open_client: TestClient, tmp_path: Path) -> None:
    text = (
        (EXAMPLES / "malvik-2020.yaml").read_text().replace("name: Malvik", "name: Malvik kommune")
    )
    path = tmp_path / "malvik.yaml"
    path.write_text(text)
    page = visible_text(open_client.get(upload(open_client, path)).text)
    assert "Vurdering av søknaden fra Malvik kommune" in page
    # neither in the heading nor beside a subject's kind («Søknaden fra … søknaden»)
    assert "kommune kommune" not in page
    assert "Malvik kommune søknaden" not in page


def test_what_would_only_add_points_is_apart_from_what_blocks(
    open_client: TestClient, tmp_path: Path
) -> None:
    # Malvik: a need is met and PPT has not answered; Hommelvik's cases are left out too,
    # which could add points but does not keep the application from being decided
    text = (EXAMPLES / "malvik-2020.yaml").read_text().replace("cases: []", "cases: null", 1)
    path = tmp_path / "malvik.yaml"
    path.write_text(text)
    page = visible_text(open_client.get(upload(open_client, path)).text)
    blocking = page.split("Dette mangler", 1)[1].split("Dette kan gi flere poeng", 1)[0]
    optional = page.split("Dette kan gi flere poeng", 1)[1].split("Skoler og barnehager", 1)[0]
    assert "K6 for søknaden fra Malvik kommune" in blocking
    assert "Hommelvik skole" not in blocking
    assert "K2 for Hommelvik skole" in optional


def test_an_unknown_decision_is_a_page_not_found(open_client: TestClient) -> None:
    r = open_client.get("/vurderinger/ev-finnes-ikke")
    assert r.status_code == 404 and "Fant ikke vurderingen" in r.text
    check_page(r.text)


def _evaluate_in(client: TestClient, round_id: str) -> str:
    """Trondheim's application under a round; the decision page."""
    text = (EXAMPLES / "trondheim-2020.yaml").read_text()
    text = text.replace("round: pulje-5", f"round: {round_id}")
    token = csrf_of(client.get("/vurdering").text)
    r = client.post(
        "/vurdering/fil", data={"csrf_token": token, "tekst": text}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return client.get(r.headers["location"]).text


def test_the_labels_are_those_of_the_decisions_own_ruleset(two_rounds_client: TestClient) -> None:
    other = _evaluate_in(two_rounds_client, OTHER_ROUND)
    check_page(other)
    assert '<span class="visually-hidden">Utfall: </span>Tilrådd</h2>' in other
    assert '<span class="tag status-met">innfridd</span>' in other
    assert '<span class="tag status-met">oppfylt</span>' not in other
    own = _evaluate_in(two_rounds_client, "pulje-5")
    assert '<span class="visually-hidden">Utfall: </span>Anbefalt</h2>' in own
    assert '<span class="tag status-met">oppfylt</span>' in own
    listing = two_rounds_client.get(f"/soknader?runde={OTHER_ROUND}&fylke=50&utfall=recommended")
    assert "Viser bare «Tilrådd»" in visible_text(listing.text)
    assert 'data-rank="1"' in listing.text
