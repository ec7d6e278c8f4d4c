"""`/kriterier`: the rulesets in force, their round, counties and criteria."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.render import docs_url, guard, render, sessions, snapshot
from engine import RuleSet
from engine.text import join_list

router = APIRouter(include_in_schema=False)


def roles_of(ruleset: RuleSet, role: str) -> str:
    """The criteria with a role, as Norwegian prose: `FRIST, K4 for kommunen og K6`."""
    names = []
    for c in ruleset.criteria:
        kinds = [k for k in c.applies_to if c.roles[k] == role]
        if not kinds:
            continue
        if len(kinds) == len(c.applies_to):
            names.append(c.id)
        else:
            names.append(f"{c.id} for {' og '.join(ruleset.labels.kind[k] for k in kinds)}")
    return join_list(names, empty="ingen")


@router.get("/kriterier")
def criteria_page(request: Request) -> Response:
    """The rulesets in force: round dates, counties, and each criterion."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    rules = snapshot(request)
    return render(
        request,
        visitor,
        "kriterier.html",
        {
            "page_title": "Kriterier",
            "nav": "kriterier",
            "rulesets": [rules.rulesets[k] for k in sorted(rules.rulesets)],
            "docs_url": docs_url(request),
            "docs_page": lambda cid: docs_url(request, f"kriterium-{cid.lower()}.html"),
            "roles_of": roles_of,
        },
    )
