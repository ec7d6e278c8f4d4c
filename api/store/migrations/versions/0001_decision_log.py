"""Decision log: the evaluations table, with UPDATE and DELETE refused by the database.

Revision ID: 0001_decision_log
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_decision_log"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "vurderinger i beslutningsloggen endres og slettes aldri"


def upgrade() -> None:
    """Create `evaluations` and the triggers that keep stored decisions unchanged."""
    op.create_table(
        "evaluations",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("county", sa.String(2), nullable=False),
        sa.Column("municipality_number", sa.String(4), nullable=False),
        sa.Column("municipality_name", sa.Text(), nullable=False),
        sa.Column("received", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("ruleset_digest", sa.String(80), nullable=False),
        sa.Column("application", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("api_key", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_evaluations"),
        sa.UniqueConstraint("id", name="uq_evaluations_id"),
    )
    op.create_index("ix_evaluations_application_id", "evaluations", ["application_id"])
    op.create_index("ix_evaluations_county_round_seq", "evaluations", ["county", "round", "seq"])
    op.create_index("ix_evaluations_outcome_seq", "evaluations", ["outcome", "seq"])

    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER evaluations_no_{verb.lower()} BEFORE {verb} ON evaluations "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION utvalg_evaluations_immutable() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{IMMUTABLE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER evaluations_immutable BEFORE UPDATE OR DELETE ON evaluations "
            "FOR EACH ROW EXECUTE FUNCTION utvalg_evaluations_immutable()"
        )
        op.execute(
            "CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations "
            "FOR EACH STATEMENT EXECUTE FUNCTION utvalg_evaluations_immutable()"
        )


def downgrade() -> None:
    """Drop the decision log (only for development databases)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS evaluations_no_update")
        op.execute("DROP TRIGGER IF EXISTS evaluations_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS evaluations_no_truncate ON evaluations")
        op.execute("DROP TRIGGER IF EXISTS evaluations_immutable ON evaluations")
        op.execute("DROP FUNCTION IF EXISTS utvalg_evaluations_immutable()")
    op.drop_table("evaluations")
