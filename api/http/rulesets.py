"""`/v1/rulesets`: the rules in use, and reloading them (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.deps import services
from api.http.openapi import responses
from api.http.problems import Problem, invalid
from api.http.schemas import ReloadResult, RulesetDetail, RulesetList
from api.keys import Caller
from api.registry import Snapshot
from engine import RuleSet
from engine.decision import RulesetRef

router = APIRouter(prefix="/v1", tags=["regelsett"])


def _summary(rs: RuleSet, snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": rs.id,
        "version": rs.version,
        "title": rs.title,
        "digest": rs.digest,
        "loaded_at": snapshot.loaded_at,
        "links": {"self": f"/v1/rulesets/{rs.id}"},
    }


def _refs(snapshot: Snapshot | None) -> list[RulesetRef]:
    if snapshot is None:
        return []
    return [
        RulesetRef(id=rs.id, version=rs.version, digest=rs.digest)
        for rs in snapshot.rulesets.values()
    ]


def ruleset_detail(rs: RuleSet, snapshot: Snapshot) -> dict[str, Any]:
    """A ruleset as `GET /v1/rulesets/{id}` shows it."""
    return _summary(rs, snapshot) | {
        "source": rs.source,
        "round": jsonable_encoder(rs.round.model_dump()),
        "survey": jsonable_encoder(rs.survey.model_dump()),
        "counties": [
            {"number": n, "name": c.name, "deadline": c.deadline, "capacity": c.capacity}
            for n, c in rs.counties.items()
        ],
        "criteria": [
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "source": list(c.source),
                "applies_to": list(c.applies_to),
                "roles": dict(c.roles),
                "weight": c.weight,
                "parameters": jsonable_encoder(c.parameters),
                "explanation": dict(c.explanation),
            }
            for c in rs.criteria
        ],
    }


@router.get(
    "/rulesets",
    summary="Regelsettene i bruk",
    response_model=RulesetList,
    responses=responses(200, 401, ok_example="ruleset_list"),
)
def list_rulesets(
    request: Request, caller: Annotated[Caller, Depends(require("reader"))]
) -> RulesetList:
    """The rulesets in use, with version and digest."""
    snapshot = services(request).rules.current
    return RulesetList.model_validate(
        {"rulesets": [_summary(rs, snapshot) for rs in snapshot.rulesets.values()]}
    )


@router.get(
    "/rulesets/{id}",
    summary="Ett regelsett med kriterier, roller, parametre, fylker og frister",
    response_model=RulesetDetail,
    responses=responses(200, 404, 401, ok_example="ruleset_detail"),
)
def get_ruleset(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> RulesetDetail:
    """A ruleset's criteria (titles, roles, parameters) and its version and digest."""
    snapshot = services(request).rules.current
    rs = snapshot.rulesets.get(id)
    if rs is None:
        known = ", ".join(sorted(snapshot.rulesets))
        raise Problem(
            404,
            "RULESET_NOT_FOUND",
            f"Ukjent regelsett «{id}». I bruk: {known}.",
            loc=["path", "id"],
        )
    return RulesetDetail.model_validate(ruleset_detail(rs, snapshot))


@router.post(
    "/rulesets:reload",
    summary="Last reglene på nytt (bare hvis de er gyldige og alle scenarioene består)",
    response_model=ReloadResult,
    responses=responses(200, 422, 401, 403, ok_example="reload"),
)
async def reload_rulesets(
    request: Request, caller: Annotated[Caller, Depends(require("admin"))]
) -> ReloadResult:
    """Reload the rules; on any problem keep the rules in use and answer 422."""
    registry = services(request).rules
    report = await run_in_threadpool(registry.reload)
    if not report.ok:
        problem = invalid(report.problems)
        in_use = ", ".join(f"{r.id} {r.digest}" for r in _refs(report.previous))
        problem.detail = (
            f"De nye reglene ble avvist ({len(report.problems)} feil); tjenesten bruker "
            f"fortsatt {in_use}."
        )
        raise problem
    message = "Nye regler er i bruk." if report.changed else "Reglene er uendret; ingenting lastet."
    return ReloadResult(
        changed=report.changed,
        message=message,
        rulesets=_refs(report.current),
        previous=_refs(report.previous),
    )
