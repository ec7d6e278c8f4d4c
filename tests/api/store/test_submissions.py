"""Submissions on SQLite and PostgreSQL: stored whole, superseded, one first lock, immutable."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.store.append_only import GUARDED_TABLES, installed_triggers, trigger_names
from api.store.db import make_engine, migrate
from api.store.submissions import Conflict, Entry, NewSubmission, SubmissionStore

NOW = dt.datetime(2020, 3, 2, 10, 15, tzinfo=dt.UTC)


def entry(rank: int, number: str) -> Entry:
    """A frozen entry of municipality `number` at `rank`."""
    return {
        "rank": rank,
        "case_id": f"pulje-5:{number}",
        "case_version": 1,
        "evaluation_id": f"ev-{number}",
        "municipality": {"number": number, "name": f"Kommune {number}"},
        "received": "2020-01-20",
        "outcome": "recommended",
        "label": "Anbefalt",
        "score": 2,
        "summary": "Kommunen har et behov.",
        "proposal": "propose",
        "departs": False,
        "justification": "Enig.",
        "judged_by": "per",
        "judged_at": "2020-02-20T09:00:00Z",
        "within_capacity": rank <= 2,
        "units": [
            {
                "kind": "school",
                "org_number": "974123456",
                "name": "=Nordby skole",
                "status": "priority",
                "label": "Prioritert",
            }
        ],
        "criteria": [
            {
                "criterion": "K1",
                "subject": {"kind": "school", "id": "974123456", "name": "=Nordby skole"},
                "status": "met",
            }
        ],
    }


def new(county: str = "50", supersedes: int | None = None, **over: Any) -> NewSubmission:
    """A submission of `county` with two entries."""
    values: dict[str, Any] = {
        "round": "pulje-5",
        "county": county,
        "county_name": "Trøndelag",
        "capacity": 2,
        "ruleset": {"id": "pulje-5", "version": "2020.1", "digest": "sha256:abc"},
        "note": "Innstilling.",
        "supersedes": supersedes,
        "reason": "Ny vurdering." if supersedes else None,
        "entries": [entry(1, "5001"), entry(2, "5014")],
        "created_at": NOW,
        "created_by": "kari",
    }
    values.update(over)
    return NewSubmission(**values)


@pytest.fixture
def store(database_url: str) -> Iterator[SubmissionStore]:
    """A migrated, empty database with its submission store."""
    engine = make_engine(database_url)
    migrate(engine)
    yield SubmissionStore(engine)
    engine.dispose()


def test_stored_whole_and_superseded_with_both_readable(store: SubmissionStore) -> None:
    first = store.add(new())
    other = store.add(new("18", county_name="Nordland", capacity=1))
    second = store.add(new(supersedes=first, note="Rettet."))
    old, newer = store.get(first), store.get(second)
    assert old is not None and newer is not None
    assert old.entries == [entry(1, "5001"), entry(2, "5014")]
    assert (old.superseded_by, newer.supersedes, newer.reason) == (second, first, "Ny vurdering.")
    assert newer.superseded_by is None and newer.note == "Rettet."
    assert old.approved_by == "kari" and old.approved_at == NOW
    assert old.to_json()["approved_at"] == "2020-03-02T10:15:00Z"
    assert [(s.county, s.submission_id) for s in store.newest_per_county("pulje-5")] == [
        ("18", other),
        ("50", second),
    ]
    assert store.newest("pulje-5", "50") == newer
    assert store.get(999) is None


def test_two_locks_cannot_both_be_first_or_supersede_the_same(store: SubmissionStore) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add() -> None:
        barrier.wait()
        try:
            store.add(new())
            outcomes.append("stored")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "stored"]
    (first,) = store.rows(round_id="pulje-5", county="50")
    store.add(new(supersedes=first.submission_id))
    with pytest.raises(Conflict):
        store.add(new(supersedes=first.submission_id))
    assert len(store.rows(county="50")) == 2


@pytest.mark.parametrize("verb", ["UPDATE submissions SET note = 'x'", "DELETE FROM submissions"])
def test_the_database_refuses_to_change_a_submission(store: SubmissionStore, verb: str) -> None:
    store.add(new())
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with store.engine.begin() as conn:
            conn.execute(text(verb))
    with store.engine.connect() as conn:
        assert trigger_names(conn.dialect.name, "submissions") <= installed_triggers(conn)
    assert "submissions" in GUARDED_TABLES
