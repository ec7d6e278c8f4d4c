"""How a stored case looks in answers: the summary of the list and the whole history.

Read by the HTTP API (api.http.cases) and the case pages (api.web.pages.cases), so both show
the same status, outcome, stale mark and judgement.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from api.http.replay import differences
from api.store.cases import CaseHistory, Judgement, StatusChange, Version
from api.store.decision_log import Record
from api.submissions import submitted


def case_summary(
    history: CaseHistory, digest: str | None, submitted_versions: dict[str, int] | None = None
) -> dict[str, Any]:
    """A case as listed: municipality, status, newest version, its outcome, stale, judgement.

    `submitted_versions` (case id → version in its county's newest submission, from
    `Submissions.submitted_versions`) turns the status into `submitted` where it applies.
    """
    newest = history.newest
    record = history.decision()
    return {
        "id": history.id,
        "round": history.round,
        "county": history.county,
        "municipality": {"number": history.municipality_number, "name": newest.municipality_name},
        "status": submitted(history.status(digest), history, submitted_versions or {}),
        "stale": history.stale(digest),
        "version": newest.version,
        "application_id": newest.application_id,
        "received": _date(newest.received),
        "evaluation_id": record.id if record else None,
        "outcome": record.outcome if record else None,
        "score": record.score if record else None,
        "ruleset": _ruleset(record) if record else None,
        "judgement": _judgement(history.judgement(), newest.version),
        "closed": _status(history.closed()),
        "created_at": history.created_at.isoformat(),
        "created_by": history.created_by,
        "links": {
            "self": f"/v1/cases/{history.id}",
            "document": f"/v1/cases/{history.id}/document.pdf",
            "judgement": f"/v1/cases/{history.id}/judgement",
        },
    }


def case_detail(
    history: CaseHistory, digest: str | None, submitted_versions: dict[str, int] | None = None
) -> dict[str, Any]:
    """A case with its whole history: versions (with what changed), evaluations, judgements."""
    out = case_summary(history, digest, submitted_versions)
    previous: Version | None = None
    versions = []
    for v in history.versions:
        versions.append(
            {
                "version": v.version,
                "application_id": v.application_id,
                "received": _date(v.received),
                "digest": v.digest,
                "application": v.application,
                "changes": version_changes(previous, v),
                "created_at": v.created_at.isoformat(),
                "created_by": v.created_by,
            }
        )
        previous = v
    out["versions"] = versions
    out["evaluations"] = [
        {
            "evaluation_id": e.record.id,
            "version": e.version,
            "outcome": e.record.outcome,
            "score": e.record.score,
            "ruleset": _ruleset(e.record),
            "created_at": e.record.created_at.isoformat(),
            "created_by": e.record.api_key,
        }
        for e in history.evaluations
    ]
    newest = history.newest.version
    out["judgements"] = [_judgement(j, newest) for j in history.judgements]
    out["statuses"] = [_status(s) for s in history.statuses]
    record = history.decision()
    out["decision"] = json.loads(record.decision) if record else None
    return out


def version_changes(before: Version | None, after: Version) -> list[dict[str, Any]]:
    """What changed in the application from one version to the next: [{loc, before, after}]."""
    if before is None:
        return []
    return [
        {"loc": d["loc"], "before": d["stored"], "after": d["current"]}
        for d in differences(before.application, after.application)
    ]


def _judgement(j: Judgement | None, newest: int) -> dict[str, Any] | None:
    if j is None:
        return None
    return {
        "proposal": j.proposal,
        "justification": j.justification,
        "departs": j.departs,
        "outcome": j.outcome,
        "version": j.version,
        "outdated": j.version < newest,
        "evaluation_id": j.evaluation_id,
        "created_at": j.created_at.isoformat(),
        "created_by": j.created_by,
    }


def _status(s: StatusChange | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "status": s.status,
        "reason": s.reason,
        "created_at": s.created_at.isoformat(),
        "created_by": s.created_by,
    }


def _ruleset(r: Record) -> dict[str, str]:
    return {"id": r.ruleset_id, "version": r.ruleset_version, "digest": r.ruleset_digest}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
