"""Ranking of stored cases (CONTRACT section 6): one entry per case, proposal beside it.

Shared by `POST /v1/rankings {"county": …}` and the ranking page. A case whose newest
version has no decision under the rules in force is *stale*: a ranking that would mix rules is
refused (409 listing the cases), never ranked with a mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.http.problems import Problem, error
from api.store.cases import CaseHistory
from engine import Rankable, RuleSet, rank


def open_cases(histories: Sequence[CaseHistory]) -> list[CaseHistory]:
    """The cases that are neither withdrawn nor void."""
    return [h for h in histories if h.closed() is None]


def stale_problem(stale: Sequence[CaseHistory], total: int, county: str) -> Problem:
    """409: the listed cases are decided under other rules than those in force."""
    return Problem(
        409,
        "",
        "",
        errors=[
            error(
                "STALE_CASE",
                f"Saken {h.id} ({h.newest.municipality_name}) er ikke vurdert med reglene i "
                "bruk; vurder den på nytt (POST /v1/cases/{id}:reevaluate) før rangering.",
                ["cases", h.id],
            )
            for h in stale
        ],
        detail=f"{len(stale)} av {total} saker i fylke {county} er vurdert med andre regler "
        "enn dem i bruk. Vurder dem på nytt med gjeldende regler "
        f"(POST /v1/counties/{county}/cases:reevaluate).",
    )


def proposal_of(history: CaseHistory) -> dict[str, Any]:
    """The office's proposal beside a ranked case: the judgement in force, whether it departs
    from the computed outcome, and whether a newer version has arrived since (outdated)."""
    judgement = history.judgement()
    return {
        "proposal": judgement.proposal if judgement else None,
        "departs": judgement.departs if judgement else None,
        "judgement_outdated": history.outdated(),
    }


def rank_cases(histories: Sequence[CaseHistory], ruleset: RuleSet, county: str) -> dict[str, Any]:
    """The ranking of the county's open cases; raise the 409 when any is stale."""
    cases = open_cases(histories)
    stale = [h for h in cases if h.stale(ruleset.digest)]
    if stale:
        raise stale_problem(stale, len(cases), county)
    by_ref: dict[str, CaseHistory] = {}
    items = []
    for h in cases:
        record = h.decision()
        assert record is not None  # not stale
        # the case id is the reference ranked: one entry per municipality, whatever ids
        # the applications carry
        by_ref[h.id] = h
        items.append(
            Rankable(
                h.id,
                record.outcome,  # type: ignore[arg-type]  # stored from a Decision
                record.score,
                h.county,
                h.municipality_number,
                h.newest.received,
            )
        )
    ranking = rank(items, ruleset)
    counties = []
    for c in ranking.counties:
        entries = []
        for entry in c.ranking:
            h = by_ref[entry.application_id]
            entries.append(
                {
                    **entry.model_dump(mode="json"),
                    "application_id": h.newest.application_id,
                    "case_id": h.id,
                    "version": h.newest.version,
                    "municipality": {
                        "number": h.municipality_number,
                        "name": h.newest.municipality_name,
                    },
                    **proposal_of(h),
                }
            )
        counties.append({"county": c.county, "capacity": c.capacity, "ranking": entries})
    if not counties:
        counties = [
            {"county": county, "capacity": ruleset.counties[county].capacity, "ranking": []}
        ]
    return {"counties": counties}
