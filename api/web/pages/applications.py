"""`/soknader`: a county's stored evaluations ranked against its capacity; .csv and .xlsx."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.http.deps import services
from api.store.decision_log import Record
from api.web.export import table, to_csv, to_xlsx
from api.web.listing import CountyList, Evaluated, rank_county
from api.web.render import (
    county_options,
    default_ruleset,
    guard,
    message,
    render,
    round_options,
    sessions,
    snapshot,
)
from engine import Decision, Rankable, RuleSet

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evaluated(record: Record, ruleset: RuleSet) -> Evaluated:
    """A stored evaluation as the ranking needs it."""
    decision = Decision.model_validate_json(record.decision)
    return Evaluated(
        rankable=Rankable(
            decision.application_id,
            decision.outcome,
            decision.score,
            record.county,
            record.municipality_number,
            record.received,
        ),
        decision=decision,
        municipality_name=record.municipality_name,
        evaluation_id=record.id,
        current_rules=record.ruleset_digest == ruleset.digest,
    )


def _listing(request: Request, ruleset: RuleSet, county: str) -> CountyList:
    records = services(request).log.latest_per_application(county, ruleset.id)
    return rank_county((_evaluated(r, ruleset) for r in records), ruleset, county)


def _selection(
    request: Request, fylke: str | None, utfall: str | None, runde: str | None
) -> tuple[RuleSet, str, str]:
    """The round, county and outcome asked for, each only when the round knows it."""
    ruleset = default_ruleset(snapshot(request), runde)
    county = fylke if fylke in ruleset.counties else ""
    outcome = utfall if utfall in ruleset.labels.outcome else ""
    return ruleset, county or "", outcome or ""


@router.get("/soknader")
async def applications_page(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """A county's stored evaluations ranked against its capacity, with filters and export."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, outcome = _selection(request, fylke, utfall, runde)
    listing = await run_in_threadpool(_listing, request, ruleset, county) if county else None
    shown = []
    if listing is not None:
        shown = [i for i in listing.items if not outcome or i.entry.outcome == outcome]
    last_within = listing.last_within() if listing else 0
    numbers = [i.municipality_number for i in listing.items] if listing else []
    repeated = {n for n in numbers if numbers.count(n) > 1}
    title = "Søknader"
    if listing is not None:
        title = f"Søknader fra {listing.name}"
    return render(
        request,
        visitor,
        "soknader.html",
        {
            "page_title": title,
            "nav": "soknader",
            "listing": listing,
            "shown": shown,
            "last_within": last_within,
            "line_shown": any(i.entry.rank == last_within for i in shown),
            "repeated": repeated,
            "county": county,
            "outcome": outcome,
            "round_id": ruleset.id,
            "rounds": round_options(snapshot(request)),
            "county_options": county_options(ruleset),
            "outcome_options": list(ruleset.labels.outcome.items()),
            "outcome_labels": dict(ruleset.labels.outcome),
            "query": urlencode({"fylke": county, "utfall": outcome, "runde": ruleset.id}),
        },
        ruleset=ruleset,
    )


async def _export(
    request: Request, fylke: str | None, utfall: str | None, runde: str | None, kind: str
) -> Response:
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, outcome = _selection(request, fylke, utfall, runde)
    if not county:
        return message(
            request,
            visitor,
            "Velg et fylke",
            ["Eksporten gjelder ett fylke om gangen. Velg fylket på søknadssiden."],
            status=422,
            back=("/soknader", "Til søknadene"),
        )
    listing = await run_in_threadpool(_listing, request, ruleset, county)
    items = [i for i in listing.items if not outcome or i.entry.outcome == outcome]
    rows = table(listing, ruleset, items)
    stem = f"soknader-{ruleset.id}-fylke-{county}" + (f"-{outcome}" if outcome else "")
    if kind == "csv":
        body, media = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = await run_in_threadpool(to_xlsx, rows, listing, ruleset), XLSX
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/soknader.csv")
async def export_csv(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """The ranking as CSV (semicolons, UTF-8 with BOM), one row per application."""
    return await _export(request, fylke, utfall, runde, "csv")


@router.get("/soknader.xlsx")
async def export_xlsx(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """The ranking as an .xlsx workbook, one row per application."""
    return await _export(request, fylke, utfall, runde, "xlsx")
