"""Cases on SQLite and PostgreSQL: versions, identical resends, history, immutability, migration."""

from __future__ import annotations

import datetime as dt
import json
import threading
from itertools import pairwise
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.store.cases import CASE_TABLES, CaseStore, Entry
from api.store.db import alembic_config, make_engine, migrate
from api.store.decision_log import DecisionLog, write_failure
from tests.api.store.test_decision_log import row

NOW = dt.datetime(2020, 2, 1, 12, 0, tzinfo=dt.UTC)


def entry(number: str = "5001", body: dict[str, Any] | None = None, **over: Any) -> Entry:
    """An evaluation of an application of municipality `number` (content `body`)."""
    application = body if body is not None else {"municipality": {"number": number}}
    values = {"municipality_number": number, "application": json.dumps(application)}
    values.update(over)
    return Entry(row(str(application.get("id", "a")), **values), application)


def test_versions_identical_resends_and_other_municipalities(store: CaseStore) -> None:
    first = store.store([entry(body={"id": "a", "v": 1})])
    again = store.store([entry(body={"v": 1, "id": "a"})])  # same content, other key order
    changed = store.store([entry(body={"id": "a", "v": 2})])
    # the same reference from another municipality is another case, never a replacement
    other = store.store([entry("5014", body={"id": "a", "v": 1})])
    assert [(s.case_id, s.version, s.new_version) for s in first + again + changed + other] == [
        ("pulje-5:5001", 1, True),
        ("pulje-5:5001", 1, False),
        ("pulje-5:5001", 2, True),
        ("pulje-5:5014", 1, True),
    ]
    history = store.history("pulje-5:5001")
    assert history is not None
    assert [v.version for v in history.versions] == [1, 2]
    assert [e.version for e in history.evaluations] == [1, 1, 2]
    assert history.decision() is not None
    assert history.decision().id == changed[0].evaluation_id  # type: ignore[union-attr]
    assert history.versions[0].created_by == "saksbehandling"
    assert store.count() == 2


def test_status_judgement_outdated_withdrawn_and_reopened(store: CaseStore) -> None:
    store.store([entry(body={"v": 1})])
    history = store.history("pulje-5:5001")
    assert history is not None and history.status("sha256:aaa") == "assessed"
    assert history.status("sha256:other") == "received" and history.stale("sha256:other")
    decision = history.decision()
    assert decision is not None
    store.judge(history, decision, "propose", False, "Godt begrunnet.", "kari", NOW)
    history = store.history("pulje-5:5001")
    assert history is not None and history.status("sha256:aaa") == "judged"
    store.store([entry(body={"v": 2})])
    history = store.history("pulje-5:5001")
    assert history is not None and history.outdated()
    assert history.status("sha256:aaa") == "assessed"
    store.set_status("pulje-5:5001", "withdrawn", "Kommunen trakk søknaden.", "kari", NOW)
    history = store.history("pulje-5:5001")
    assert history is not None and history.status("sha256:aaa") == "withdrawn"
    store.store([entry(body={"v": 3})])
    history = store.history("pulje-5:5001")
    assert history is not None and history.status("sha256:aaa") == "assessed"
    assert [s.status for s in history.statuses] == ["withdrawn", "reopened"]


