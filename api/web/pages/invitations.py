"""`/invitasjoner`: the county's invitation candidates, each school's chart; .csv and .xlsx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.http.invitations import county_invitations
from api.invitations import survey_criterion
from api.spreadsheet import XLSX, Cell, to_csv, workbook
from api.web.chart import survey_chart
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
from engine import RuleSet

router = APIRouter(include_in_schema=False)

# The school filter: every school, or only those with one status.
SHOWN = {"": "Alle skoler", "met": "Oppfyller K1", "unknown": "Ukjent", "not_met": "Oppfyller ikke"}


def _selection(
    request: Request, fylke: str | None, runde: str | None, vis: str | None
) -> tuple[RuleSet, str, str]:
    ruleset = default_ruleset(snapshot(request), runde)
    county = fylke if fylke in ruleset.counties else ""
    shown = vis if vis in SHOWN else ""
    return ruleset, county or "", shown or ""


def _chart_rows(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's years as the chart draws them (high / not_high / unknown)."""
    return [
        {
            "year": y["year"],
            "percent": y["percent"],
            "threshold": y["threshold"],
            "status": "unknown" if y["high"] is None else ("high" if y["high"] else "not_high"),
            "reason": "ikke publisert" if y["percent"] is None else "for få svar",
        }
        for y in years
    ]


def _filtered(listed: dict[str, Any], shown: str) -> list[dict[str, Any]]:
    out = []
    for m in listed["municipalities"]:
        schools = [s for s in m["schools"] if not shown or s["status"] == shown]
        if schools:
            out.append({**m, "shown": schools})
    return out


@router.get("/invitasjoner")
async def invitations_page(
    request: Request, fylke: str | None = None, runde: str | None = None, vis: str | None = None
) -> Response:
    """Each municipality of the county with its schools' K1, charts, filters and export."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, shown = _selection(request, fylke, runde, vis)
    listed = (await county_invitations(request, ruleset.id, county))[1] if county else None
    municipalities = _filtered(listed, shown) if listed else []
    charts = {
        s["org_number"]: survey_chart(_chart_rows(s["years"]), s["name"], s["org_number"])
        for m in municipalities
        for s in m["shown"]
    }
    name = ruleset.counties[county].name if county else ""
    return render(
        request,
        visitor,
        "invitasjoner.html",
        {
            "page_title": f"Invitasjoner i {name}" if county else "Invitasjoner",
            "nav": "invitasjoner",
            "listed": listed,
            "municipalities": municipalities,
            "charts": charts,
            "county": county,
            "county_name": name,
            "shown": shown,
            "shown_options": list(SHOWN.items()),
            "round_id": ruleset.id,
            "rounds": round_options(snapshot(request)),
            "county_options": county_options(ruleset),
            "status_labels": dict(ruleset.labels.status),
            "query": urlencode({"fylke": county, "runde": ruleset.id, "vis": shown}),
        },
        ruleset=ruleset,
    )


def table(listed: dict[str, Any], ruleset: RuleSet, shown: str) -> list[list[Cell]]:
    """One row per school: its municipality, K1's status, and each year against its threshold."""
    years = sorted(
        {y["year"] for m in listed["municipalities"] for s in m["schools"] for y in s["years"]}
    )
    criterion = survey_criterion(ruleset)
    name = criterion.id if criterion is not None else "K1"
    head: list[Cell] = [
        "Kommunenr.",
        "Kommune",
        f"Skoler som oppfyller {name}",
        "Org.nr.",
        "Skole",
        name,
    ]
    for year in years:
        head += [f"{year} %", f"{year} terskel", f"{year} høyt"]
    rows: list[list[Cell]] = [head]
    labels = ruleset.labels.status
    for m in _filtered(listed, shown):
        for s in m["shown"]:
            by_year = {y["year"]: y for y in s["years"]}
            cells: list[Cell] = [
                m["municipality"]["number"],
                m["municipality"]["name"],
                m["schools_met"],
                s["org_number"],
                s["name"],
                labels[s["status"]],
            ]
            for year in years:
                y = by_year.get(year)
                if y is None:
                    cells += ["", "", ""]
                    continue
                high = "ukjent" if y["high"] is None else ("ja" if y["high"] else "nei")
                percent = "" if y["percent"] is None else _comma(y["percent"])
                cells += [percent, _comma(y["threshold"]), high]
            rows.append(cells)
    return rows


def _comma(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


async def _export(
    request: Request, fylke: str | None, runde: str | None, vis: str | None, kind: str
) -> Response:
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, shown = _selection(request, fylke, runde, vis)
    if not county:
        return message(
            request,
            visitor,
            "Velg et fylke",
            ["Eksporten gjelder ett fylke om gangen. Velg fylket på invitasjonssiden."],
            status=422,
            back=("/invitasjoner", "Til invitasjonene"),
        )
    _, listed = await county_invitations(request, ruleset.id, county)
    rows = table(listed, ruleset, shown)
    stem = f"invitasjoner-{ruleset.id}-fylke-{county}" + (f"-{shown}" if shown else "")
    if kind == "csv":
        body, media = to_csv(rows), "text/csv; charset=utf-8"
    else:
        title = f"{ruleset.title}: invitasjoner i {ruleset.counties[county].name}"
        body, media = await run_in_threadpool(workbook, rows, f"Fylke {county}", title), XLSX
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/invitasjoner.csv")
async def export_csv(
    request: Request, fylke: str | None = None, runde: str | None = None, vis: str | None = None
) -> Response:
    """The list as CSV (semicolons, UTF-8 with BOM), one row per school."""
    return await _export(request, fylke, runde, vis, "csv")


@router.get("/invitasjoner.xlsx")
async def export_xlsx(
    request: Request, fylke: str | None = None, runde: str | None = None, vis: str | None = None
) -> Response:
    """The list as an .xlsx workbook, one row per school."""
    return await _export(request, fylke, runde, vis, "xlsx")
