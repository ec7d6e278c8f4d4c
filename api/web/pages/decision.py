"""`/vurderinger/{ident}`: one stored decision, criteria per subject, units, what is missing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from api.http.deps import services
from api.store.decision_log import Record
from api.web.chart import survey_chart
from api.web.render import default_ruleset, guard, message, render, sessions, snapshot
from engine import Decision
from engine.facts.build import municipality_name
from engine.outcome import open_questions

router = APIRouter(include_in_schema=False)

_KIND_ORDER = {"application": 0, "municipality": 1, "school": 2, "kindergarten": 3}


def groups_of(decision: Decision) -> list[dict[str, Any]]:
    """The criteria per subject, in the order application, municipality, schools, kindergartens."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in decision.criteria:
        key = (r.subject.kind, r.subject.id)
        group = groups.setdefault(
            key,
            {
                "kind": r.subject.kind,
                "id": r.subject.id,
                "name": r.subject.name,
                "results": [],
                "chart": None,
                "survey_source": None,
            },
        )
        group["results"].append(r)
        survey = r.evidence.get("survey")
        if group["chart"] is None and isinstance(survey, list) and survey:
            group["chart"] = Markup(survey_chart(survey, r.subject.name, r.subject.id))
            group["survey_source"] = r.evidence.get("survey_source")
    order = list(groups)
    return [
        groups[k] for k in sorted(order, key=lambda k: (_KIND_ORDER.get(k[0], 9), order.index(k)))
    ]


@router.get("/vurderinger/{ident}")
async def decision_page(request: Request, ident: str) -> Response:
    """A stored decision: outcome, summary, criteria per subject, units, what is missing."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    record: Record | None = await run_in_threadpool(services(request).log.find, ident)
    if record is None:
        return message(
            request,
            visitor,
            "Fant ikke vurderingen",
            [f"Det finnes ingen vurdering med id «{ident}»."],
            status=404,
            back=("/soknader", "Til søknadene"),
        )
    decision = Decision.model_validate_json(record.decision)
    rules = snapshot(request)
    ruleset = rules.rulesets.get(record.round)
    county_name = record.county
    if ruleset is not None and record.county in ruleset.counties:
        county_name = ruleset.counties[record.county].name
    # a round no longer in use still shows its decision, in the words of the rules in use
    labels = (ruleset or default_ruleset(rules)).labels
    # what blocks the outcome apart from what would only add points (engine.outcome's rule)
    blocking, optional = open_questions(decision.criteria, decision.units)
    if decision.outcome != "incomplete":
        blocking = []
    municipality = next(
        (r.subject.name for r in decision.criteria if r.subject.kind == "municipality"),
        municipality_name(record.municipality_name),
    )
    return render(
        request,
        visitor,
        "resultat.html",
        {
            "page_title": f"{decision.label}: {record.municipality_name}",
            "record": record,
            "d": decision,
            "county_name": county_name,
            "groups": groups_of(decision),
            "missing": blocking,
            "optional": optional,
            "municipality": municipality,
            "labels": labels,  # the labels of the decision's own round
            "current_rules": ruleset is not None and ruleset.digest == record.ruleset_digest,
        },
        ruleset=ruleset,
    )
