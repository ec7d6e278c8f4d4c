"""Database triggers that keep a table append-only: rows are inserted, never changed or removed.

Every migration that creates a table whose rows are only ever added calls `guard` with the
table's name, its unique keys and a Norwegian sentence for the refusal. What it installs:

- SQLite: BEFORE UPDATE and BEFORE DELETE triggers, and a BEFORE INSERT trigger that refuses a
  row whose key is already stored. The last one is what stops `INSERT OR REPLACE` /
  `REPLACE INTO`: SQLite deletes the old row of a REPLACE without firing delete triggers
  (recursive triggers are off), so only an insert trigger sees it coming.
- PostgreSQL: one trigger function per table, fired BEFORE UPDATE OR DELETE for each row and
  BEFORE TRUNCATE (PostgreSQL has no REPLACE; `ON CONFLICT DO UPDATE` fires the update trigger).

The file's owner (SQLite) or a superuser (PostgreSQL) can still drop the triggers; the chained
hash of the decision log (`utvalg verify-log`) is how an operator notices what was done then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection


def _quote(text: str) -> str:
    return text.replace("'", "''")


def guard_statements(
    dialect: str, table: str, keys: Sequence[Sequence[str]], refusal: str
) -> list[str]:
    """The SQL that makes `table` append-only on this dialect (`sqlite` or `postgresql`).

    `keys` lists the table's unique keys (each a list of columns): an insert that repeats one
    of them is refused on SQLite before REPLACE can delete the stored row.
    """
    message = _quote(refusal)
    if dialect == "sqlite":
        statements = [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for verb in ("UPDATE", "DELETE")
        ]
        if keys:
            clash = " OR ".join(
                "(" + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")"
                for key in keys
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {clash}) "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return statements
    function = f"utvalg_{table}_immutable"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def unguard_statements(dialect: str, table: str) -> list[str]:
    """The SQL that removes what `guard_statements` installed (for downgrades only)."""
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete", "replace")
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}",
        f"DROP FUNCTION IF EXISTS utvalg_{table}_immutable()",
    ]


def guard(
    execute: Callable[[str], object],
    dialect: str,
    table: str,
    keys: Sequence[Sequence[str]],
    refusal: str,
) -> None:
    """Make `table` append-only; in a migration: `guard(op.execute, dialect, table, …)`."""
    for statement in guard_statements(dialect, table, keys, refusal):
        execute(statement)


def unguard(execute: Callable[[str], object], dialect: str, table: str) -> None:
    """Remove a table's append-only triggers (a migration's downgrade)."""
    for statement in unguard_statements(dialect, table):
        execute(statement)


def trigger_names(dialect: str, table: str, *, keyed: bool = True) -> set[str]:
    """The names of the triggers `guard` installs on `table` (for `utvalg verify-log`)."""
    if dialect == "sqlite":
        verbs = ("update", "delete", "replace") if keyed else ("update", "delete")
        return {f"{table}_no_{verb}" for verb in verbs}
    return {f"{table}_immutable", f"{table}_no_truncate"}


def installed_triggers(connection: Connection) -> set[str]:
    """The names of the triggers the database holds now (SQLite or PostgreSQL)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {str(name) for (name,) in connection.exec_driver_sql(query)}


# The append-only tables and their triggers as of the newest migration; a migration that
# guards a new table adds it here, so that `utvalg verify-log` checks its triggers too.
GUARDED_TABLES = (
    "evaluations",
    "survey_imports",
    "users",  # 0004
    "web_sessions",
    "web_session_ends",
    "sign_in_attempts",
    "cases",  # 0005
    "case_versions",
    "case_evaluations",
    "case_judgements",
    "case_statuses",
    "school_register",  # 0006
    "office_records",
    "rule_versions",  # 0008
    "rule_activations",
    "rule_drafts",
)
