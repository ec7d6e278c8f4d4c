"""The decision log on SQLite and on a real PostgreSQL server: migrations, reads, immutability."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from api.store.db import alembic_config, make_engine, migrate, normalise_url
from api.store.decision_log import DecisionLog, Filters, new_evaluation_id
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
    """A migrated, empty decision log with its writer thread running."""
    engine = make_engine(database_url)
    migrate(engine)
    decision_log = DecisionLog(engine)
    decision_log.start()
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
    asyncio.run(log.append([first]))
    asyncio.run(log.append([second]))

    by_id = log.find(first["id"])
    assert by_id is not None and by_id.outcome == "recommended"
    assert by_id.created_at == first["created_at"] and by_id.created_at.tzinfo is not None
    assert by_id.received == dt.date(2020, 1, 27)
    newest = log.find("malvik-2020")
    assert newest is not None and newest.id == second["id"] and newest.outcome == "incomplete"
    assert log.find("ukjent") is None


def test_many_concurrent_appends_are_all_committed(log: DecisionLog) -> None:
    async def many() -> None:
        await asyncio.gather(*(log.append([row(f"a-{i}")]) for i in range(200)))

    asyncio.run(many())
    assert log.count() == 200


def test_list_filters_and_pages_newest_first(log: DecisionLog) -> None:
    rows = [
        row(
            f"n-{i}",
            county="18" if i % 2 else "50",
            outcome="incomplete" if i % 3 else "recommended",
        )
        for i in range(7)
    ]
    log.append_now(rows)

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
    log.append_now([row("a", score=1), row("b"), row("a", score=5), row("c", county="18")])
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
    log.append_now([row("fast")])
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with log.engine.begin() as conn:
            conn.execute(text(statement))
    stored = log.find("fast")
    assert stored is not None and stored.outcome == "recommended"


def test_a_failed_write_is_reported_to_the_waiting_request(log: DecisionLog) -> None:
    duplicate = row("dup")
    log.append_now([duplicate])
    with pytest.raises(DBAPIError):
        asyncio.run(log.append([dict(duplicate)]))  # same evaluation id: unique constraint
    asyncio.run(log.append([row("after")]))  # the writer lives on
    assert log.find("after") is not None


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


def test_the_migrations_match_the_models(log: DecisionLog) -> None:
    cfg = alembic_config(log.engine.url.render_as_string(hide_password=False))
    with log.engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)  # raises when autogenerate would find a difference
