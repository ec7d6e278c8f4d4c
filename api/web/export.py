"""Export a county's ranking (or another table) as CSV or as an .xlsx workbook.

The writers themselves (CSV, workbook, the formula guard) are api/spreadsheet.py's.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.spreadsheet import Cell, workbook
from api.web.listing import CountyList, RankedApplication
from engine import Decision, RuleSet
from engine.types import Status

# Statuses in the order a reader scans them: what counts first, what is missing, what fails.
_STATUS_ORDER: tuple[Status, ...] = ("met", "unknown", "not_met")


def criterion_cell(decision: Decision, criterion: str, ruleset: RuleSet) -> str:
    """One criterion for one application in a cell: its status, per subject when several."""
    labels = ruleset.labels.status
    results = [r for r in decision.criteria if r.criterion == criterion]
    if not results:
        return ""
    if len(results) == 1 and results[0].subject.kind in ("application", "municipality"):
        return labels[results[0].status]
    groups = []
    for status in _STATUS_ORDER:
        names = [r.subject.name for r in results if r.status == status]
        if names:
            groups.append(f"{labels[status]}: {', '.join(names)}")
    return "; ".join(groups)


def headers(ruleset: RuleSet) -> list[str]:
    """Column headings: the application's place and outcome, then one column per criterion."""
    return [
        "Rang",
        "Søknad",
        "Kommunenr.",
        "Kommune",
        "Fylke",
        "Mottatt",
        "Utfall",
        "Poeng",
        "Innenfor kapasitet",
        *(f"{c.id} {c.title}" for c in ruleset.criteria),
    ]


def row(item: RankedApplication, ruleset: RuleSet) -> list[Cell]:
    """The cells of one application, in the order of `headers`."""
    d = item.decision
    return [
        item.entry.rank,
        d.application_id,
        item.municipality_number,
        item.municipality_name,
        item.county,
        item.received.isoformat() if item.received else "",
        ruleset.labels.outcome[item.entry.outcome],
        item.entry.score,
        "Ja" if item.entry.within_capacity else "Nei",
        *(criterion_cell(d, c.id, ruleset) for c in ruleset.criteria),
    ]


def table(
    listing: CountyList, ruleset: RuleSet, items: Sequence[RankedApplication] | None = None
) -> list[list[Cell]]:
    """Heading row and one row per application (all of the county's, or those given)."""
    chosen = listing.items if items is None else items
    return [list(headers(ruleset)), *(row(i, ruleset) for i in chosen)]


def to_xlsx(rows: Sequence[Sequence[Cell]], listing: CountyList, ruleset: RuleSet) -> bytes:
    """An .xlsx workbook: one sheet with a bold, frozen heading row and a filter."""
    return workbook(rows, f"Fylke {listing.county}", f"{ruleset.title}: {listing.name}")
