"""Rank decisions per county against the county's capacity (CONTRACT section 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engine.decision import CountyRanking, Decision, RankEntry, Ranking
from engine.rules import RuleSet

_OUTCOME_ORDER = {"recommended": 0, "incomplete": 1, "not_recommended": 2}


@dataclass(frozen=True)
class Rankable:
    """What ranking needs of one evaluated application."""

    decision: Decision
    county: str
    municipality_number: str
    received: dt.date | None


def rankable(application: object, decision: Decision) -> Rankable:
    """Pair a validated application with its decision for ranking."""
    app = application
    return Rankable(
        decision,
        app.county,  # type: ignore[attr-defined]
        app.municipality.number,  # type: ignore[attr-defined]
        app.received,  # type: ignore[attr-defined]
    )


def _order(item: Rankable) -> tuple[int, int, int, dt.date, str, str]:
    d = item.decision
    return (
        _OUTCOME_ORDER[d.outcome],
        -d.score,
        item.received is None,  # absent received dates rank last
        item.received or dt.date.max,
        item.municipality_number,
        d.application_id,
    )


def rank(items: Iterable[Rankable], ruleset: RuleSet) -> Ranking:
    """Rank per county: outcome, score, received date, municipality, id; mark capacity."""
    by_county: dict[str, list[Rankable]] = {}
    for item in items:
        by_county.setdefault(item.county, []).append(item)
    counties = []
    for county in sorted(by_county):
        capacity = ruleset.counties[county].capacity
        ordered = sorted(by_county[county], key=_order)
        entries = []
        recommended_seen = 0
        for position, item in enumerate(ordered, start=1):
            d = item.decision
            within = d.outcome == "recommended" and recommended_seen < capacity
            recommended_seen += d.outcome == "recommended"
            entries.append(
                RankEntry(
                    rank=position,
                    application_id=d.application_id,
                    outcome=d.outcome,
                    score=d.score,
                    within_capacity=within,
                )
            )
        counties.append(CountyRanking(county=county, capacity=capacity, ranking=entries))
    return Ranking(counties=counties)
