"""`/`: the start page (api/web/pages/home.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_start_page_leads_to_the_criteria(open_client: TestClient) -> None:
    r = open_client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kriterier"
