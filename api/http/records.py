"""How stored evaluations and rulesets look in HTTP answers: summaries, records, headers."""

from __future__ import annotations

import json
from typing import Any

from api.http.problems import Problem
from api.store.decision_log import Record
from engine import RuleSet


def ruleset_header(ruleset: RuleSet) -> str:
    """The `Utvalg-Ruleset` header value: id, version and digest."""
    return f"{ruleset.id};version={ruleset.version};digest={ruleset.digest}"


def summary(record: Record) -> dict[str, Any]:
    """A stored evaluation as an EvaluationSummary."""
    return {
        "evaluation_id": record.id,
        "application_id": record.application_id,
        "round": record.round,
        "county": record.county,
        "municipality": {"number": record.municipality_number, "name": record.municipality_name},
        "received": record.received.isoformat() if record.received else None,
        "outcome": record.outcome,
        "score": record.score,
        "ruleset": {
            "id": record.ruleset_id,
            "version": record.ruleset_version,
            "digest": record.ruleset_digest,
        },
        "created_at": record.created_at.isoformat(),
        "api_key": record.api_key,
        "links": {
            "self": f"/v1/evaluations/{record.id}",
            "record": f"/v1/evaluations/{record.id}/record",
            "replay": f"/v1/evaluations/{record.id}:replay",
        },
    }


def full_record(record: Record) -> dict[str, Any]:
    """A stored evaluation with its application and decision."""
    out = summary(record)
    out["application"] = json.loads(record.application)
    out["decision"] = json.loads(record.decision)
    return out


def not_found(ident: str) -> Problem:
    """The 404 for an unknown evaluation or application id."""
    return Problem(
        404,
        "EVALUATION_NOT_FOUND",
        f"Fant ingen vurdering med id «{ident}» (verken vurderings-id eller søknads-id).",
        loc=["path", "id"],
    )
