"""`/dokumentasjon`: the living documentation that `utvalg docs` wrote, behind sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.http.deps import services
from api.web.render import DOCS_PATH, docs_root, guard, message, sessions

router = APIRouter(include_in_schema=False)


@router.get("/dokumentasjon")
def docs_index(request: Request) -> Response:
    """The documentation's own relative links need the trailing slash."""
    return RedirectResponse(DOCS_PATH, 303)


@router.get("/dokumentasjon/{page:path}")
def docs_file(request: Request, page: str = "") -> Response:
    """A page of the living documentation that `utvalg docs` wrote to UTVALG_DOCS_DIR."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    root = docs_root(request)
    target = (root / (page or "index.html")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():
        lines = [f"Fant ikke «{page or 'index.html'}» i den levende dokumentasjonen."]
        if not (root / "index.html").is_file():
            lines.append(
                "Dokumentasjonen er ikke laget ennå. Lag den med "
                f"«utvalg docs --out {services(request).settings.docs_dir}»."
            )
        return message(
            request,
            visitor,
            "Fant ikke siden",
            lines,
            status=404,
            back=("/kriterier", "Til kriteriene"),
        )
    return FileResponse(target, headers={"Cache-Control": "no-cache"})
