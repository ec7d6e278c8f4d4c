"""`/saker/{id}`: one case — versions side by side with what changed, evaluations, the
judgement form with the computed outcome beside it, withdraw/void, the history.

The rules are the API's (api.judgement, api.http.cases): a page is another way in.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.http.case_document import case_pdf
from api.http.case_views import case_detail
from api.http.cases import CLOSED_LABELS, reevaluate, reevaluate_stale
from api.http.deps import services
from api.http.inputs import ruleset_for
from api.http.problems import Problem
from api.judgement import PROPOSAL_LABELS, departs, judgement_problems, reason_problems
from api.store.cases import CaseHistory
from api.web.render import guard, message, posted, render, sessions, snapshot
from engine.text import plural

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "received": "Mottatt",
    "assessed": "Vurdert",
    "judged": "Skjønn registrert",
    "submitted": "Sendt inn",
    "withdrawn": "Trukket",
    "void": "Feilregistrert",
    "reopened": "Åpnet igjen",
}


def _digest(request: Request, history: CaseHistory) -> str | None:
    ruleset = snapshot(request).rulesets.get(history.round)
    return ruleset.digest if ruleset is not None else None


async def _page(
    request: Request,
    ident: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    visitor = sessions(request).read(request)
    history = await run_in_threadpool(services(request).cases.history, ident)
    if history is None:
        return message(
            request,
            visitor,
            "Fant ikke saken",
            [f"Det finnes ingen sak med id «{ident}»."],
            status=404,
            back=("/soknader", "Til søknadene"),
        )
    ruleset = snapshot(request).rulesets.get(history.round)
    versions = await run_in_threadpool(
        services(request).submissions.submitted_versions, history.round
    )
    detail = case_detail(history, _digest(request, history), versions)
    labels = dict(ruleset.labels.outcome) if ruleset is not None else {}
    return render(
        request,
        visitor,
        "sak.html",
        {
            "page_title": f"Sak {history.id}: {history.newest.municipality_name}",
            "nav": "soknader",
            "case": detail,
            "status_labels": STATUS_LABELS,
            "proposal_labels": PROPOSAL_LABELS,
            "closed_labels": CLOSED_LABELS,
            "outcome_labels": labels,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
        ruleset=ruleset,
    )


@router.get("/saker/{ident}")
async def case_page(request: Request, ident: str) -> Response:
    """The case with its whole history and the judgement form."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    return await _page(request, ident)


@router.get("/saker/{ident}/dokument.pdf")
async def case_document(request: Request, ident: str) -> Response:
    """The case's printable document (the API's PDF, for a signed-in visitor)."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    history = await run_in_threadpool(services(request).cases.history, ident)
    if history is None:
        return await _page(request, ident)
    record = history.decision()
    decision = json.loads(record.decision) if record else None
    ruleset = snapshot(request).rulesets.get(history.round)
    pdf = await run_in_threadpool(case_pdf, history, ruleset, decision)
    name = ident.replace(":", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sak-{name}.pdf"'},
    )


async def _caseworker(request: Request) -> tuple[Any, Any, Response | None]:
    visitor, form, refused = await posted(request)
    if refused is not None:
        return visitor, form, refused
    return visitor, form, guard(request, visitor, "caseworker")


@router.post("/saker/{ident}/skjonn")
async def judge(request: Request, ident: str) -> Response:
    """Record the office's judgement; field errors come back beside the fields."""
    visitor, form, refused = await _caseworker(request)
    if refused is not None:
        return refused
    svc = services(request)
    history = await run_in_threadpool(svc.cases.history, ident)
    if history is None:
        return await _page(request, ident)
    proposal = str(form.get("proposal") or "")
    justification = str(form.get("justification") or "")
    values = {"proposal": proposal, "justification": justification}
    record = history.decision()
    if history.closed() is not None or record is None or history.stale(_digest(request, history)):
        errors = {
            "general": "Saken er trukket, feilregistrert eller vurdert med eldre regler; "
            "skjønnet kan ikke registreres nå."
        }
        return await _page(request, ident, errors=errors, values=values, status=409)
    problems = judgement_problems(proposal or None, justification, record.outcome)
    if problems:
        errors = {p.field: p.msg for p in problems}
        return await _page(request, ident, errors=errors, values=values, status=422)
    await run_in_threadpool(
        svc.cases.judge,
        history,
        record,
        proposal,  # type: ignore[arg-type]  # checked by judgement_problems
        departs(proposal, record.outcome),
        justification.strip(),
        visitor.name,
        dt.datetime.now(dt.UTC),
    )
    return RedirectResponse(f"/saker/{ident}#skjonn", 303)


