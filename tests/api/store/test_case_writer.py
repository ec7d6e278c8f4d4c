"""The group writer on SQLite and PostgreSQL: one transaction per group, each request its own."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from api.store import chain
from api.store.case_writer import CaseWriter
from api.store.cases import CaseStore, Stored
from api.store.db import make_engine, migrate
from api.store.decision_log import TABLE, lock_and_read_head, write_failure
from tests.api.store.test_cases import NOW, entry


def chain_holds(engine: Engine) -> bool:
    """True when every stored evaluation follows the one before it (`utvalg verify-log`)."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(TABLE).order_by(TABLE.c.seq))]
    return chain.verify(rows).broken_at is None


def test_a_refused_row_in_a_group_fails_only_its_request(store: CaseStore) -> None:
    first = entry(body={"id": "first", "v": 1})
    # the same evaluation id twice: both databases refuse the second row (unique)
    refused = entry("5014", body={"id": "refused"}, id=first.row["id"])
    batch = [entry(body={"id": f"batch-{i}", "v": 10 + i}) for i in range(2)]
    last = entry("5014", body={"id": "last"})
    outcomes = store.store_group([[first], [refused], batch, [last]])

    assert isinstance(outcomes[1], DBAPIError) and write_failure(outcomes[1]) == "refused"
    stored = [o for i, o in enumerate(outcomes) if i != 1]
    assert all(isinstance(o, list) for o in stored)
    places = [(s.case_id, s.version) for o in stored for s in o]  # type: ignore[union-attr]
    assert places == [
        ("pulje-5:5001", 1),
        ("pulje-5:5001", 2),
        ("pulje-5:5001", 3),
        ("pulje-5:5014", 1),  # the refused request made no case and took no number
    ]
    history = store.history("pulje-5:5014")
    assert history is not None
    assert [v.application_id for v in history.versions] == ["last"]
    # the refused row's savepoint took its link out of the chain too
    assert chain_holds(store.engine)


def test_a_group_decides_versions_as_one_request_after_another_would(store: CaseStore) -> None:
    store.store([entry(body={"v": 1})])
    store.set_status("pulje-5:5001", "withdrawn", "Kommunen trakk søknaden.", "kari", NOW)
    outcomes = store.store_group(
        [
            [entry(body={"v": 1})],  # identical to the newest version: none new, still withdrawn
            [entry(body={"v": 2}), entry("5014", body={"v": 1})],  # a batch: reopens 5001
            [entry(body={"v": 2})],  # identical to the version the group just made
            [entry("5014", body={"v": 2})],
        ]
    )
    assert [[(s.case_id, s.version, s.new_version) for s in o] for o in outcomes] == [  # type: ignore[union-attr]
        [("pulje-5:5001", 1, False)],
        [("pulje-5:5001", 2, True), ("pulje-5:5014", 1, True)],
        [("pulje-5:5001", 2, False)],
        [("pulje-5:5014", 2, True)],
    ]
    history = store.history("pulje-5:5001")
    assert history is not None and [s.status for s in history.statuses] == [
        "withdrawn",
        "reopened",
    ]
    assert [e.version for e in history.evaluations] == [1, 1, 2, 2]
    assert store.count() == 2 and chain_holds(store.engine)


def test_a_group_that_cannot_commit_tries_each_request_alone(postgres_url: str) -> None:
    # a deferred constraint is checked at COMMIT, after every savepoint was released:
    # the group fails as a whole, and each request is then written on its own
    engine = make_engine(postgres_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE known_callers (name text PRIMARY KEY)"))
        conn.execute(text("INSERT INTO known_callers VALUES ('saksbehandling')"))
        conn.execute(
            text(
                "ALTER TABLE evaluations ADD CONSTRAINT known_caller FOREIGN KEY (api_key) "
                "REFERENCES known_callers (name) DEFERRABLE INITIALLY DEFERRED"
            )
        )
    store = CaseStore(engine)
    good = [entry(body={"id": f"good-{i}", "v": i}) for i in range(3)]
    unknown = entry("5014", body={"id": "unknown"}, api_key="ukjent")
    outcomes = store.store_group([[good[0]], [unknown], [good[1]], [good[2]]])
    assert isinstance(outcomes[1], DBAPIError) and write_failure(outcomes[1]) == "refused"
    assert [[s.version for s in o] for o in outcomes if isinstance(o, list)] == [[1], [2], [3]]
    assert store.history("pulje-5:5014") is None
    assert chain_holds(engine)
    engine.dispose()


def test_concurrent_requests_for_one_new_municipality(store: CaseStore) -> None:
    # the log's write lock is held elsewhere while the requests arrive, so they wait in
    # the writer's queue and go in together once it is let go
    writer = CaseWriter(store)
    other = make_engine(store.engine.url.render_as_string(hide_password=False))
    bodies = [{"id": f"karmoy-{i}", "v": i} for i in range(8)]
    seen: list[bool] = []

    async def send(body: dict[str, Any]) -> Stored:
        (stored,) = await writer.store([entry("1149", body=body, county="11")])
        # answered only once committed: another connection sees the row already
        with other.connect() as conn:
            found = conn.execute(select(TABLE.c.id).where(TABLE.c.id == stored.evaluation_id))
            seen.append(found.first() is not None)
        return stored

    async def race() -> list[Stored]:
        with other.connect() as blocker:
            lock_and_read_head(blocker)
            tasks = [asyncio.create_task(send(b)) for b in bodies]
            await asyncio.sleep(0.2)  # every request queued behind the held lock
            blocker.rollback()
            return list(await asyncio.gather(*tasks))

    async def resend(body: dict[str, Any]) -> list[Stored]:
        return list(await asyncio.gather(send(body), send(dict(reversed(body.items())))))

    try:
        answers = asyncio.run(race())
        newest = next(b for b, s in zip(bodies, answers, strict=True) if s.version == len(bodies))
        again = asyncio.run(resend(newest))  # identical to the newest version: no new one
    finally:
        writer.close()
        other.dispose()
    assert seen == [True] * (len(bodies) + 2)
    assert store.count() == 1
    assert sorted(s.version for s in answers) == list(range(1, len(bodies) + 1))
    assert all(s.new_version and s.case_id == "pulje-5:1149" for s in answers)
    assert [(s.version, s.new_version) for s in again] == [(len(bodies), False)] * 2
    history = store.history("pulje-5:1149")
    assert history is not None
    assert [v.version for v in history.versions] == list(range(1, len(bodies) + 1))
    assert sorted(v.application_id for v in history.versions) == sorted(b["id"] for b in bodies)
    assert len(history.evaluations) == len(bodies) + 2
    assert chain_holds(store.engine)


def test_a_database_failure_fails_every_request_of_the_group(store: CaseStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE evaluations RENAME TO evaluations_gone"))
    outcomes = store.store_group([[entry(body={"v": 1})], [entry("5014")]])
    assert all(isinstance(o, DBAPIError) for o in outcomes)
    assert [write_failure(o) for o in outcomes] == ["unavailable", "unavailable"]  # type: ignore[arg-type]


def test_a_closed_writer_starts_again_when_asked(store: CaseStore) -> None:
    writer = CaseWriter(store)

    async def send(start: int) -> list[list[Stored]]:
        sends = (writer.store([entry(body={"v": start + i})]) for i in range(3))
        return list(await asyncio.gather(*sends))

    first = asyncio.run(send(0))
    writer.close()
    second = asyncio.run(send(3))
    writer.close()
    assert sorted(s.version for (s,) in first + second) == list(range(1, 7))
