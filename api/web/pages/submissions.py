"""`/innstilling` and `/nasjonal`: a county's submission to Udir, and every county's newest.

«Innstilling» shows what a lock would freeze now (api.submissions' preview), what blocks it
(each case linked), the lock form for approvers and the county's earlier submissions with
their exports. «Nasjonal oversikt» shows the newest submission of every county side by side,
with the national workbook. The rules are the API's (api.submissions): a page is another way
in, and a lock from the page is refused for the same reasons, in the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.http.deps import services
from api.http.submissions import (
    download,
    national_name,
    submission_file,
)
from api.judgement import PROPOSAL_LABELS
from api.spreadsheet import XLSX
from api.submission_export import submission_xlsx
from api.submissions import Conflict, Refused, Submission, request_problems
from api.web.render import (
    county_options,
    default_ruleset,
    guard,
    message,
    posted,
    render,
    round_options,
    sessions,
    snapshot,
)
from api.web.session import Visitor
from engine import RuleSet
from engine.text import plural

router = APIRouter(include_in_schema=False)


def _selection(request: Request, fylke: str | None, runde: str | None) -> tuple[RuleSet, str]:
    """The round asked for (else the first in use) and the county, when the round knows it."""
    ruleset = default_ruleset(snapshot(request), runde)
    return ruleset, fylke if fylke in ruleset.counties else ""


def _address(ruleset: RuleSet, county: str) -> str:
    return "/innstilling?" + urlencode({"fylke": county, "runde": ruleset.id})


async def _page(
    request: Request,
    visitor: Visitor,
    ruleset: RuleSet,
    county: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    svc = services(request).submissions
    preview = await run_in_threadpool(svc.preview, ruleset, county) if county else None
    earlier = await run_in_threadpool(svc.history, ruleset.id, county) if county else []
    title = f"Innstilling fra {preview.county_name}" if preview else "Innstilling"
    return render(
        request,
        visitor,
        "innstilling.html",
        {
            "page_title": title,
            "nav": "innstilling",
            "preview": preview,
            "earlier": earlier,
            "county": county,
            "round_id": ruleset.id,
            "rounds": round_options(snapshot(request)),
            "county_options": county_options(ruleset),
            "may_lock": visitor.may("approver"),
            "may_reevaluate": visitor.may("caseworker"),
            "stale": [b for b in preview.blockers if b.code == "CASE_STALE"] if preview else [],
            "proposal_labels": PROPOSAL_LABELS,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
        ruleset=ruleset,
    )


@router.get("/innstilling")
async def submission_page(
    request: Request, fylke: str | None = None, runde: str | None = None
) -> Response:
    """What the county's submission would hold now, what blocks it, and the earlier ones."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county = _selection(request, fylke, runde)
    return await _page(request, visitor, ruleset, county)


@router.post("/innstilling")
async def lock(request: Request) -> Response:
    """Lock the county's submission (approvers only); refusals are shown on the page."""
    visitor, form, refused = await posted(request, "approver")
    if refused is not None:
        return refused
    ruleset, county = _selection(request, str(form.get("fylke") or ""), str(form.get("runde")))
    if not county:
        return message(
            request,
            visitor,
            "Velg et fylke",
            ["En innstilling gjelder ett fylke. Velg fylket på siden «Innstilling»."],
            status=422,
            back=("/innstilling", "Til innstillingen"),
        )
    note = str(form.get("note") or "")
    reason = str(form.get("reason") or "")
    values = {"note": note, "reason": reason}
    problems = request_problems(note, reason)
    if problems:
        errors = {p.field: p.msg for p in problems}
        return await _page(
            request, visitor, ruleset, county, errors=errors, values=values, status=422
        )
    try:
        locked = await run_in_threadpool(
            services(request).submissions.lock,
            ruleset,
            county,
            note,
            reason or None,
            visitor.name,
            dt.datetime.now(dt.UTC),
        )
    except Refused as exc:
        errors = _refusal(exc)
        status = 409 if "general" in errors else 422
        return await _page(
            request, visitor, ruleset, county, errors=errors, values=values, status=status
        )
    except Conflict:
        errors = {
            "general": "En annen innstilling for fylket ble låst samtidig. Se på den nedenfor "
            "og lås på nytt om det trengs."
        }
        return await _page(
            request, visitor, ruleset, county, errors=errors, values=values, status=409
        )
    return RedirectResponse(_address(ruleset, county) + f"#innstilling-{locked.submission_id}", 303)


