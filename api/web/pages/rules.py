"""`/regler`: policy staff change a round's rules in the browser (role admin).

The rules in force per round with their versions (who, when, why, the diff); «Ny utgave»
makes a draft of the files in force; the draft's form (api.web.rules_form) is saved as a
new draft row on every save, loaded as the loader loads it (its diagnostics at the fields),
checked against the draft's own scenarios and simulated over the county's cases; a failing
scenario's expected value can be changed in the draft; «Ta i bruk» publishes the draft
after the reload's gate, and an earlier version can be put in force again. Storing,
publishing and activating are api.rules_versions'; the page never writes files.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.http.deps import services
from api.livingdocs.expected import NotRewritable, rewrite_expected, shown_value
from api.rules_files import FEATURES, rule_files
from api.rules_versions import UnknownRound, UnknownVersion
from api.settings import Role
from api.simulation import simulate_cases
from api.store.rule_versions import StoredDraft
from api.web.render import county_options, guard, message, posted, render, sessions
from api.web.rules_form import FieldGroup, form_fields, place, posted_values
from api.web.session import Visitor
from engine import Diagnostic, InvalidRules
from engine.simulate import ScenarioResults, Simulation, set_values
from engine.text import join_list, plural

router = APIRouter(include_in_schema=False)

_ROLE: Role = "admin"
_PUBLISH_FIELDS = ("version", "note")


# --- the rounds and their versions ---------------------------------------------------------


@router.get("/regler")
async def rules_page(request: Request) -> Response:
    """Every round in force with its versions and open drafts, and «Ny utgave»."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, _ROLE)
    if refused is not None:
        return refused
    return await _overview(request, visitor, notice=request.query_params.get("melding", ""))


