"""What api/web/site.py adds besides the pages: the static files."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_static_files_are_served_locally(open_client: TestClient) -> None:
    r = open_client.get("/statisk/utvalg.css")
    assert r.status_code == 200 and "text/css" in r.headers["content-type"]
    assert "@import" not in r.text and "url(http" not in r.text
