"""The county's submission to Utdanningsdirektoratet (CONTRACT 7): preview, lock, read.

What a lock freezes: every case of the county and round that is neither withdrawn nor void,
from its newest version's decision under the rules in force and the office's judgement in
force. The order: the cases the office proposes first, then the others, each group in the
ranking order of CONTRACT 2 (`engine.rank`, the same order as every ranking);
`within_capacity` marks the first *capacity* proposed cases. A lock is refused while any case
is stale (CASE_STALE) or lacks a current judgement (JUDGEMENT_MISSING, JUDGEMENT_OUTDATED: a
newer version arrived, or the judgement was made for another outcome than the one in force);
a lock that supersedes an earlier submission needs a reason (REASON_REQUIRED).

Shared by the HTTP API (api.http.submissions) and the pages «Innstilling» and «Nasjonal
oversikt».
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from api.judgement import MAX_TEXT, Problem
from api.store.cases import CaseHistory, CaseStore, Judgement
from api.store.decision_log import Record
from api.store.submissions import (
    Conflict,
    CriterionStatus,
    Entry,
    Municipality,
    NewSubmission,
    RulesetRef,
    Submission,
    SubmissionStore,
    Unit,
)
from engine import Rankable, RuleSet, rank

__all__ = [
    "Blocker",
    "BlockerCode",
    "Conflict",
    "Entry",
    "Preview",
    "Refused",
    "request_problems",
    "Submission",
    "Submissions",
]

BlockerCode = Literal["CASE_STALE", "JUDGEMENT_MISSING", "JUDGEMENT_OUTDATED", "REASON_REQUIRED"]


@dataclass(frozen=True)
class Blocker:
    """Why a lock is refused: a case that blocks it (or, with case_id None, a missing reason)."""

    case_id: str | None
    municipality: Municipality | None
    code: BlockerCode
    msg: str


@dataclass(frozen=True)
class Preview:
    """What a lock would freeze now, what blocks it, and the submission it would supersede.

    `entries` holds every open case that is not stale, in the submission's order; a case
    without a current judgement is placed among those not proposed, with `proposal` None.
    """

    round: str
    county: str
    county_name: str
    capacity: int
    ruleset: RulesetRef
    entries: list[Entry]
    blockers: list[Blocker]
    newest: Submission | None

    @property
    def ready(self) -> bool:
        """True when nothing blocks the lock (a superseding lock still needs a reason)."""
        return not self.blockers


class Refused(Exception):
    """The lock is refused; `blockers` says why (each blocking case, or REASON_REQUIRED)."""

    def __init__(self, blockers: Sequence[Blocker]) -> None:
        super().__init__(", ".join(b.code for b in blockers))
        self.blockers = list(blockers)


class Submissions:
    """Preview, lock and read the counties' submissions (over the cases and their store)."""

    def __init__(self, cases: CaseStore, store: SubmissionStore) -> None:
        self.cases = cases
        self.store = store

    def preview(self, ruleset: RuleSet, county: str) -> Preview:
        """What would be locked for the county now, and what blocks it."""
        histories = self.cases.histories(round_id=ruleset.id, county=county)
        open_cases = [h for h in histories if h.closed() is None]
        blockers = [b for h in open_cases if (b := _blocker(h, ruleset)) is not None]
        stale = {b.case_id for b in blockers if b.code == "CASE_STALE"}
        entries = _entries([h for h in open_cases if h.id not in stale], ruleset, county)
        info = ruleset.counties[county]
        return Preview(
            ruleset.id,
            county,
            info.name,
            info.capacity,
            {"id": ruleset.id, "version": ruleset.version, "digest": ruleset.digest},
            entries,
            blockers,
            self.store.newest(ruleset.id, county),
        )

    def lock(
        self,
        ruleset: RuleSet,
        county: str,
        note: str,
        reason: str | None,
        who: str | None,
        now: dt.datetime,
    ) -> Submission:
        """Lock the county's list; raise `Refused`, or `Conflict` when another lock won."""
        seen = self.preview(ruleset, county)
        blockers = list(seen.blockers)
        reason = reason.strip() if reason and reason.strip() else None
        if seen.newest is not None and reason is None:
            blockers.append(
                Blocker(
                    None,
                    None,
                    "REASON_REQUIRED",
                    f"Fylket har allerede innstilling {seen.newest.submission_id}; skriv "
                    "hvorfor den nye innstillingen erstatter den.",
                )
            )
        if blockers:
            raise Refused(blockers)
        ident = self.store.add(
            NewSubmission(
                seen.round,
                county,
                seen.county_name,
                seen.capacity,
                seen.ruleset,
                note.strip(),
                seen.newest.submission_id if seen.newest is not None else None,
                reason if seen.newest is not None else None,
                seen.entries,
                now,
                who,
            )
        )
        found = self.store.get(ident)
        assert found is not None  # just stored
        return found

    def newest_per_county(self, round_id: str) -> list[Submission]:
        """Utdanningsdirektoratet's national view: each county's newest submission."""
        return self.store.newest_per_county(round_id)

    def get(self, ident: int) -> Submission | None:
        """One submission by id (superseded or not), or None."""
        return self.store.get(ident)

    def history(self, round_id: str, county: str) -> list[Submission]:
        """Every submission of the county in the round, newest first."""
        return list(reversed(self.store.rows(round_id=round_id, county=county)))

    def submitted_versions(self, round_id: str | None = None) -> dict[str, int]:
        """Case id → the case version held by its county's newest submission (status)."""
        return {
            e["case_id"]: e["case_version"]
            for s in self.store.newest_per_county(round_id)
            for e in s.entries
        }


