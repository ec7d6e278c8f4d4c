"""The docs pages work without internet: every asset comes from the service itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_loads_nothing_from_outside(api: TestClient, page: str) -> None:
    r = api.get(page)
    assert r.status_code == 200
    html = r.text
    assert "http://" not in html and "https://" not in html, html
    assert "//" not in re.sub(r"<!--.*?-->", "", html).replace("://", ""), html
    urls = [a or b for a, b in ASSET.findall(html)]
    assert urls, html
    for url in urls:
        assert url.startswith("/"), url
        asset = api.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url


def test_swagger_ui_is_one_that_renders_openapi_3_1(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    js = api.get("/docs-statisk/swagger-ui-bundle.js").text
    # Swagger UI 4 refuses a 3.1 document ("does not specify a valid version field")
    assert re.search(r'"5\.\d+\.\d+"', js)
