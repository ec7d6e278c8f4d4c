"""`/soknader`: a county's cases ranked against its capacity; .csv and .xlsx.

One entry per case (municipality) that is not withdrawn or void, from its newest version's
decision under the rules in force (api.http.case_ranking). A case decided under older rules
is listed apart, never ranked, and the export is refused while there is one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.http.case_ranking import open_cases, proposal_of
from api.http.deps import services
from api.judgement import PROPOSAL_LABELS
from api.spreadsheet import XLSX, to_csv
from api.store.cases import CaseHistory
from api.store.decision_log import Record
from api.web.export import table, to_xlsx
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
from engine.text import plural

router = APIRouter(include_in_schema=False)


def _evaluated(history: CaseHistory, record: Record, ruleset: RuleSet) -> Evaluated:
    """A case's newest decision as the ranking needs it (ranked by its case id)."""
    decision = Decision.model_validate_json(record.decision)
    return Evaluated(
        rankable=Rankable(
            history.id,
            decision.outcome,
            decision.score,
            record.county,
            record.municipality_number,
            record.received,
        ),
        decision=decision,
        municipality_name=history.newest.municipality_name,
        evaluation_id=record.id,
        current_rules=record.ruleset_digest == ruleset.digest,
    )


def _listing(
    request: Request, ruleset: RuleSet, county: str
) -> tuple[CountyList, list[CaseHistory], dict[str, dict[str, Any]]]:
    """The ranking of the county's open cases decided under the rules in force, the open
    cases that are not (stale), and the office's proposal per case id (as the API gives it)."""
    histories = open_cases(services(request).cases.histories(round_id=ruleset.id, county=county))
    stale = [h for h in histories if h.stale(ruleset.digest)]
    current = [(h, h.decision()) for h in histories if not h.stale(ruleset.digest)]
    ranked = (_evaluated(h, r, ruleset) for h, r in current if r is not None)
    proposals = {h.id: proposal_of(h) for h, _ in current}
    return rank_county(ranked, ruleset, county), stale, proposals


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
    listing: CountyList | None = None
    stale: list[CaseHistory] = []
    proposals: dict[str, dict[str, Any]] = {}
    if county:
        listing, stale, proposals = await run_in_threadpool(_listing, request, ruleset, county)
    shown = []
    if listing is not None:
        shown = [i for i in listing.items if not outcome or i.entry.outcome == outcome]
    last_within = listing.last_within() if listing else 0
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
            "stale": stale,
            "proposals": proposals,
            "proposal_labels": PROPOSAL_LABELS,
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
    listing, stale, _ = await run_in_threadpool(_listing, request, ruleset, county)
    if stale:
        names = ", ".join(f"{h.newest.municipality_name} ({h.id})" for h in stale)
        return message(
            request,
            visitor,
            "Eksporten ville blandet regler",
            [
                f"{plural(len(stale), 'sak', 'saker')} er vurdert med eldre regler enn dem i "
                f"bruk: {names}. Vurder dem på nytt med gjeldende regler før eksporten.",
            ],
            status=409,
            back=(f"/soknader?fylke={county}&runde={ruleset.id}", "Til søknadene"),
        )
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
