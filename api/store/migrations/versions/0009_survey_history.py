"""Survey figures append-only: each import's figure is a new row; the newest import's is in use.

Until now a newer export overwrote a school's stored figure (`survey_figures`, one row per
school, year and indicator), so what an earlier evaluation read was gone. Now every changed
figure is a new row of `survey_figure_versions` beside the old one, keyed by its import.

Revision ID: 0009_survey_history
Revises: 0008_rule_versions
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0009_survey_history"
down_revision: str | Sequence[str] | None = "0008_rule_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "survey_figure_versions"
IMMUTABLE = "skoletall fra Elevundersøkelsen endres og slettes aldri; en ny import er nye rader"
KEY = ["org_number", "indicator", "year", "import_id"]
COLUMNS = "org_number, year, indicator, name, percent, respondents, suppressed, import_id"


def upgrade() -> None:
    """Create `survey_figure_versions`, move the stored figures in, drop `survey_figures`."""
    op.create_table(
        TABLE,
        sa.Column("org_number", sa.String(9), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "percent IS NULL OR (percent >= 0 AND percent <= 100)",
            name=op.f("ck_survey_figure_versions_percent"),
        ),
        sa.CheckConstraint(
            "respondents IS NULL OR respondents >= 0",
            name=op.f("ck_survey_figure_versions_respondents"),
        ),
        sa.CheckConstraint(
            "year >= 2000 AND year <= 2100", name=op.f("ck_survey_figure_versions_year")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["survey_imports.id"],
            name="fk_survey_figure_versions_import_id_survey_imports",
        ),
        sa.PrimaryKeyConstraint(*KEY, name="pk_survey_figure_versions"),
    )
    op.create_index("ix_survey_figure_versions_import_id", TABLE, ["import_id"])
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM survey_figures")
    op.drop_index("ix_survey_figures_import_id", table_name="survey_figures")
    op.drop_table("survey_figures")
    guard(op.execute, op.get_bind().dialect.name, TABLE, [KEY], IMMUTABLE)


def downgrade() -> None:
    """Back to one row per figure, the newest import's (only for development databases)."""
    unguard(op.execute, op.get_bind().dialect.name, TABLE)
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
        sa.ForeignKeyConstraint(
            ["import_id"], ["survey_imports.id"], name="fk_survey_figures_import_id_survey_imports"
        ),
        sa.PrimaryKeyConstraint("org_number", "year", "indicator", name="pk_survey_figures"),
    )
    op.create_index("ix_survey_figures_import_id", "survey_figures", ["import_id"])
    op.execute(
        f"INSERT INTO survey_figures ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE} v "
        f"WHERE v.import_id = (SELECT MAX(w.import_id) FROM {TABLE} w WHERE "
        "w.org_number = v.org_number AND w.indicator = v.indicator AND w.year = v.year)"
    )
    op.drop_index("ix_survey_figure_versions_import_id", table_name=TABLE)
    op.drop_table(TABLE)
