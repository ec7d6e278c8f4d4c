"""The office's own records, append-only: where each school is, and its cases and supervisions.

Revision ID: 0006_office_records
Revises: 0005_cases
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0006_office_records"
down_revision: str | Sequence[str] | None = "0005_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "kontorets egne opplysninger endres og slettes aldri; en rettelse er en ny rad"
TABLES = ("school_register", "office_records")


def upgrade() -> None:
    """Create `school_register` and `office_records`, and the triggers that keep rows unchanged."""
    op.create_table(
        "school_register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_number", sa.String(9), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("municipality_number", sa.String(4), nullable=True),
        sa.Column("municipality_name", sa.String(255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_school_register"),
    )
    op.create_index("ix_school_register_org_number", "school_register", ["org_number"])
    op.create_index("ix_school_register_sha256", "school_register", ["sha256"])
    op.create_table(
        "office_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("key", sa.String(9), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("case_kind", sa.String(16), nullable=True),
        sa.Column("complex", sa.Boolean(), nullable=True),
        sa.Column("months_open", sa.Integer(), nullable=True),
        sa.Column("deficiencies", sa.JSON(), nullable=True),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaces"], ["office_records.id"], name="fk_office_records_replaces_office_records"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_office_records"),
    )
    op.create_index("ix_office_records_key", "office_records", ["key"])
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        guard(op.execute, dialect, table, [["id"]], IMMUTABLE)


def downgrade() -> None:
    """Drop the office's tables (only for development databases)."""
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        unguard(op.execute, dialect, table)
    op.drop_index("ix_office_records_key", table_name="office_records")
    op.drop_table("office_records")
    op.drop_index("ix_school_register_sha256", table_name="school_register")
    op.drop_index("ix_school_register_org_number", table_name="school_register")
    op.drop_table("school_register")
