"""What every page shares (api/web/render.py): the role guard and the CSRF check."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.web.render import TEMPLATES
from engine import load_ruleset
from tests.api.web.conftest import (
    OTHER_ROUND,
    OTHER_TITLE,
    READER_KEY,
    ROOT,
    csrf_of,
    sign_in,
)
from tests.api.web.html_checks import visible_text

EXAMPLES = ROOT / "examples" / "pulje-5"
RULES = load_ruleset(ROOT / "rules" / "pulje-5")


def test_a_reader_may_read_but_not_evaluate(keyed_client: TestClient) -> None:
    sign_in(keyed_client, READER_KEY)
    assert keyed_client.get("/kriterier").status_code == 200
    assert keyed_client.get("/soknader.csv?fylke=50").status_code == 200
    r = keyed_client.get("/vurdering")
    assert r.status_code == 403 and "Ikke tilgang" in r.text
    token = csrf_of(keyed_client.get("/kriterier").text)
    text = (EXAMPLES / "trondheim-2020.yaml").read_text()
    r = keyed_client.post("/vurdering/fil", data={"csrf_token": token, "tekst": text})
    assert r.status_code == 403


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


# --- the round in the header ------------------------------------------------------------------


def _header(html: str) -> str:
    found = re.search(r'<p class="brand">(.*?)</p>', html, flags=re.S)
    assert found, "every page has the header"
    return visible_text(found.group(1))


def test_the_header_names_the_round_by_the_title_of_its_ruleset(open_client: TestClient) -> None:
    assert _header(open_client.get("/kriterier").text) == f"Utvalg {RULES.title}"
    assert _header(open_client.get("/vurderinger/ev-finnes-ikke").text) == f"Utvalg {RULES.title}"


def test_with_two_rounds_a_page_about_one_names_that_one(two_rounds_client: TestClient) -> None:
    both = _header(two_rounds_client.get("/kriterier").text)
    assert both == f"Utvalg {OTHER_TITLE} og {RULES.title}"  # in the order of their ids
    for round_id, title in ((OTHER_ROUND, OTHER_TITLE), ("pulje-5", RULES.title)):
        listing = two_rounds_client.get(f"/soknader?runde={round_id}&fylke=50").text
        assert _header(listing) == f"Utvalg {title}"
        assert f'<option value="{round_id}" selected>{round_id} ({title})</option>' in listing


def test_no_template_names_a_round() -> None:
    rounds = [p.name for p in (ROOT / "rules").iterdir() if (p / "ruleset.yaml").is_file()]
    assert rounds
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text().lower()
        for word in [*rounds, "pulje"]:
            assert word not in text, f"{template.name} names the round «{word}»"


def test_a_form_post_by_someone_not_signed_in_or_without_the_role_is_refused_unread(
    keyed_client: TestClient,
) -> None:
    # a body that cannot be read as a form: before, it was read first (400 «could not be read»)
    broken = {"Content-Type": "multipart/form-data; boundary=x"}
    for path in ("/vurdering", "/vurdering/fil"):
        r = keyed_client.post(
            path, content=b"--x\r\nNone--x--\r\n", headers=broken, follow_redirects=False
        )
        assert r.status_code == 303, (path, r.status_code)
        assert r.headers["location"].startswith("/logg-inn?neste=")
    sign_in(keyed_client, READER_KEY)
    for path in ("/vurdering", "/vurdering/fil"):
        r = keyed_client.post(path, content=b"--x\r\nNone--x--\r\n", headers=broken)
        assert r.status_code == 403 and "Ikke tilgang" in r.text, path
