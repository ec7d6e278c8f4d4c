"""Facts about the application's received date against the county's deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.facts.core import Derived, FactContext, fact, field_title
from engine.text import format_date


@fact(
    "days_after_deadline",
    ["application"],
    "int",
    "Antall dager søknaden kom inn etter fylkets frist (negativt: før fristen).",
    texts=("received", "deadline"),
)
def days_after_deadline(ctx: FactContext) -> Derived:
    """Days between the county's deadline and the received date."""
    deadline: dt.date = ctx.ruleset.counties[ctx.application.county].deadline
    received: dt.date | None = ctx.application.received
    texts: dict[str, Any] = {"deadline": format_date(deadline), "received": "ukjent dato"}
    evidence: dict[str, Any] = {"deadline": deadline.isoformat(), "received": None}
    if received is None:
        return Derived(
            None, evidence, texts, [("received", field_title(ctx.application, "received"))]
        )
    texts["received"] = format_date(received)
    evidence["received"] = received.isoformat()
    return Derived((received - deadline).days, evidence, texts)