def request_problems(note: object, reason: object) -> list[Problem]:
    """What is wrong with a lock's note and reason as sent (absent note: empty)."""
    problems: list[Problem] = []
    for name, value, label in (("note", note, "Merknaden"), ("reason", reason, "Begrunnelsen")):
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(Problem(name, "BAD_TYPE", f"«{name}» må være en tekst."))
        elif len(value) > MAX_TEXT:
            problems.append(
                Problem(name, "TOO_LONG", f"{label} kan være høyst {MAX_TEXT} tegn lang.")
            )
    return problems


def submitted(status: str, history: CaseHistory, versions: dict[str, int]) -> str:
    """The case's status with `submitted` (CONTRACT 6) when its county's newest submission
    holds its newest version; a closed case, or a newer version, keeps the status it has."""
    if status in ("withdrawn", "void"):
        return status
    if versions.get(history.id) == history.newest.version:
        return "submitted"
    return status


def _municipality(h: CaseHistory) -> Municipality:
    return {"number": h.municipality_number, "name": h.newest.municipality_name}


def _blocker(h: CaseHistory, ruleset: RuleSet) -> Blocker | None:
    named = f"Saken {h.id} ({h.newest.municipality_name})"
    if h.stale(ruleset.digest):
        return Blocker(
            h.id,
            _municipality(h),
            "CASE_STALE",
            f"{named} er ikke vurdert med reglene i bruk; vurder den på nytt "
            f"(POST /v1/cases/{h.id}:reevaluate).",
        )
    judgement = h.judgement()
    if judgement is None:
        return Blocker(
            h.id,
            _municipality(h),
            "JUDGEMENT_MISSING",
            f"{named} har ikke noe skjønn; registrer om embetet foreslår den.",
        )
    if h.outdated():
        return Blocker(
            h.id,
            _municipality(h),
            "JUDGEMENT_OUTDATED",
            f"{named} har fått en ny versjon av søknaden etter skjønnet; bekreft eller "
            "endre skjønnet.",
        )
    record = h.decision()
    if record is not None and judgement.outcome != record.outcome:
        return Blocker(
            h.id,
            _municipality(h),
            "JUDGEMENT_OUTDATED",
            f"{named} ble skjønnsvurdert for et annet utfall enn det som gjelder nå; "
            "bekreft eller endre skjønnet.",
        )
    return None


def _current(h: CaseHistory) -> Judgement | None:
    """The judgement the entry carries: the one in force when it is current, else None."""
    judgement = h.judgement()
    record = h.decision()
    if judgement is None or h.outdated() or record is None:
        return None
    return judgement if judgement.outcome == record.outcome else None


def _entries(cases: Sequence[CaseHistory], ruleset: RuleSet, county: str) -> list[Entry]:
    """The entries in the submission's order, ranked and marked within capacity."""
    by_id = {h.id: h for h in cases}
    items = []
    for h in cases:
        record = h.decision()
        assert record is not None  # not stale
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
    ranked = [e.application_id for c in rank(items, ruleset).counties for e in c.ranking]
    proposed = [i for i in ranked if _proposes(by_id[i])]
    others = [i for i in ranked if not _proposes(by_id[i])]
    capacity = ruleset.counties[county].capacity
    return [
        _entry(by_id[ident], position, position <= capacity and ident in proposed)
        for position, ident in enumerate(proposed + others, start=1)
    ]


def _proposes(h: CaseHistory) -> bool:
    judgement = _current(h)
    return judgement is not None and judgement.proposal == "propose"


def _entry(h: CaseHistory, position: int, within: bool) -> Entry:
    record: Record | None = h.decision()
    assert record is not None
    decision = json.loads(record.decision)
    judgement = _current(h)
    units: list[Unit] = [
        {
            "kind": u["kind"],
            "org_number": u["org_number"],
            "name": u["name"],
            "status": u["status"],
            "label": u["label"],
        }
        for u in decision.get("units", [])
    ]
    criteria: list[CriterionStatus] = [
        {
            "criterion": c["criterion"],
            "subject": {
                "kind": c["subject"]["kind"],
                "id": c["subject"]["id"],
                "name": c["subject"]["name"],
            },
            "status": c["status"],
        }
        for c in decision.get("criteria", [])
    ]
    received = h.newest.received
    return {
        "rank": position,
        "case_id": h.id,
        "case_version": h.newest.version,
        "evaluation_id": record.id,
        "municipality": _municipality(h),
        "received": received.isoformat() if received else None,
        "outcome": record.outcome,
        "label": decision.get("label", ""),
        "score": record.score,
        "summary": decision.get("summary", ""),
        "proposal": judgement.proposal if judgement else None,
        "departs": judgement.departs if judgement else False,
        "justification": judgement.justification if judgement else "",
        "judged_by": judgement.created_by if judgement else None,
        "judged_at": _utc_text(judgement.created_at) if judgement else None,
        "within_capacity": within,
        "units": units,
        "criteria": criteria,
    }


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
