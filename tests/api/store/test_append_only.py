"""The append-only guard helper, on a table of its own and on the survey imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from api.store.append_only import (
    GUARDED_TABLES,
    guard,
    installed_triggers,
    trigger_names,
    unguard,
)
from api.store.db import make_engine, migrate


def test_a_guarded_table_takes_new_rows_only(database_url: str) -> None:
    engine = make_engine(database_url)
    dialect = engine.dialect.name
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        guard(conn.exec_driver_sql, dialect, "notes", [["id"]], "notater endres aldri")
        conn.execute(text("INSERT INTO notes VALUES (1, 'først')"))
        assert trigger_names(dialect, "notes") <= installed_triggers(conn)
    refused = ["UPDATE notes SET body = 'x'", "DELETE FROM notes"]
    refused += (
        ["INSERT OR REPLACE INTO notes VALUES (1, 'x')", "REPLACE INTO notes VALUES (1, 'x')"]
        if dialect == "sqlite"
        else ["TRUNCATE notes"]
    )
    refused.append("INSERT INTO notes VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET body = 'x'")
    for statement in refused:
        with pytest.raises(DBAPIError, match="notater endres aldri"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES (2, 'neste')"))
        assert conn.execute(text("SELECT body FROM notes ORDER BY id")).scalars().all() == [
            "først",
            "neste",
        ]
        unguard(conn.exec_driver_sql, dialect, "notes")
        assert not trigger_names(dialect, "notes") & installed_triggers(conn)
    engine.dispose()


def test_a_survey_import_cannot_be_replaced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    migrate(make_engine(url))
    engine = create_engine(url)
    values = "(1, 'a.csv', 'abc', 1, '2020-01-01', NULL, 0, 0, 0, 0, 0, 0, 0, '[]', '[]')"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO survey_imports VALUES {values}"))
    with pytest.raises(DBAPIError, match="endres og slettes aldri"):
        with engine.begin() as conn:
            conn.execute(text(f"REPLACE INTO survey_imports VALUES {values}"))
    engine.dispose()


def test_every_guarded_table_refuses_changes_after_the_migrations(database_url: str) -> None:
    # what `utvalg verify-log` checks: every append-only table has its triggers
    engine = make_engine(database_url)
    migrate(engine)
    dialect = engine.dialect.name
    with engine.connect() as conn:
        installed = installed_triggers(conn)
    for table in GUARDED_TABLES:
        assert trigger_names(dialect, table) <= installed, table
    engine.dispose()


def test_a_stored_survey_figure_is_never_changed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    migrate(make_engine(url))
    engine = create_engine(url)
    values = "(1, 'a.csv', 'abc', 1, '2020-01-01', NULL, 0, 0, 0, 0, 0, 0, 0, '[]', '[]')"
    figure = "('974760673', 2019, 'mobbing', 1, 'Nordby skole', 9.1, 97, 0)"
    columns = "(org_number, year, indicator, import_id, name, percent, respondents, suppressed)"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO survey_imports VALUES {values}"))
        conn.execute(text(f"INSERT INTO survey_figure_versions {columns} VALUES {figure}"))
    for statement in (
        "UPDATE survey_figure_versions SET percent = 1.0",
        "DELETE FROM survey_figure_versions",
        f"REPLACE INTO survey_figure_versions {columns} VALUES {figure}",
    ):
        with pytest.raises(DBAPIError, match="endres og slettes aldri"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    engine.dispose()
