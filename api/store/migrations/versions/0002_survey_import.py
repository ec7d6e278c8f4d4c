"""Survey import: Elevundersøkelsen figures per school, year and indicator, and each import.

Revision ID: 0002_survey_import
Revises: 0001_decision_log
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_survey_import"
down_revision: str | Sequence[str] | None = "0001_decision_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `survey_imports` and `survey_figures`."""
    op.create_table(
        "survey_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("county_rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("national", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_survey_imports"),
        sa.UniqueConstraint("sha256", name="uq_survey_imports_sha256"),
    )
    op.create_table(
        "survey_figures",
        sa.Column("org_number", sa.String(9), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "percent IS NULL OR (percent >= 0 AND percent <= 100)",
            name=op.f("ck_survey_figures_percent"),
        ),
        sa.CheckConstraint(
            "respondents IS NULL OR respondents >= 0", name=op.f("ck_survey_figures_respondents")
        ),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name=op.f("ck_survey_figures_year")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["survey_imports.id"],
            name="fk_survey_figures_import_id_survey_imports",
        ),
        sa.PrimaryKeyConstraint("org_number", "year", "indicator", name="pk_survey_figures"),
    )
    op.create_index("ix_survey_figures_import_id", "survey_figures", ["import_id"])


def downgrade() -> None:
    """Drop the survey tables."""
    op.drop_index("ix_survey_figures_import_id", table_name="survey_figures")
    op.drop_table("survey_figures")
    op.drop_table("survey_imports")
