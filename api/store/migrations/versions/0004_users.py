"""Named users, web sessions and sign-in attempts, with UPDATE and DELETE refused.

Revision ID: 0004_users
Revises: 0003_append_only_guards
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0004_users"
down_revision: str | Sequence[str] | None = "0003_append_only_guards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "brukere, økter og innloggingsforsøk endres og slettes aldri"
TABLES = ("users", "web_sessions", "web_session_ends", "sign_in_attempts")
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _seq() -> sa.Column[int]:
    return sa.Column("seq", SEQ, primary_key=True, autoincrement=True)


def upgrade() -> None:
    """Create the four tables and the triggers that keep their rows unchanged."""
    op.create_table(
        "users",
        _seq(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_users"),
    )
    op.create_index("ix_users_username_seq", "users", ["username", "seq"])
    op.create_index(
        "uq_users_created",
        "users",
        ["username"],
        unique=True,
        sqlite_where=sa.text("change = 'created'"),
        postgresql_where=sa.text("change = 'created'"),
    )
    op.create_table(
        "web_sessions",
        _seq(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("credential_seq", SEQ, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_name", "web_sessions", ["name"])
    op.create_table(
        "web_session_ends",
        _seq(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_web_session_ends"),
        sa.UniqueConstraint("token_hash", name="uq_web_session_ends_token_hash"),
    )
    op.create_table(
        "sign_in_attempts",
        _seq(),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_sign_in_attempts"),
    )
    op.create_index("ix_sign_in_attempts_username_seq", "sign_in_attempts", ["username", "seq"])
    op.create_index("ix_sign_in_attempts_address_seq", "sign_in_attempts", ["address", "seq"])

    dialect = op.get_bind().dialect.name
    keys: dict[str, list[list[str]]] = {
        "web_sessions": [["seq"], ["token_hash"]],
        "web_session_ends": [["seq"], ["token_hash"]],
    }
    for table in TABLES:
        guard(op.execute, dialect, table, keys.get(table, [["seq"]]), IMMUTABLE)


def downgrade() -> None:
    """Drop the tables (only for development databases)."""
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        unguard(op.execute, dialect, table)
        op.drop_table(table)
