"""`/healthz` (the process answers) and `/readyz` (rules loaded, database reachable)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.http.deps import services
from api.http.openapi import responses
from api.http.problems import Problem
from api.http.schemas import Health, Ready
from engine.decision import RulesetRef

router = APIRouter(tags=["drift"])


@router.get(
    "/healthz",
    summary="Lever tjenesten?",
    response_model=Health,
    responses=responses(200, ok_example="health"),
)
async def healthz() -> Health:
    """Liveness: the server answers."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Er tjenesten klar? Regler lastet og database tilgjengelig",
    response_model=Ready,
    responses=responses(200, 503, ok_example="ready"),
)
def readyz(request: Request) -> Ready:
    """Readiness: rules loaded and the database reachable; names the digests in use."""
    svc = services(request)
    if not svc.rules.loaded():
        raise Problem(503, "RULES_NOT_LOADED", "Reglene er ikke lastet ennå.")
    try:
        svc.log.ping()
    except Exception as exc:
        raise Problem(
            503, "DATABASE_UNREACHABLE", f"Databasen svarer ikke ({type(exc).__name__})."
        ) from None
    return Ready(
        status="ready",
        rulesets=[
            RulesetRef(id=rs.id, version=rs.version, digest=rs.digest)
            for rs in svc.rules.current.rulesets.values()
        ],
        database="ok",
        workers=svc.pool.alive(),
    )
