"""Cases: versions, evaluations, judgements and status changes, append-only; the log moves in.

Every evaluation already in the decision log becomes an evaluation of a version of its
municipality's case (`{round}:{municipality number}`): evaluations of one municipality are
taken in the order they were made, and an application text that differs from the newest
version before it makes a new version.

Revision ID: 0005_cases
Revises: 0004_users
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from api.store.append_only import guard, unguard

revision: str = "0005_cases"
down_revision: str | Sequence[str] | None = "0004_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = "saker, versjoner, vurderinger, skjønn og statuser endres og slettes aldri"

# table → its unique keys: an insert that repeats one is refused (SQLite's INSERT OR REPLACE
# would otherwise delete the stored row without firing a DELETE trigger)
UNIQUE_KEYS: dict[str, list[list[str]]] = {
    "cases": [["seq"], ["id"], ["round", "municipality_number"]],
    "case_versions": [["seq"], ["case_id", "version"]],
    "case_evaluations": [["seq"], ["evaluation_id"]],
    "case_judgements": [["seq"]],
    "case_statuses": [["seq"]],
}


def _seq() -> sa.Column[Any]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _who_when() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
    ]


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=f"fk_{table}_case_id_cases")


def upgrade() -> None:
    """Create the case tables, move the log's evaluations in, and refuse changes."""
    op.create_table(
        "cases",
        _seq(),
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("county", sa.String(2), nullable=False),
        sa.Column("municipality_number", sa.String(4), nullable=False),
        *_who_when(),
        sa.PrimaryKeyConstraint("seq", name="pk_cases"),
        sa.UniqueConstraint("id", name="uq_cases_id"),
        sa.UniqueConstraint("round", "municipality_number", name="uq_cases_round"),
    )
    op.create_index("ix_cases_county", "cases", ["county"])
    op.create_table(
        "case_versions",
        _seq(),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False),
        sa.Column("municipality_name", sa.Text(), nullable=False),
        sa.Column("received", sa.Date(), nullable=True),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("application", sa.Text(), nullable=False),
        *_who_when(),
        sa.PrimaryKeyConstraint("seq", name="pk_case_versions"),
        sa.UniqueConstraint("case_id", "version", name="uq_case_versions_case_id"),
        _case_fk("case_versions"),
    )
    op.create_index("ix_case_versions_case_id", "case_versions", ["case_id"])
    op.create_table(
        "case_evaluations",
        _seq(),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.String(40), nullable=False),
        *_who_when(),
        sa.PrimaryKeyConstraint("seq", name="pk_case_evaluations"),
        sa.UniqueConstraint("evaluation_id", name="uq_case_evaluations_evaluation_id"),
        _case_fk("case_evaluations"),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name="fk_case_evaluations_evaluation_id_evaluations",
        ),
    )
    op.create_index("ix_case_evaluations_case_id", "case_evaluations", ["case_id"])
    op.create_table(
        "case_judgements",
        _seq(),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.String(40), nullable=False),
        sa.Column("proposal", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("departs", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        *_who_when(),
        sa.PrimaryKeyConstraint("seq", name="pk_case_judgements"),
        _case_fk("case_judgements"),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name="fk_case_judgements_evaluation_id_evaluations",
        ),
    )
    op.create_index("ix_case_judgements_case_id", "case_judgements", ["case_id"])
    op.create_table(
        "case_statuses",
        _seq(),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_who_when(),
        sa.PrimaryKeyConstraint("seq", name="pk_case_statuses"),
        _case_fk("case_statuses"),
    )
    op.create_index("ix_case_statuses_case_id", "case_statuses", ["case_id"])
    _move_the_log_in()
    _refuse_changes()


def _digest(text: str) -> str:
    value = json.loads(text)
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _move_the_log_in() -> None:
    bind = op.get_bind()
    evaluations = sa.table(
        "evaluations",
        *(
            sa.column(c)
            for c in (
                "seq",
                "id",
                "application_id",
                "round",
                "county",
                "municipality_number",
                "municipality_name",
                "received",
                "application",
                "created_at",
                "api_key",
            )
        ),
    )
    cases = sa.table(
        "cases",
        *(
            sa.column(c)
            for c in ("id", "round", "county", "municipality_number", "created_at", "created_by")
        ),
    )
    versions = sa.table(
        "case_versions",
        *(
            sa.column(c)
            for c in (
                "case_id",
                "version",
                "application_id",
                "municipality_name",
                "received",
                "digest",
                "application",
                "created_at",
                "created_by",
            )
        ),
    )
    links = sa.table(
        "case_evaluations",
        *(
            sa.column(c)
            for c in ("case_id", "version", "evaluation_id", "created_at", "created_by")
        ),
    )
    newest: dict[str, tuple[int, str]] = {}
    for r in bind.execute(sa.select(evaluations).order_by(evaluations.c.seq)):
        ident = f"{r.round}:{r.municipality_number}"
        digest = _digest(r.application)
        if ident not in newest:
            bind.execute(
                sa.insert(cases).values(
                    id=ident,
                    round=r.round,
                    county=r.county,
                    municipality_number=r.municipality_number,
                    created_at=r.created_at,
                    created_by=r.api_key,
                )
            )
        number, last = newest.get(ident, (0, ""))
        if last != digest:
            number += 1
            bind.execute(
                sa.insert(versions).values(
                    case_id=ident,
                    version=number,
                    application_id=r.application_id,
                    municipality_name=r.municipality_name,
                    received=r.received,
                    digest=digest,
                    application=r.application,
                    created_at=r.created_at,
                    created_by=r.api_key,
                )
            )
            newest[ident] = (number, digest)
        bind.execute(
            sa.insert(links).values(
                case_id=ident,
                version=number,
                evaluation_id=r.id,
                created_at=r.created_at,
                created_by=r.api_key,
            )
        )


def _refuse_changes() -> None:
    dialect = op.get_bind().dialect.name
    for table, keys in UNIQUE_KEYS.items():
        guard(op.execute, dialect, table, keys, IMMUTABLE)


def downgrade() -> None:
    """Drop the case tables (only for development databases)."""
    dialect = op.get_bind().dialect.name
    for table in reversed(list(UNIQUE_KEYS)):
        unguard(op.execute, dialect, table)
        op.drop_table(table)