@pytest.mark.parametrize("table", CASE_TABLES)
@pytest.mark.parametrize("verb", ["UPDATE {t} SET created_by = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_to_change_case_rows(store: CaseStore, table: str, verb: str) -> None:
    store.store([entry()])
    history = store.history("pulje-5:5001")
    assert history is not None and history.decision() is not None
    store.judge(history, history.decision(), "propose", False, "Ja.", "kari", NOW)  # type: ignore[arg-type]
    store.set_status("pulje-5:5001", "void", "Feilregistrert.", "kari", NOW)
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with store.engine.begin() as conn:
            conn.execute(text(verb.format(t=table)))


def test_sqlite_replace_cannot_swap_a_stored_version(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    migrate(engine)
    store = CaseStore(engine)
    store.store([entry(body={"v": 1})])
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO case_versions (case_id, version, application_id, "
                    "municipality_name, digest, application, created_at) VALUES "
                    "('pulje-5:5001', 1, 'x', 'X', 'd', '{}', '2020-01-01')"
                )
            )
    history = store.history("pulje-5:5001")
    assert history is not None and history.versions[0].application == {"v": 1}


def test_a_refused_row_fails_only_its_own_request(store: CaseStore) -> None:
    # requests from threads, each `store` a group of one (groups: test_case_writer.py)
    stored = store.store([entry(body={"id": "stored"})])[0]
    # PostgreSQL refuses a NUL character in text; SQLite refuses a second row with one id
    bad = entry("5014", body={"id": "bad"}, municipality_name="Mal\x00vik")
    if store.engine.dialect.name == "sqlite":
        bad = entry("5014", body={"id": "bad"}, id=stored.evaluation_id)
    outcomes: dict[str, BaseException | None] = {}
    barrier = threading.Barrier(6)

    def send(name: str, one: Entry) -> None:
        barrier.wait()
        try:
            store.store([one])
            outcomes[name] = None
        except DBAPIError as exc:  # told to the one request, as pipeline.store does
            outcomes[name] = exc

    sends = [(f"good-{i}", entry(body={"id": f"good-{i}", "v": i})) for i in range(5)]
    threads = [threading.Thread(target=send, args=s) for s in [*sends, ("bad", bad)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [n for n, e in sorted(outcomes.items()) if e is not None] == ["bad"]
    assert write_failure(outcomes["bad"]) == "refused"  # type: ignore[arg-type]
    history = store.history("pulje-5:5001")
    assert history is not None and len(history.evaluations) == 6
    assert store.history("pulje-5:5014") is None


def test_racing_writers_make_one_case_and_lose_no_version(store: CaseStore) -> None:
    # the threads share nothing but the database (the lock only serialises SQLite)
    bodies = [{"v": i % 4} for i in range(16)]
    barrier = threading.Barrier(8)

    def send(part: list[dict[str, Any]]) -> None:
        barrier.wait()
        for body in part:
            store.store([entry(body=body)])

    threads = [threading.Thread(target=send, args=(bodies[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = store.history("pulje-5:5001")
    assert history is not None and store.count() == 1
    numbers = [v.version for v in history.versions]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(history.evaluations) == 16
    # no two neighbouring versions are the same application
    assert all(a.digest != b.digest for a, b in pairwise(history.versions))


def test_the_migration_makes_cases_of_the_log(database_url: str) -> None:
    engine = make_engine(database_url)
    cfg = alembic_config(database_url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004_users")  # the revision before the cases
    log = DecisionLog(engine)
    log.append(
        [
            row("t1", application=json.dumps({"v": 1})),
            row("t2", application=json.dumps({"v": 1})),
            row("s", municipality_number="5014", application=json.dumps({"v": 9})),
            row("t3", application=json.dumps({"v": 2})),
        ]
    )
    migrate(engine)
    store = CaseStore(engine)
    history = store.history("pulje-5:5001")
    assert history is not None
    assert [v.version for v in history.versions] == [1, 2]
    assert [e.version for e in history.evaluations] == [1, 1, 2]
    assert store.history("pulje-5:5014") is not None and store.count() == 2
    engine.dispose()


def test_two_instances_on_one_postgresql_take_versions_of_one_new_case(
    postgres_url: str,
) -> None:
    # two stores with their own engines and pools, as two `utvalg serve` processes have:
    # only the database's constraints stand between them
    first = make_engine(postgres_url)
    migrate(first)
    second = make_engine(postgres_url)
    stores = [CaseStore(first), CaseStore(second)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(store: CaseStore, start: int) -> None:
        barrier.wait()
        try:
            for i in range(start, 40, 2):
                store.store([entry(body={"v": i})])  # every application differs
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(s, i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = stores[0].history("pulje-5:5001")
    assert history is not None and stores[1].count() == 1
    assert [v.version for v in history.versions] == list(range(1, 41))  # none lost, none twice
    assert sorted(v.application["v"] for v in history.versions) == list(range(40))
    first.dispose()
    second.dispose()
