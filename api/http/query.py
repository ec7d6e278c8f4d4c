"""Unknown query parameters are refused (422), not ignored: `?fylke=50` must not list all."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.http.problems import Problem, error


def known_parameters(route: APIRoute) -> list[str]:
    """The query parameters a route declares, in declaration order."""
    return list(dict.fromkeys(_query_names(route.dependant)))


def _query_names(dependant: Dependant) -> list[str]:
    names = [p.alias for p in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_names(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A dependency: 422 naming each unknown query parameter and the allowed ones."""
    # async although it never awaits: FastAPI runs a plain `def` dependency in a thread,
    # a hop per API request for a few microseconds of work
    if not request.scope.get("query_string"):  # nothing to refuse: most API requests
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = known_parameters(route)
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in allowed]
    if not unknown:
        return
    if allowed:
        hint = f"tillatt her er {_listed(allowed)}."
    else:
        hint = "denne adressen tar ingen parametere."
    raise Problem(
        422,
        "",
        "",
        errors=[
            error("UNKNOWN_PARAMETER", f"Ukjent parameter «{k}»; {hint}", ["query", k])
            for k in unknown
        ],
        detail="Forespørselen har ukjente parametere: " + ", ".join(unknown) + ".",
    )


def _listed(names: list[str]) -> str:
    quoted = [f"«{n}»" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " og " + quoted[-1]
