"""`POST /v1/simulations`: a rules change tried on every current case, nothing stored (admin)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request

from api.http.auth import require
from api.http.deps import services
from api.http.offload import off_loop
from api.http.openapi import body_doc, responses
from api.http.problems import Problem
from api.http.rule_inputs import not_found, read_body, rules_problem
from api.http.rule_schemas import SimulationRequest
from api.keys import Caller
from api.rules_versions import UnknownRound
from api.simulation import simulate_cases
from engine import DiagnosticError
from engine.simulate import Simulation

router = APIRouter(prefix="/v1", tags=["regelsett"])

# one simulation at a time per instance: each evaluates every case twice and runs the
# scenarios, seconds of CPU on a machine of two cores that also serves the office
RUNNING = 1

DESCRIPTION = """\
Vurderer alle gjeldende saker i runden (ikke trukket eller feilregistrert, nyeste versjon)
med reglene i bruk og med utkastet, og gir per fylke rangeringen før og etter og hver sak
der utfall, poeng, plass eller «innenfor kapasitet» endres, med begge verdiene, samt
utkastets scenarioresultater. **Ingenting lagres**, og reglene i bruk er uendret.

Utkastet er reglene i bruk med `parameters` (per kriterium, eller under `ruleset` for
verdier i ruleset.yaml: frister, kapasiteter, landssnitt, minste antall svar …) og/eller
hele filer i `files`. Et utkast som ikke kan lastes gir 422 med de samme kodene som
`utvalg check`, med fil og linje i `loc`.

Rollen `admin` (fagstab). En simulering tar noen sekunder (hver sak vurderes to ganger og
scenarioene kjøres); tjenesten kjører én om gangen og svarer 503 `BUSY` når en annen pågår.
"""


@router.post(
    "/simulations",
    summary="Simuler en regelendring på alle gjeldende saker (ingenting lagres)",
    description=DESCRIPTION,
    response_model=Simulation,
    responses=responses(200, 422, 404, 401, 403, 503),
    openapi_extra=body_doc("SimulationRequest", "simulation_request"),
)
async def create_simulation(
    request: Request, caller: Annotated[Caller, Depends(require("admin"))]
) -> Simulation:
    """Evaluate every current case under the rules in force and the draft; store nothing."""
    body = await read_body(request, SimulationRequest)
    svc = services(request)
    limiter = _limiter(request)
    if limiter.borrowed_tokens >= limiter.total_tokens:
        raise Problem(
            503,
            "BUSY",
            "En annen simulering pågår. Prøv igjen om noen sekunder; ingenting ble lagret.",
            headers={"Retry-After": "5"},
        )
    async with limiter:
        try:
            return await off_loop(
                request,
                partial(
                    simulate_cases,
                    svc.versions,
                    svc.cases,
                    body.round,
                    county=body.county,
                    parameters=body.parameters,
                    files=body.files,
                ),
            )
        except UnknownRound:
            raise not_found(body.round, svc.rules.current.rulesets) from None
        except DiagnosticError as exc:
            raise rules_problem(
                exc.diagnostics, "Utkastet kan ikke lastes; ingenting ble simulert."
            ) from None


def _limiter(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    found = getattr(state, "simulations", None)
    if found is None:
        found = anyio.CapacityLimiter(RUNNING)
        state.simulations = found
    return found
