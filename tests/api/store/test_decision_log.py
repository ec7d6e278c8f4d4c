"""The decision log on SQLite and on a real PostgreSQL server: migrations, reads, immutability."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from api.store import chain
from api.store.db import alembic_config, make_engine, migrate, normalise_url
from api.store.decision_log import (
    TABLE,
    DecisionLog,
    Filters,
    new_evaluation_id,
    write_failure,
)
from tests.builders import baseline


def row(app_id: str, **over: Any) -> dict[str, Any]:
    """A log row with sensible values."""
    values: dict[str, Any] = {
        "id": new_evaluation_id(),
        "application_id": app_id,
        "round": "pulje-5",
        "county": "50",
        "municipality_number": "5001",
        "municipality_name": "Trondheim",
        "received": dt.date(2020, 1, 27),
        "outcome": "recommended",
        "score": 8,
        "ruleset_id": "pulje-5",
        "ruleset_version": "2020.1",
        "ruleset_digest": "sha256:aaa",
        "application": json.dumps({"id": app_id}),
        "decision": json.dumps({"application_id": app_id}),
        "created_at": dt.datetime(2020, 2, 1, 12, 0, tzinfo=dt.UTC),
        "api_key": "saksbehandling",
    }
    values.update(over)
    return values


@pytest.fixture
def log(database_url: str) -> Iterator[DecisionLog]:
    """A migrated, empty decision log."""
    engine = make_engine(database_url)
    migrate(engine)
    decision_log = DecisionLog(engine)
    yield decision_log
    decision_log.close()


def test_migrations_create_the_tables_and_run_twice(log: DecisionLog) -> None:
    migrate(log.engine)  # already at head: nothing to do, no error
    tables = set(inspect(log.engine).get_table_names())
    assert {"evaluations", "alembic_version"} <= tables
    columns = {c["name"] for c in inspect(log.engine).get_columns("evaluations")}
    assert {"application", "decision", "ruleset_digest", "created_at", "api_key"} <= columns


def test_append_then_find_by_evaluation_id_and_by_application_id(log: DecisionLog) -> None:
    first, second = row("malvik-2020"), row("malvik-2020", outcome="incomplete", score=6)
    log.append([first])
    log.append([second])

    by_id = log.find(first["id"])
    assert by_id is not None and by_id.outcome == "recommended"
    assert by_id.created_at == first["created_at"] and by_id.created_at.tzinfo is not None
    assert by_id.received == dt.date(2020, 1, 27)
    newest = log.find("malvik-2020")
    assert newest is not None and newest.id == second["id"] and newest.outcome == "incomplete"
    assert log.find("ukjent") is None


def test_appends_from_many_threads_are_all_committed_in_one_chain(log: DecisionLog) -> None:
    def append_some(t: int) -> None:
        for i in range(10):
            log.append([row(f"a-{t}-{i}")])

    threads = [threading.Thread(target=append_some, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert log.count() == 80
    records = sorted(log.page(Filters(), limit=100)[0], key=lambda r: r.seq)
    assert chain.verify(r.__dict__ for r in records).broken_at is None


def test_list_filters_and_pages_newest_first(log: DecisionLog) -> None:
    rows = [
        row(
            f"n-{i}",
            county="18" if i % 2 else "50",
            outcome="incomplete" if i % 3 else "recommended",
        )
        for i in range(7)
    ]
    log.append(rows)

    page, cursor = log.page(Filters(), limit=3)
    assert [r.application_id for r in page] == ["n-6", "n-5", "n-4"]
    assert cursor is not None
    page2, cursor2 = log.page(Filters(), limit=3, before=cursor)
    assert [r.application_id for r in page2] == ["n-3", "n-2", "n-1"]
    page3, cursor3 = log.page(Filters(), limit=3, before=cursor2)
    assert [r.application_id for r in page3] == ["n-0"] and cursor3 is None

    nordland, _ = log.page(Filters(county="18"), limit=50)
    assert [r.application_id for r in nordland] == ["n-5", "n-3", "n-1"]
    both, _ = log.page(Filters(county="50", outcome="recommended"), limit=50)
    assert [r.application_id for r in both] == ["n-6", "n-0"]
    assert log.page(Filters(round="pulje-4"), limit=50)[0] == []


def test_latest_per_application_and_known_pairs(log: DecisionLog) -> None:
    log.append([row("a", score=1), row("b"), row("a", score=5), row("c", county="18")])
    latest = log.latest_per_application("50", "pulje-5")
    assert sorted((r.application_id, r.score) for r in latest) == [("a", 5), ("b", 8)]
    assert log.known([("a", "sha256:aaa"), ("a", "sha256:bbb"), ("x", "sha256:aaa")]) == {
        ("a", "sha256:aaa")
    }


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE evaluations SET outcome = 'not_recommended'",
        "DELETE FROM evaluations",
    ],
)
def test_the_database_refuses_to_change_stored_decisions(log: DecisionLog, statement: str) -> None:
    log.append([row("fast")])
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with log.engine.begin() as conn:
            conn.execute(text(statement))
    stored = log.find("fast")
    assert stored is not None and stored.outcome == "recommended"


def test_a_refused_write_raises_and_stores_nothing_of_its_rows(log: DecisionLog) -> None:
    duplicate = row("dup")
    log.append([duplicate])
    with pytest.raises(DBAPIError) as refused:  # same evaluation id: unique constraint
        log.append([row("with-it"), dict(duplicate)])
    assert write_failure(refused.value) == "refused"
    assert log.find("with-it") is None
    log.append([row("after")])
    assert log.find("after") is not None and log.count() == 2


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///var/utvalg.db") == "sqlite:///var/utvalg.db"


def test_the_api_stores_and_ranks_on_each_database(client_factory: Any, database_url: str) -> None:
    client = client_factory(database_url=database_url)
    ids = []
    for n in range(3):
        data = dict(baseline(), id=f"db-{n}")
        r = client.post("/v1/evaluations", json=data)
        assert r.status_code == 201
        ids.append(r.headers["utvalg-evaluation-id"])
    assert (
        client.post("/v1/evaluations:batch", json={"applications": [baseline()]}).status_code == 200
    )
    assert client.get(f"/v1/evaluations/{ids[0]}").json()["application_id"] == "db-0"
    record = client.get("/v1/evaluations/db-2/record").json()
    assert record["evaluation_id"] == ids[2] and record["application"]["id"] == "db-2"
    page = client.get("/v1/evaluations", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    ranking = client.post("/v1/rankings", json={"county": "50"}).json()
    # four applications from one municipality: one case, four versions, one place
    assert [
        (e["case_id"], e["version"], e["application_id"]) for e in ranking["counties"][0]["ranking"]
    ] == [("pulje-5:5001", 4, "test-1")]
    assert client.post(f"/v1/evaluations/{ids[1]}:replay").json()["same"] is True
    assert client.get("/readyz").json()["database"] == "ok"
    # a NUL never reaches the database (PostgreSQL would refuse it with a 500)
    assert client.get("/v1/evaluations/db%000").status_code == 404
    assert client.get("/vurderinger/db%000").status_code == 404
    for name in ("round", "application_id"):
        r = client.get("/v1/evaluations", params={name: "db\x000"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", name]
    nul = dict(baseline(), id="nul")
    nul["municipality"] = dict(nul["municipality"], name="Trond\x00heim")
    r = client.post("/v1/evaluations", json=nul)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "NAME_CONTROL_CHARACTER"


def test_the_migrations_match_the_models(log: DecisionLog) -> None:
    cfg = alembic_config(log.engine.url.render_as_string(hide_password=False))
    with log.engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)  # raises when autogenerate would find a difference


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO evaluations (seq, id, application_id, round, county, "
        "municipality_number, municipality_name, outcome, score, ruleset_id, ruleset_version, "
        "ruleset_digest, application, decision, created_at, chain) SELECT seq, id, "
        "application_id, round, county, municipality_number, municipality_name, "
        "'not_recommended', score, ruleset_id, ruleset_version, ruleset_digest, application, "
        "decision, created_at, chain FROM evaluations",
        "REPLACE INTO evaluations SELECT * FROM evaluations",
    ],
)
def test_sqlite_replace_cannot_rewrite_a_stored_decision(tmp_path: Any, statement: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    migrate(engine)
    decision_log = DecisionLog(engine)
    decision_log.append([row("fast")])
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    stored = decision_log.find("fast")
    assert stored is not None and stored.outcome == "recommended"
    engine.dispose()


def test_upsert_cannot_rewrite_a_stored_decision(log: DecisionLog) -> None:
    first = row("fast")
    log.append([first])
    upsert = (
        "INSERT INTO evaluations (id, application_id, round, county, municipality_number, "
        "municipality_name, outcome, score, ruleset_id, ruleset_version, ruleset_digest, "
        "application, decision, created_at, chain) VALUES (:id, 'x', 'r', '50', '5001', 'n', "
        "'not_recommended', 0, 'r', 'v', 'd', '{}', '{}', '2020-01-01', 'c') "
        "ON CONFLICT (id) DO UPDATE SET outcome = 'not_recommended'"
    )
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with log.engine.begin() as conn:
            conn.execute(text(upsert), {"id": first["id"]})
    stored = log.find("fast")
    assert stored is not None and stored.outcome == "recommended"


def test_each_row_is_chained_onto_the_one_before(log: DecisionLog) -> None:
    log.append([row("a"), row("b")])
    log.append([row("c")])
    records = sorted(log.page(Filters(), limit=10)[0], key=lambda r: r.seq)
    previous = chain.GENESIS
    for record in records:
        assert record.chain == chain.link(previous, record.__dict__)
        previous = record.chain
    assert chain.verify(r.__dict__ for r in records).broken_at is None


def test_write_failures_are_told_apart() -> None:
    refused = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
    read_only = OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))
    gone = OperationalError("SELECT", {}, Exception("connection refused"))
    assert [write_failure(e) for e in (refused, read_only, gone)] == [
        "refused",
        "read_only",
        "unavailable",
    ]


def test_the_migration_chains_the_rows_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0002_survey_import")
    old = [row("old-1"), row("old-2", created_at=dt.datetime(2020, 3, 1, 8, 30, 5, 123456))]
    with engine.begin() as conn:  # as the writer before 0003 did: no chain
        conn.execute(insert(TABLE), old)
    migrate(engine)
    decision_log = DecisionLog(engine)
    decision_log.append([row("new")])
    records = sorted(decision_log.page(Filters(), limit=10)[0], key=lambda r: r.seq)
    verdict = chain.verify(r.__dict__ for r in records)
    assert verdict.rows == 3 and verdict.broken_at is None
    engine.dispose()


def test_servers_started_at_once_on_an_empty_postgresql_all_migrate(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def start(engine: Any) -> None:
        barrier.wait()
        try:
            migrate(engine)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with engines[0].connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert versions == [head]
    for engine in engines:
        engine.dispose()
