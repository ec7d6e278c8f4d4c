"""The docs pages (`/docs`, `/redoc`): Swagger UI and ReDoc with assets served by the service.

The assets come from the pinned `fastapi-offline` package (Swagger UI 5, which renders the
OpenAPI 3.1 document FastAPI publishes; `swagger-ui-bundle` ships Swagger UI 4, which cannot),
mounted under `/docs-statisk/`, so the pages work without internet access (CONTRACT 5).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS = "/docs-statisk"
ASSET_FOLDER = Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve the docs assets and the two pages that load them from this service."""
    app.mount(ASSETS, StaticFiles(directory=ASSET_FOLDER), name="docs-statisk")
    openapi_url = app.openapi_url or "/openapi.json"

    async def swagger_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API-dokumentasjon",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            # no badge that sends the document to an outside validator
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc_page() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API-dokumentasjon (ReDoc)",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route(DOCS_PATH, swagger_page, methods=["GET"], include_in_schema=False)
    app.add_api_route(REDOC_PATH, redoc_page, methods=["GET"], include_in_schema=False)