@router.post("/saker/{ident}/lukk")
async def close(request: Request, ident: str) -> Response:
    """Withdraw or void the case, with the reason."""
    visitor, form, refused = await _caseworker(request)
    if refused is not None:
        return refused
    svc = services(request)
    history = await run_in_threadpool(svc.cases.history, ident)
    if history is None:
        return await _page(request, ident)
    status = str(form.get("status") or "")
    reason = str(form.get("reason") or "")
    values = {"status": status, "reason": reason}
    if status not in CLOSED_LABELS:
        return await _page(
            request,
            ident,
            errors={"status": "Velg trukket eller feilregistrert."},
            values=values,
            status=422,
        )
    problems = reason_problems(reason)
    if problems:
        errors = {"reason": problems[0].msg}
        return await _page(request, ident, errors=errors, values=values, status=422)
    if history.closed() is not None:
        errors = {"general": "Saken er allerede trukket eller feilregistrert."}
        return await _page(request, ident, errors=errors, values=values, status=409)
    await run_in_threadpool(
        svc.cases.set_status,
        ident,
        status,  # type: ignore[arg-type]  # one of CLOSED_LABELS, checked above
        reason.strip(),
        visitor.name,
        dt.datetime.now(dt.UTC),
    )
    return RedirectResponse(f"/saker/{ident}", 303)


@router.post("/saker/{ident}/vurder-pa-nytt")
async def reevaluate_one(request: Request, ident: str) -> Response:
    """Evaluate the newest version again under the rules in force."""
    visitor, _form, refused = await _caseworker(request)
    if refused is not None:
        return refused
    history = await run_in_threadpool(services(request).cases.history, ident)
    if history is None:
        return await _page(request, ident)
    try:
        problems = await reevaluate(request, history)
    except Problem as exc:
        problems = exc.errors or [{"msg": exc.detail}]
    if problems:
        errors = {"general": " ".join(str(p.get("msg")) for p in problems)}
        return await _page(request, ident, errors=errors, status=409)
    return RedirectResponse(f"/saker/{ident}", 303)


@router.post("/fylker/{county}/vurder-pa-nytt")
async def reevaluate_county(request: Request, county: str) -> Response:
    """«Vurder alle på nytt med gjeldende regler»: every stale open case of the county."""
    visitor, form, refused = await _caseworker(request)
    if refused is not None:
        return refused
    round_id = str(form.get("runde") or "") or None
    try:
        ruleset = ruleset_for(snapshot(request), round_id, county, ("path", "county"))
        done, failed = await reevaluate_stale(request, ruleset, county)
    except Problem as exc:
        return message(
            request,
            visitor,
            "Sakene ble ikke vurdert på nytt",
            [exc.detail],
            status=exc.status,
            back=_back(str(form.get("tilbake") or ""), county, round_id),
        )
    back = _back(str(form.get("tilbake") or ""), county, ruleset.id)
    if failed:
        names = ", ".join(f["case_id"] for f in failed)
        return message(
            request,
            visitor,
            "Noen saker kunne ikke vurderes på nytt",
            [
                f"{plural(len(done), 'sak', 'saker')} ble vurdert på nytt. Disse kunne ikke "
                f"vurderes med reglene i bruk: {names}."
            ],
            status=409,
            back=back,
        )
    return RedirectResponse(back[0], 303)


def _back(page: str, county: str, round_id: str | None) -> tuple[str, str]:
    """Where «Vurder alle på nytt» returns: the page it was pressed on (address, link text).

    Only the pages that have the button; any other value goes to «Søknader», so the form
    cannot send a visitor elsewhere.
    """
    query = urlencode({"fylke": county, **({"runde": round_id} if round_id else {})})
    if page == "innstilling":
        return f"/innstilling?{query}", "Til innstillingen"
    return f"/soknader?{query}", "Til søknadene"
