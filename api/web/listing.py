"""A county's evaluated applications ranked against its capacity, as the pages show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engine import Decision, Rankable, RuleSet, rank
from engine.decision import RankEntry


@dataclass(frozen=True)
class Evaluated:
    """One stored evaluation as the listing needs it: what ranks it, and its decision."""

    rankable: Rankable
    decision: Decision
    municipality_name: str
    evaluation_id: str
    current_rules: bool  # evaluated with the ruleset digest in use now


@dataclass(frozen=True)
class RankedApplication:
    """One application in its county's ranking, with what a reader needs to recognise it."""

    entry: RankEntry
    decision: Decision
    municipality_number: str
    municipality_name: str
    county: str
    received: dt.date | None
    evaluation_id: str
    current_rules: bool


@dataclass(frozen=True)
class CountyList:
    """A county's ranking: every application in order, and the capacity."""

    county: str
    name: str
    capacity: int
    items: list[RankedApplication]

    def last_within(self) -> int:
        """The rank of the last application within capacity (0 when none is)."""
        return max((i.entry.rank for i in self.items if i.entry.within_capacity), default=0)


def rank_county(evaluated: Iterable[Evaluated], ruleset: RuleSet, county: str) -> CountyList:
    """Rank the county's evaluated applications with the engine (CONTRACT section 2)."""
    by_id = {e.rankable.application_id: e for e in evaluated if e.rankable.county == county}
    ranking = rank([e.rankable for e in by_id.values()], ruleset)
    entries = ranking.counties[0].ranking if ranking.counties else []
    items = []
    for entry in entries:
        e = by_id[entry.application_id]
        items.append(
            RankedApplication(
                entry=entry,
                decision=e.decision,
                municipality_number=e.rankable.municipality_number,
                municipality_name=e.municipality_name,
                county=county,
                received=e.rankable.received,
                evaluation_id=e.evaluation_id,
                current_rules=e.current_rules,
            )
        )
    info = ruleset.counties[county]
    return CountyList(county=county, name=info.name, capacity=info.capacity, items=items)
