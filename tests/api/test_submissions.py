"""The submission service (api.submissions): blockers, the preview's order, a lock race."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from api.store.cases import CaseStore, Entry
from api.store.db import make_engine, migrate
from api.store.submissions import SubmissionStore
from api.submissions import Conflict, Refused, Submissions, request_problems, submitted
from engine import RuleSet
from tests.api.store.test_decision_log import row
from tests.builders import ruleset

NOW = dt.datetime(2020, 3, 2, 10, 15, tzinfo=dt.UTC)
RULES = ruleset()


def decided(number: str, outcome: str, score: int, digest: str = RULES.digest) -> Entry:
    """An evaluation of municipality `number` of Trøndelag with `outcome` and `score`."""
    decision = {
        "label": outcome,
        "summary": f"Utfallet er {outcome}.",
        "units": [],
        "criteria": [
            {
                "criterion": "K4",
                "subject": {"kind": "municipality", "id": number, "name": f"Kommune {number}"},
                "status": "met",
            }
        ],
    }
    application = {"municipality": {"number": number}}
    values = {
        "municipality_number": number,
        "municipality_name": f"Kommune {number}",
        "outcome": outcome,
        "score": score,
        "ruleset_digest": digest,
        "application": json.dumps(application),
        "decision": json.dumps(decision),
    }
    return Entry(row(f"app-{number}", **values), application)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Submissions]:
    """The service over a migrated SQLite database (the store tests run on PostgreSQL too)."""
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    yield Submissions(CaseStore(engine), SubmissionStore(engine))
    engine.dispose()


def judge(service: Submissions, number: str, proposal: str, outcome: str | None = None) -> None:
    history = service.cases.history(f"pulje-5:{number}")
    assert history is not None
    record = history.decision()
    assert record is not None
    if outcome is not None:  # as if judged when the decision said otherwise
        record = replace(record, outcome=outcome)
    service.cases.judge(history, record, proposal, False, "Vurdert.", "per", NOW)  # type: ignore[arg-type]


def codes(refused: Refused) -> list[tuple[str | None, str]]:
    return [(b.case_id, b.code) for b in refused.blockers]


def test_each_blocking_case_is_named_with_its_reason(service: Submissions) -> None:
    service.cases.store([decided("5001", "recommended", 4)])
    service.cases.store([decided("5014", "recommended", 2)])
    service.cases.store([decided("5020", "not_recommended", 0, digest="sha256:old")])
    judge(service, "5014", "propose", outcome="not_recommended")
    preview = service.preview(RULES, "50")
    assert not preview.ready and preview.newest is None
    assert [(b.case_id, b.code) for b in preview.blockers] == [
        ("pulje-5:5001", "JUDGEMENT_MISSING"),
        ("pulje-5:5014", "JUDGEMENT_OUTDATED"),
        ("pulje-5:5020", "CASE_STALE"),
    ]
    assert preview.blockers[0].municipality == {"number": "5001", "name": "Kommune 5001"}
    # the stale case cannot be ranked; the others are shown, without a current proposal
    assert [(e["case_id"], e["proposal"]) for e in preview.entries] == [
        ("pulje-5:5001", None),
        ("pulje-5:5014", None),
    ]
    with pytest.raises(Refused) as refused:
        service.lock(RULES, "50", "", None, "kari", NOW)
    assert len(refused.value.blockers) == 3


def test_order_capacity_reason_and_the_submitted_status(service: Submissions) -> None:
    for number, outcome, score in (
        ("5001", "recommended", 4),
        ("5014", "recommended", 2),
        ("5020", "incomplete", 3),
        ("5021", "not_recommended", 0),
    ):
        service.cases.store([decided(number, outcome, score)])
    judge(service, "5001", "not_propose")
    judge(service, "5014", "propose")
    judge(service, "5020", "propose")
    judge(service, "5021", "propose")
    sub = service.lock(RULES, "50", " Merknad. ", None, "kari", NOW)
    assert [(e["case_id"], e["rank"], e["within_capacity"]) for e in sub.entries] == [
        ("pulje-5:5014", 1, True),
        ("pulje-5:5020", 2, True),
        ("pulje-5:5021", 3, False),
        ("pulje-5:5001", 4, False),
    ]
    assert sub.note == "Merknad." and sub.approved_by == "kari" and sub.capacity == 2
    with pytest.raises(Refused) as refused:
        service.lock(RULES, "50", "", "  ", "kari", NOW)
    assert codes(refused.value) == [(None, "REASON_REQUIRED")]
    later = service.lock(RULES, "50", "", "Rettet rekkefølgen.", "kari", NOW)
    assert later.supersedes == sub.submission_id and later.reason == "Rettet rekkefølgen."
    assert [s.submission_id for s in service.history("pulje-5", "50")] == [
        later.submission_id,
        sub.submission_id,
    ]
    assert [s.submission_id for s in service.newest_per_county("pulje-5")] == [later.submission_id]
    versions = service.submitted_versions("pulje-5")
    history = service.cases.history("pulje-5:5001")
    assert history is not None and versions["pulje-5:5001"] == 1
    assert submitted("judged", history, versions) == "submitted"
    assert submitted("withdrawn", history, versions) == "withdrawn"
    assert submitted("judged", history, {}) == "judged"


def test_two_approvers_locking_at_once_make_one_submission(service: Submissions) -> None:
    service.cases.store([decided("5001", "recommended", 4)])
    judge(service, "5001", "propose")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def lock(rules: RuleSet) -> None:
        barrier.wait()
        try:
            service.lock(rules, "50", "", None, "kari", NOW)
            outcomes.append("locked")
        except (Conflict, Refused):
            # the loser either lost at the unique key or saw the winner's submission first
            outcomes.append("refused")

    threads = [threading.Thread(target=lock, args=(RULES,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["locked", "refused"]
    assert len(service.history("pulje-5", "50")) == 1


def test_the_note_and_reason_must_be_short_texts() -> None:
    found: list[Any] = request_problems(5, "x" * 4001)
    assert [(p.field, p.code) for p in found] == [("note", "BAD_TYPE"), ("reason", "TOO_LONG")]
    assert request_problems(None, None) == []
