"""Submissions: the county's locked list to Utdanningsdirektoratet, append-only.

One row per submission: the frozen entries as JSON text, the ruleset it was decided under,
who approved it and when, and which submission it supersedes (with the reason).
`supersedes_key` is 0 for a county's first submission and the superseded id otherwise; a
unique key on (round, county, supersedes_key) lets only one of two concurrent locks be the
first, or supersede the same submission.

Revision ID: 0007_submissions
Revises: 0006_office_records
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0007_submissions"
down_revision: str | Sequence[str] | None = "0006_office_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "en innstilling endres og slettes aldri; en ny innstilling erstatter den"


def upgrade() -> None:
    """Create `submissions` and the triggers that keep its rows unchanged."""
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("county", sa.String(2), nullable=False),
        sa.Column("county_name", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("ruleset_digest", sa.String(80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.Column("supersedes_key", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entries", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["submissions.id"], name="fk_submissions_supersedes_submissions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.UniqueConstraint(
            "round", "county", "supersedes_key", name="uq_submissions_round_county_supersedes"
        ),
    )
    dialect = op.get_bind().dialect.name
    guard(
        op.execute,
        dialect,
        "submissions",
        [["id"], ["round", "county", "supersedes_key"]],
        IMMUTABLE,
    )


def downgrade() -> None:
    """Drop `submissions` (only for development databases)."""
    unguard(op.execute, op.get_bind().dialect.name, "submissions")
    op.drop_table("submissions")
