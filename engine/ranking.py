"""Rank decisions per county against the county's capacity (CONTRACT section 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.application import Application
from engine.decision import CountyRanking, Decision, RankEntry, Ranking
from engine.diagnostics import Diagnostic
from engine.ruleset import RuleSet
from engine.types import Outcome

_OUTCOME_ORDER = {"recommended": 0, "incomplete": 1, "not_recommended": 2}


class NamedMunicipality(Protocol):
    """A municipality as a ranking names it."""

    @property
    def number(self) -> str: ...

    @property
    def name(self) -> str: ...


class RankedApplication(Protocol):
    """What naming a ranked application reads: an Application, or `utvalg rank`'s summary."""

    @property
    def id(self) -> str | None: ...

    @property
    def round(self) -> str: ...

    @property
    def received(self) -> dt.date | None: ...

    @property
    def municipality(self) -> NamedMunicipality: ...


@dataclass(frozen=True)
class Rankable:
    """What ranking needs of one evaluated application."""

    application_id: str
    outcome: Outcome
    score: int
    county: str
    municipality_number: str
    received: dt.date | None


def rankable(application: Application, decision: Decision) -> Rankable:
    """Pair a validated application with its decision for ranking."""
    return Rankable(
        decision.application_id,
        decision.outcome,
        decision.score,
        application.county,
        application.municipality.number,
        application.received,
    )


def municipality_clashes(
    applications: Sequence[RankedApplication], names: Sequence[str]
) -> list[tuple[int, Diagnostic]]:
    """DUPLICATE_MUNICIPALITY for each application whose municipality and round came before.

    A ranking ranks municipalities, each at most once per round (CONTRACT section 2), so
    given applications with two from one municipality are refused whole. `names` says how
    each application is called to the reader (a file name, `applications[1]`); each problem
    is paired with the index of the later application and names both.
    """
    seen: dict[tuple[str, str], int] = {}
    out: list[tuple[int, Diagnostic]] = []
    for i, app in enumerate(applications):
        key = (app.round, app.municipality.number)
        if key not in seen:
            seen[key] = i
            continue
        first = seen[key]
        msg = (
            f"Søknaden {_named(names[i], app)} og søknaden "
            f"{_named(names[first], applications[first])} "
            f"er begge fra kommune {app.municipality.number} {app.municipality.name} i runde "
            f"{app.round}. En kommune rangeres bare én gang per runde: ta med bare den søknaden "
            "som gjelder."
        )
        out.append((i, Diagnostic("DUPLICATE_MUNICIPALITY", msg, loc=("municipality", "number"))))
    return out


def _named(name: str, app: RankedApplication) -> str:
    return name + (f" (id {app.id})" if app.id else "")


def _order(item: Rankable) -> tuple[int, int, bool, dt.date, str, str]:
    return (
        _OUTCOME_ORDER[item.outcome],
        -item.score,
        item.received is None,  # absent received dates rank last
        item.received or dt.date.max,
        item.municipality_number,
        item.application_id,
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
            within = item.outcome == "recommended" and recommended_seen < capacity
            recommended_seen += item.outcome == "recommended"
            entries.append(
                RankEntry(
                    rank=position,
                    application_id=item.application_id,
                    outcome=item.outcome,
                    score=item.score,
                    within_capacity=within,
                )
            )
        counties.append(CountyRanking(county=county, capacity=capacity, ranking=entries))
    return Ranking(counties=counties)
