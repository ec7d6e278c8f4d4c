"""Published rule versions, which one is in force, and the drafts of the rules page; append-only.

Revision ID: 0008_rule_versions
Revises: 0006_office_records
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0008_rule_versions"
down_revision: str | Sequence[str] | None = "0006_office_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "publiserte regler endres og slettes aldri; en endring er en ny versjon eller rad"
TABLES = ("rule_versions", "rule_activations", "rule_drafts")


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables of published rules and the triggers that keep rows unchanged."""
    op.create_table(
        "rule_versions",
        sa.Column("seq", _seq(), autoincrement=True, nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("based_on", sa.String(64), nullable=True),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("draft_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_rule_versions"),
        sa.UniqueConstraint("round", "version", name="uq_rule_versions_round"),
    )
    op.create_table(
        "rule_activations",
        sa.Column("seq", _seq(), autoincrement=True, nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_rule_activations"),
        sa.ForeignKeyConstraint(
            ["round", "version"],
            ["rule_versions.round", "rule_versions.version"],
            name="fk_rule_activations_round_rule_versions",
        ),
    )
    op.create_index("ix_rule_activations_round", "rule_activations", ["round"])
    op.create_table(
        "rule_drafts",
        sa.Column("seq", _seq(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(64), nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("based_on", sa.String(64), nullable=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_rule_drafts"),
    )
    op.create_index("ix_rule_drafts_draft_id", "rule_drafts", ["draft_id"])
    dialect = op.get_bind().dialect.name
    guard(op.execute, dialect, "rule_versions", [["seq"], ["round", "version"]], IMMUTABLE)
    guard(op.execute, dialect, "rule_activations", [["seq"]], IMMUTABLE)
    guard(op.execute, dialect, "rule_drafts", [["seq"]], IMMUTABLE)


def downgrade() -> None:
    """Drop the tables of published rules (only for development databases)."""
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        unguard(op.execute, dialect, table)
    op.drop_index("ix_rule_drafts_draft_id", table_name="rule_drafts")
    op.drop_table("rule_drafts")
    op.drop_index("ix_rule_activations_round", table_name="rule_activations")
    op.drop_table("rule_activations")
    op.drop_table("rule_versions")
