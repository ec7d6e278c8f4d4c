"""A problem on a page's path, asked for by a browser, is a Norwegian page, not JSON."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _page(r: httpx.Response) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.text
    assert '<html lang="nb">' in r.text
    return r.text


def test_an_unknown_page_is_a_404_page(open_client: TestClient) -> None:
    r = open_client.get("/finnes-ikke", headers=HTML)
    assert r.status_code == 404
    text = _page(r)
    assert "Finnes ikke" in text and "Ingen ressurs på /finnes-ikke" in text
    assert 'href="/"' in text
    assert "set-cookie" not in r.headers  # a refusal starts no session


def test_a_cross_site_form_post_is_a_403_page(open_client: TestClient) -> None:
    headers = {**HTML, "Origin": "https://evil.example"}
    r = open_client.post("/vurdering", headers=headers, data={"a": "1"})
    assert r.status_code == 403
    assert "bare imot endringer fra sine egne sider" in _page(r)


def test_a_page_body_over_the_limit_is_a_413_page(open_client: TestClient) -> None:
    r = open_client.post("/vurdering", headers=HTML, content=b"a=" + b"x" * (2 * 1024 * 1024))
    assert r.status_code == 413
    assert "større enn grensen" in _page(r)
    assert r.headers["connection"] == "close"


def test_the_api_answers_problem_json_whatever_the_client_accepts(open_client: TestClient) -> None:
    for path in ("/v1/finnes-ikke", "/v1/cases/pulje-5:9999", "/openapi.jsonx"):
        r = open_client.get(path, headers=HTML)
        assert r.status_code == 404
        if path.startswith("/v1/"):
            assert r.headers["content-type"].startswith("application/problem+json"), path
    # a page without a browser's Accept (curl, scripts) still gets the problem as JSON
    r = open_client.get("/finnes-ikke")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["code"] == "NOT_FOUND"
