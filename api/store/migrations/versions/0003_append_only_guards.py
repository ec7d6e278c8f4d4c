"""Append-only guards: REPLACE refused on SQLite, a hash chain over the decision log.

Adds `evaluations.chain` (sha256 of the previous row's chain and the row's content,
api/store/chain.py), computed here for the rows already stored, and installs the
append-only triggers of api/store/append_only.py on `evaluations` and `survey_imports`
(on SQLite that includes the BEFORE INSERT trigger that stops `INSERT OR REPLACE`).

Revision ID: 0003_append_only_guards
Revises: 0002_survey_import
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from api.store import chain
from api.store.append_only import guard, unguard

revision: str = "0003_append_only_guards"
down_revision: str | Sequence[str] | None = "0002_survey_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVALUATIONS = "vurderinger i beslutningsloggen endres og slettes aldri"
SURVEY_IMPORTS = "importer av Elevundersøkelsen endres og slettes aldri"


def upgrade() -> None:
    """Add and fill `evaluations.chain`; guard `evaluations` and `survey_imports`."""
    bind = op.get_bind()
    dialect = bind.dialect.name
    # the chain of the stored rows is written once, here: lift the guards meanwhile
    unguard(op.execute, dialect, "evaluations")
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(sa.Column("chain", sa.String(64), nullable=True))
    # typed as in 0001, so that dates and times read back as the writer's did
    types: dict[str, Any] = {
        "received": sa.Date(),
        "created_at": sa.DateTime(timezone=True),
        "score": sa.Integer(),
    }
    table = sa.table(
        "evaluations",
        sa.column("seq", sa.Integer()),
        sa.column("chain", sa.String()),
        *(sa.column(name, types.get(name, sa.String())) for name in chain.CONTENT_COLUMNS),
    )
    previous = chain.GENESIS
    rows = bind.execute(sa.select(table).order_by(table.c.seq)).mappings().all()
    for row in rows:
        previous = chain.link(previous, row)
        bind.execute(sa.update(table).where(table.c.seq == row["seq"]).values(chain=previous))
    with op.batch_alter_table("evaluations") as batch:
        batch.alter_column("chain", existing_type=sa.String(64), nullable=False)
    guard(op.execute, dialect, "evaluations", [["seq"], ["id"]], EVALUATIONS)
    guard(op.execute, dialect, "survey_imports", [["id"], ["sha256"]], SURVEY_IMPORTS)


def downgrade() -> None:
    """Remove the chain and the new guards (the guards of 0001 stay)."""
    dialect = op.get_bind().dialect.name
    unguard(op.execute, dialect, "survey_imports")
    unguard(op.execute, dialect, "evaluations")
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_column("chain")
    guard(op.execute, dialect, "evaluations", [], EVALUATIONS)