async def _overview(
    request: Request,
    visitor: Visitor,
    *,
    notice: str = "",
    errors: Sequence[Diagnostic] = (),
    rollback: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    versions = services(request).versions

    def rounds() -> list[dict[str, Any]]:
        out = []
        for rid in sorted(services(request).rules.current.rulesets):
            out.append(
                {
                    "ruleset": versions.in_force(rid),
                    "history": list(reversed(versions.history(rid))),
                    "drafts": versions.drafts(rid),
                }
            )
        return out

    return render(
        request,
        visitor,
        "regler.html",
        {
            "page_title": "Regler",
            "nav": "regler",
            "rounds": await run_in_threadpool(rounds),
            "notice": notice,
            "errors": list(errors),
            "rollback": rollback or {},
            "rollback_errors": {
                str(d.loc[0]): d.message for d in errors if d.loc and d.loc[0] == "note"
            },
        },
        status=status,
    )


@router.get("/regler/{round_id}/versjoner/{version}")
async def version_page(request: Request, round_id: str, version: str) -> Response:
    """One version: who published it, when and why, and its diff against the one before."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, _ROLE)
    if refused is not None:
        return refused
    try:
        detail = await run_in_threadpool(services(request).versions.detail, round_id, version)
    except (UnknownRound, UnknownVersion):
        return message(
            request,
            visitor,
            "Fant ikke versjonen",
            [f"Runde «{round_id}» har ingen versjon «{version}»."],
            status=404,
            back=("/regler", "Til reglene"),
        )
    return render(
        request,
        visitor,
        "regelversjon.html",
        {"page_title": f"Versjon {version}", "nav": "regler", "detail": detail},
    )


@router.post("/regler/{round_id}/tilbake")
async def roll_back(request: Request, round_id: str) -> Response:
    """Put an earlier published version in force again, with a note saying why."""
    visitor, form, refused = await posted(request, _ROLE)
    if refused is not None:
        return refused
    version, note = _text(form, "version"), _text(form, "note")
    try:
        await run_in_threadpool(
            services(request).versions.activate, round_id, version, note, visitor.name
        )
    except InvalidRules as exc:
        # each problem also at its field of the version's row (the summary links there)
        tried = {"round": round_id, "version": version, "note": note}
        return await _overview(request, visitor, errors=exc.diagnostics, rollback=tried, status=422)
    except UnknownRound:
        return _no_round(request, visitor, round_id)
    return RedirectResponse(
        "/regler?" + _query(melding=f"Versjon {version} av {round_id} er i bruk igjen."), 303
    )


@router.post("/regler/{round_id}/utkast")
async def new_draft(request: Request, round_id: str) -> Response:
    """«Ny utgave»: a draft made of the files in force (rules and scenarios)."""
    visitor, _, refused = await posted(request, _ROLE)
    if refused is not None:
        return refused
    versions = services(request).versions
    draft_id = secrets.token_hex(8)

    def make() -> StoredDraft:
        return versions.save_draft(draft_id, round_id, versions.draft_of(round_id), visitor.name)

    try:
        await run_in_threadpool(make)
    except UnknownRound:
        return _no_round(request, visitor, round_id)
    return RedirectResponse(f"/regler/utkast/{draft_id}", 303)


# --- one draft -----------------------------------------------------------------------------


@router.get("/regler/utkast/{draft_id}")
async def draft_page(request: Request, draft_id: str) -> Response:
    """The draft's form, with every parameter and text of its files."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, _ROLE)
    if refused is not None:
        return refused
    draft = await run_in_threadpool(services(request).versions.draft, draft_id)
    if draft is None:
        return _no_draft(request, visitor, draft_id)
    return await _draft_view(
        request, visitor, draft, notice=request.query_params.get("melding", "")
    )


@router.post("/regler/utkast/{draft_id}")
async def save_and_check(request: Request, draft_id: str) -> Response:
    """Save the form as a new row of the draft, load it, run its scenarios, simulate."""
    visitor, form, refused = await posted(request, _ROLE)
    if refused is not None:
        return refused
    versions = services(request).versions
    draft = await run_in_threadpool(versions.draft, draft_id)
    if draft is None:
        return _no_draft(request, visitor, draft_id)
    current = await run_in_threadpool(versions.in_force, draft.round)
    files = dict(draft.files)
    rules = rule_files(files)
    set_values(rules, posted_values(form_fields(rules, current), form))
    files.update(rules)
    if files != draft.files:
        draft = await run_in_threadpool(
            versions.save_draft, draft_id, draft.round, files, visitor.name
        )
    county = _text(form, "fylke")
    county = county if county in current.counties else ""
    checked = await run_in_threadpool(_check, request, draft, county)
    return await _draft_view(request, visitor, draft, county=county, **checked)


@router.post("/regler/utkast/{draft_id}/scenario")
async def change_scenarios(request: Request, draft_id: str) -> Response:
    """Change the chosen failing scenarios' expected values in the draft's feature files."""
    visitor, form, refused = await posted(request, _ROLE)
    if refused is not None:
        return refused
    versions = services(request).versions
    draft = await run_in_threadpool(versions.draft, draft_id)
    if draft is None:
        return _no_draft(request, visitor, draft_id)
    files = dict(draft.files)
    changed: list[str] = []
    try:
        chosen = [v for v in form.getlist("endre") if isinstance(v, str)]
        if not chosen:
            raise NotRewritable("Velg minst ett scenario som skal endres.")
        for index in chosen:
            name = FEATURES + Path(_text(form, f"file-{index}")).name
            line = int(_text(form, f"line-{index}"))
            example = json.loads(_text(form, f"example-{index}") or "{}")
            if name not in files or not isinstance(example, dict):
                raise NotRewritable(f"Utkastet har ingen scenariofil «{name}».")
            row = {str(k): str(v) for k, v in example.items()}
            # one line is changed per step, so the other steps' line numbers still hold
            files[name] = rewrite_expected(files[name], line, _text(form, f"value-{index}"), row)
            changed.append(f"{name} linje {line}")
    except (NotRewritable, ValueError) as exc:
        problem = Diagnostic("SCENARIO_NOT_CHANGED", str(exc), loc=("value",))
        return await _draft_view(request, visitor, draft, rest=[problem], status=422)
    await run_in_threadpool(versions.save_draft, draft_id, draft.round, files, visitor.name)
    notice = (
        f"{plural(len(changed), 'scenario', 'scenarioer')} er endret i utkastet "
        f"({join_list(changed)}). Kontroller på nytt."
    )
    return RedirectResponse(f"/regler/utkast/{draft_id}?" + _query(melding=notice), 303)


@router.post("/regler/utkast/{draft_id}/ta-i-bruk")
async def publish(request: Request, draft_id: str) -> Response:
    """«Ta i bruk»: publish the draft as a new version, after the reload's gate."""
    visitor, form, refused = await posted(request, _ROLE)
    if refused is not None:
        return refused
    versions = services(request).versions
    draft = await run_in_threadpool(versions.draft, draft_id)
    if draft is None:
        return _no_draft(request, visitor, draft_id)
    values = {name: _text(form, name) for name in _PUBLISH_FIELDS}

    def publish_it() -> Any:
        return versions.publish(
            draft.round,
            values["version"],
            values["note"],
            visitor.name,
            files=draft.files,
            draft_id=draft_id,
        )

    try:
        published = await run_in_threadpool(publish_it)
    except InvalidRules as exc:
        mine = [d for d in exc.diagnostics if d.loc[:1] and d.loc[0] in _PUBLISH_FIELDS]
        others = [d for d in exc.diagnostics if d not in mine]
        return await _draft_view(
            request,
            visitor,
            draft,
            diagnostics=others,
            publish_errors=mine,
            publish_values=values,
            status=422,
        )
    notice = f"Versjon {published.version.version} av {draft.round} er i bruk."
    return RedirectResponse("/regler?" + _query(melding=notice), 303)


# --- checking and showing a draft -----------------------------------------------------------


def _check(request: Request, draft: StoredDraft, county: str) -> dict[str, Any]:
    """Load the draft; when it loads, its scenario results and its effect on the cases.

    The same service as `POST /v1/simulations` (api.simulation.simulate_cases), given the
    draft's whole files, rules and scenarios; nothing is stored.
    """
    svc = services(request)
    try:
        simulation = simulate_cases(
            svc.versions, svc.cases, draft.round, county=county or None, files=draft.files
        )
    except InvalidRules as exc:
        return {"diagnostics": exc.diagnostics}
    return {"checked": True, "scenarios": simulation.scenarios, "simulation": simulation}


async def _draft_view(
    request: Request,
    visitor: Visitor,
    draft: StoredDraft,
    *,
    diagnostics: Sequence[Diagnostic] = (),
    rest: Sequence[Diagnostic] = (),
    publish_errors: Sequence[Diagnostic] = (),
    publish_values: Mapping[str, str] | None = None,
    checked: bool = False,
    scenarios: ScenarioResults | None = None,
    simulation: Simulation | None = None,
    county: str = "",
    notice: str = "",
    status: int | None = None,
) -> Response:
    current = await run_in_threadpool(services(request).versions.in_force, draft.round)
    groups: list[FieldGroup] = form_fields(rule_files(draft.files), current)
    at, unplaced = place(diagnostics, groups)
    by_field: dict[str, list[Diagnostic]] = {}
    for d in publish_errors:
        by_field.setdefault(str(d.loc[0]), []).append(d)
    fields = [f for g in groups for f in g.fields]
    return render(
        request,
        visitor,
        "regelutkast.html",
        {
            "page_title": f"Utkast til regler for {draft.round}",
            "nav": "regler",
            "ruleset": current,
            "draft": draft,
            "groups": groups,
            "at": at,
            "rest": [*rest, *unplaced],
            "ids": {f.name: f.id for f in fields},
            "labels": {f.name: f.label for f in fields},
            "publish_errors": by_field,
            "publish_values": publish_values or {},
            "next_version": _next_version(current.version),
            "checked": checked,
            "scenarios": scenarios,
            "simulation": simulation,
            "county": county,
            "counties": county_options(current),
            "suggested": shown_value,
            "outcome_label": lambda o: current.labels.outcome[o],
            "notice": notice,
        },
        status=status if status is not None else (422 if at or unplaced or rest else 200),
        ruleset=current,
    )


def _next_version(version: str) -> str:
    """A suggestion for the next version number: the last number one up (2020.1 → 2020.2)."""
    head, dot, tail = version.rpartition(".")
    if dot and tail.isdigit():
        return f"{head}.{int(tail) + 1}"
    return f"{version}.1"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _query(**values: str) -> str:
    return urlencode(values)


def _no_draft(request: Request, visitor: Visitor, draft_id: str) -> Response:
    return message(
        request,
        visitor,
        "Fant ikke utkastet",
        [f"Det finnes ikke noe utkast «{draft_id}». Lag en ny utgave fra siden Regler."],
        status=404,
        back=("/regler", "Til reglene"),
    )


def _no_round(request: Request, visitor: Visitor, round_id: str) -> Response:
    return message(
        request,
        visitor,
        "Fant ikke runden",
        [f"Ingen regler i bruk har id «{round_id}»."],
        status=404,
        back=("/regler", "Til reglene"),
    )
