"""The engine's shared literal types, each declared once and imported everywhere else."""

from __future__ import annotations

from typing import Literal, get_args

# What a criterion is judged for.
Kind = Literal["application", "municipality", "school", "kindergarten"]
# The subjects that take part in the project or not (they get a unit status).
UnitKind = Literal["school", "kindergarten"]
# A criterion's status for one subject.
Status = Literal["met", "not_met", "unknown"]
# What a criterion is for one kind of subject.
Role = Literal["requirement", "need", "advantage", "inclusion"]
# An application's outcome.
Outcome = Literal["recommended", "incomplete", "not_recommended"]
# Whether a school or kindergarten takes part.
UnitStatus = Literal["priority", "included", "undetermined", "excluded"]

KINDS: tuple[Kind, ...] = get_args(Kind)
UNIT_KINDS: tuple[UnitKind, ...] = get_args(UnitKind)
STATUSES: tuple[Status, ...] = get_args(Status)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
UNIT_STATUSES: tuple[UnitStatus, ...] = get_args(UnitStatus)
