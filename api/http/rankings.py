"""`/v1/rankings`: rank given applications, or the stored cases of one county."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.case_ranking import rank_cases
from api.http.case_schemas import CaseRanking
from api.http.deps import services
from api.http.inputs import applications_or_422, read_json
from api.http.offload import off_loop
from api.http.openapi import body_doc, responses
from api.http.pipeline import evaluate
from api.http.problems import Problem, error
from api.http.records import ruleset_header
from api.keys import Caller
from api.registry import Snapshot
from engine import Application, Rankable, Ranking, RuleSet, municipality_clashes, rank

router = APIRouter(prefix="/v1", tags=["rangering"])


@router.post(
    "/rankings",
    summary="Ranger søknader per fylke mot fylkets kapasitet, eller et fylkes lagrede saker",
    response_model=Ranking | CaseRanking,
    responses=responses(200, 422, 409, 401, 403, 413, 415, ok_example="ranking"),
    openapi_extra=body_doc("RankingRequest", "ranking_request"),
)
async def create_ranking(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("caseworker"))],
) -> Any:
    """Evaluate the given applications (not stored) and rank them, or rank a county's cases."""
    svc = services(request)
    snapshot = svc.rules.current
    body = await read_json(request)
    data = body.data
    if isinstance(data, dict) and "applications" not in data and "county" in data:
        ruleset, county = _county_and_round(snapshot, data)
        histories = await run_in_threadpool(svc.cases.histories, round_id=ruleset.id, county=county)
        return JSONResponse(
            rank_cases(histories, ruleset, county),
            headers={"Utvalg-Ruleset": ruleset_header(ruleset)},
        )
    else:
        checked = await off_loop(
            request,
            partial(
                applications_or_422,
                data,
                snapshot,
                max_units=svc.settings.max_units,
                max_count=svc.settings.max_batch,
                what="Rangeringen",
            ),
        )
        rounds = sorted({app.round for _, app, _ in checked})
        if len(rounds) > 1:
            raise Problem(
                422,
                "MIXED_ROUNDS",
                f"Søknadene gjelder flere runder ({', '.join(rounds)}); ranger én runde om gangen.",
                loc=["applications"],
            )
        ruleset = checked[0][2]
        apps = [app for _, app, _ in checked]
        _refuse_municipality_clashes(apps)
        results = await evaluate(request, ruleset, apps)
        # the outcome and score come with each result: the decision JSON is not read again
        items = [
            Rankable(
                r.application_id,
                r.outcome,
                r.score,
                app.county,
                app.municipality.number,
                app.received,
            )
            for app, r in zip(apps, results, strict=True)
        ]
    response.headers["Utvalg-Ruleset"] = ruleset_header(ruleset)
    return rank(items, ruleset)


def _refuse_municipality_clashes(apps: list[Application]) -> None:
    """422 DUPLICATE_MUNICIPALITY, naming both, when two applications share a municipality."""
    clashes = municipality_clashes(apps, [f"applications[{i}]" for i in range(len(apps))])
    if clashes:
        errors = [error(d.code, d.message, ["applications", i, *d.loc]) for i, d in clashes]
        raise Problem(
            422,
            "",
            "",
            errors=errors,
            detail="Rangeringen ble avvist: en kommune kan bare rangeres én gang per runde. "
            "Ingen søknad ble vurdert.",
        )


def _county_and_round(snapshot: Snapshot, data: dict[str, Any]) -> tuple[RuleSet, str]:
    """The ruleset and county a ranking of stored cases asks for; 422 for unknown ones."""
    unknown = [k for k in data if k not in ("county", "round")]
    if unknown:
        raise Problem(
            422,
            "",
            "",
            errors=[
                error("UNKNOWN_FIELD", f"Ukjent felt «{k}»; tillatt er «county» og «round».", [k])
                for k in unknown
            ],
            detail="Rangeringen ble avvist.",
        )
    county, round_id = data.get("county"), data.get("round")
    if round_id is None and len(snapshot.rulesets) == 1:
        round_id = next(iter(snapshot.rulesets))
    if not isinstance(round_id, str) or round_id not in snapshot.rulesets:
        known = ", ".join(sorted(snapshot.rulesets))
        raise Problem(
            422,
            "UNKNOWN_ROUND",
            f"Ukjent runde «{round_id}». Kjente regelsett: {known}.",
            loc=["round"],
        )
    ruleset = snapshot.rulesets[round_id]
    if not isinstance(county, str) or county not in ruleset.counties:
        known = ", ".join(ruleset.counties)
        raise Problem(
            422,
            "UNKNOWN_COUNTY",
            f"Fylket «{county}» er ikke med i regelsettet {ruleset.id}. Kjente fylker: {known}.",
            loc=["county"],
        )
    return ruleset, county