def _refusal(refused: Refused) -> dict[str, str]:
    """The service's refusal as field errors: the blocking cases in general, the reason at its
    field."""
    errors: dict[str, str] = {}
    cases = [b for b in refused.blockers if b.case_id is not None]
    if cases:
        errors["general"] = (
            f"Innstillingen ble ikke låst: {plural(len(cases), 'sak', 'saker')} må vurderes "
            "eller skjønnsvurderes først. " + " ".join(b.msg for b in cases)
        )
    for b in refused.blockers:
        if b.code == "REASON_REQUIRED":
            errors["reason"] = b.msg
    return errors


# --- one submission's exports ----------------------------------------------------------------


async def _one(request: Request, ident: int) -> tuple[Visitor, Submission | None, Response | None]:
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return visitor, None, refused
    found = await run_in_threadpool(services(request).submissions.get, ident)
    if found is None:
        return (
            visitor,
            None,
            message(
                request,
                visitor,
                "Fant ikke innstillingen",
                [f"Det finnes ingen innstilling med nummer {ident}."],
                status=404,
                back=("/innstilling", "Til innstillingen"),
            ),
        )
    return visitor, found, None


@router.get("/innstillinger/{ident:int}.csv")
async def submission_as_csv(request: Request, ident: int) -> Response:
    """One submission as CSV, one row per unit."""
    _visitor, found, refused = await _one(request, ident)
    if found is None:
        assert refused is not None
        return refused
    return await submission_file(request, found, "csv")


@router.get("/innstillinger/{ident:int}.xlsx")
async def submission_as_xlsx(request: Request, ident: int) -> Response:
    """One submission as an .xlsx workbook, one row per unit."""
    _visitor, found, refused = await _one(request, ident)
    if found is None:
        assert refused is not None
        return refused
    return await submission_file(request, found, "xlsx")


@router.get("/innstillinger/{ident:int}.pdf")
async def submission_as_pdf(request: Request, ident: int) -> Response:
    """One submission as the PDF letter to Utdanningsdirektoratet."""
    _visitor, found, refused = await _one(request, ident)
    if found is None:
        assert refused is not None
        return refused
    return await submission_file(request, found, "pdf")


# --- the national view -----------------------------------------------------------------------


def _counties(ruleset: RuleSet, newest: list[Submission]) -> list[dict[str, Any]]:
    """Every county of the round, in number order, with its newest submission or None."""
    by_county = {s.county: s for s in newest}
    return [
        {"number": n, "name": c.name, "capacity": c.capacity, "submission": by_county.get(n)}
        for n, c in sorted(ruleset.counties.items())
    ]


@router.get("/nasjonal")
async def national_page(request: Request, runde: str | None = None) -> Response:
    """Every county's newest submission side by side: capacity, proposals and their units."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset = default_ruleset(snapshot(request), runde)
    newest = await run_in_threadpool(services(request).submissions.newest_per_county, ruleset.id)
    return render(
        request,
        visitor,
        "nasjonal.html",
        {
            "page_title": "Nasjonal oversikt",
            "nav": "nasjonal",
            "counties": _counties(ruleset, newest),
            "submitted": len(newest),
            "round_id": ruleset.id,
            "rounds": round_options(snapshot(request)),
            "proposal_labels": PROPOSAL_LABELS,
        },
        ruleset=ruleset,
    )


@router.get("/nasjonal.xlsx")
async def national_workbook(request: Request, runde: str | None = None) -> Response:
    """The newest submission of every county as one workbook, a sheet per county."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset = default_ruleset(snapshot(request), runde)
    newest = await run_in_threadpool(services(request).submissions.newest_per_county, ruleset.id)
    subs = [s.to_json() for s in newest]
    body = await run_in_threadpool(submission_xlsx, subs, ruleset.labels)
    return download(body, XLSX, national_name(ruleset.id))
