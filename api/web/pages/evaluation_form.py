"""`/vurdering` and `/vurdering/fil`: a new evaluation from the form or from a file.

Both take the API's path: the application is checked by api.http.inputs, evaluated in the
workers and stored in the decision log (api.http.pipeline.evaluate and .store, so a failure
is the same answer as the API's, as a page), then shown.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.evaluation import log_row
from api.http.deps import services
from api.http.inputs import check_application
from api.http.offload import off_loop
from api.http.pipeline import evaluate, store
from api.http.problems import Problem
from api.registry import Snapshot
from api.store.cases import Entry
from api.web.form import (
    DATE_PATTERN,
    FormState,
    Loc,
    add_row,
    blank,
    from_application,
    from_form,
    missing_basics,
    place_errors,
    to_application,
)
from api.web.render import (
    MAX_UPLOAD_BYTES,
    county_options,
    default_ruleset,
    guard,
    message,
    posted,
    render,
    round_options,
    sessions,
    snapshot,
)
from api.web.session import Visitor
from engine import (
    Application,
    Diagnostic,
    InvalidApplication,
    RuleSet,
    load_application_text,
    parse_application,
)
from engine.diagnostics import format_loc

router = APIRouter(include_in_schema=False)


def _survey_years(ruleset: RuleSet) -> list[int]:
    return sorted(ruleset.survey.national_average)


def _form_page(
    request: Request,
    visitor: Visitor,
    state: FormState,
    ruleset: RuleSet,
    *,
    status: int = 200,
    upload_errors: list[dict[str, str]] | None = None,
    upload_text: str = "",
    upload_name: str = "",
) -> HTMLResponse:
    rules = snapshot(request)
    title = "Ny vurdering"
    if state.has_errors or upload_errors:
        title = "Feil i søknaden – Ny vurdering"
    return render(
        request,
        visitor,
        "vurdering.html",
        {
            "page_title": title,
            "nav": "vurdering",
            "f": state,
            "ruleset": ruleset,
            "rounds": round_options(rules),
            "county_options": county_options(ruleset),
            "upload_errors": upload_errors or [],
            "upload_text": upload_text,
            "upload_name": upload_name,
            "date_pattern": DATE_PATTERN,
        },
        status=status,
        ruleset=ruleset,
    )


@router.get("/vurdering")
async def form_page(request: Request, fra: str | None = None) -> Response:
    """The empty form, or the form filled with a stored application (`?fra=<id>`)."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    rules = snapshot(request)
    if fra:
        record = await run_in_threadpool(services(request).log.find, fra)
        if record is not None:
            try:
                app = parse_application(json.loads(record.application))
            except (InvalidApplication, ValueError):
                app = None
            if app is not None:
                ruleset = default_ruleset(rules, app.round)
                state = from_application(app, _survey_years(ruleset))
                # keep the application's id (also one the service derived), so the changed
                # application replaces this one in the county's ranking instead of joining it
                state.values["id"] = record.application_id
                return _form_page(request, visitor, state, ruleset)
    ruleset = default_ruleset(rules)
    return _form_page(request, visitor, blank(_survey_years(ruleset), ruleset.id), ruleset)


@router.post("/vurdering")
async def submit_form(request: Request) -> Response:
    """Evaluate the form: errors next to the fields, or store and show the decision."""
    visitor, form, csrf_refused = await posted(request, "caseworker")
    if csrf_refused is not None and csrf_refused.status_code == 400:
        return csrf_refused
    refused = guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    rules = snapshot(request)
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    round_id = next((v for k, v in items if k == "round"), None)
    ruleset = default_ruleset(rules, round_id)
    state = from_form(items, _survey_years(ruleset))
    if csrf_refused is not None:
        # Nothing is evaluated or stored; what was typed comes back with a fresh token,
        # so a long form is not lost when the page sat open past a restart or expiry.
        state.general.append(
            "Skjemaet kunne ikke sendes fordi sikkerhetskoden (CSRF) var utløpt eller "
            "manglet. Ingenting ble vurdert eller lagret. Se over og send på nytt."
        )
        return _form_page(request, visitor, state, ruleset, status=403)
    action = str(form.get("action") or "evaluate")
    if add_row(state, action):
        return _form_page(request, visitor, state, ruleset, status=422 if state.general else 200)
    if state.general:  # rows or years beyond the form's bounds: shown, nothing evaluated
        return _form_page(request, visitor, state, ruleset, status=422)
    try:
        raw, fields, checked = await off_loop(
            request, _check_form, state, rules, services(request).settings.max_units
        )
    except Problem as exc:  # every input thread busy
        return _busy_page(request, visitor, exc)
    if isinstance(checked, list):
        place_errors(state, checked, fields)
        return _form_page(request, visitor, state, ruleset, status=422)
    if state.has_errors:  # the form's own checks (a list marked «Ingen» with rows)
        return _form_page(request, visitor, state, ruleset, status=422)
    state.missing = missing_basics(raw)
    if state.missing and action != "evaluate-anyway":
        # an application with gaps is not stored before the rådgiver has seen what is missing
        return _form_page(request, visitor, state, checked[1])
    app, ruleset = checked
    return await _evaluate_and_show(request, visitor, raw, app, ruleset)


@router.post("/vurdering/fil")
async def submit_file(request: Request) -> Response:
    """Evaluate an uploaded (or pasted) YAML/JSON application."""
    visitor, form, refused = await posted(request, "caseworker")
    if refused is not None:
        return refused
    refused = guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    rules = snapshot(request)
    ruleset = default_ruleset(rules)
    state = blank(_survey_years(ruleset), ruleset.id)
    pasted = str(form.get("tekst") or "")
    upload = form.get("fil")
    name, text = "", pasted
    if isinstance(upload, UploadFile) and upload.filename:
        name = upload.filename
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            problem = {
                "where": "",
                "message": f"Filen er større enn {MAX_UPLOAD_BYTES // 1024} KiB; en søknad "
                "er vanligvis noen få KiB. Er det riktig fil?",
            }
            return _form_page(
                request,
                visitor,
                state,
                ruleset,
                status=413,
                upload_errors=[problem],
                upload_name=name,
                upload_text=pasted,
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = {
                "where": "",
                "message": f"Filen er ikke gyldig UTF-8 (feil ved byte {exc.start}). "
                "Lagre den som UTF-8 og prøv igjen.",
            }
            return _form_page(
                request,
                visitor,
                state,
                ruleset,
                status=422,
                upload_errors=[problem],
                upload_name=name,
                upload_text=pasted,
            )
    if not text.strip():
        problem = {"where": "", "message": "Velg en fil eller lim inn søknaden som tekst."}
        return _form_page(request, visitor, state, ruleset, status=422, upload_errors=[problem])
    try:
        raw, checked = await off_loop(
            request, _check_text, text, name, rules, services(request).settings.max_units
        )
    except Problem as exc:  # every input thread busy
        return _busy_page(request, visitor, exc)
    except InvalidApplication as exc:
        problems = [_upload_problem(d) for d in exc.diagnostics]
        return _form_page(
            request,
            visitor,
            state,
            ruleset,
            status=422,
            upload_errors=problems,
            upload_text=pasted,
            upload_name=name,
        )
    app, ruleset = checked
    return await _evaluate_and_show(request, visitor, raw, app, ruleset)


def _check_form(
    state: FormState, rules: Snapshot, max_units: int
) -> tuple[dict[str, Any], dict[Loc, str], tuple[Application, RuleSet] | list[Diagnostic]]:
    """The form as an application, its fields by data path, and the validation result."""
    raw, fields = to_application(state)
    return raw, fields, check_application(raw, rules, max_units)


def _check_text(
    text: str, name: str, rules: Snapshot, max_units: int
) -> tuple[dict[str, Any], tuple[Application, RuleSet]]:
    """A pasted or uploaded application read and validated; InvalidApplication if not valid."""
    app = load_application_text(text, file=name or None, rounds=rules.rounds())
    raw = app.model_dump(mode="json", exclude_unset=True)
    checked = check_application(raw, rules, max_units)
    if isinstance(checked, list):
        raise InvalidApplication(checked)
    return raw, checked


def _busy_page(request: Request, visitor: Visitor, exc: Problem) -> Response:
    page = message(
        request,
        visitor,
        "Tjenesten er opptatt",
        [exc.detail],
        status=exc.status,
        back=("/vurdering", "Tilbake til skjemaet"),
    )
    page.headers.update(exc.headers)
    return page


def _upload_problem(d: Any) -> dict[str, str]:
    where = []
    if d.location.line is not None:
        where.append(f"linje {d.location.line}, kolonne {d.location.column or 1}")
    if d.loc:
        where.append(format_loc(tuple(d.loc)))
    return {"where": (" · ".join(where) + ": ") if where else "", "message": d.message}


async def _evaluate_and_show(
    request: Request, visitor: Visitor, raw: dict[str, Any], app: Application, ruleset: RuleSet
) -> Response:
    """Evaluate in the API's workers, store in the decision log, then show the decision."""
    try:
        (result,) = await evaluate(request, ruleset, [app])
    except Problem as exc:
        return message(
            request,
            visitor,
            "Søknaden kunne ikke vurderes",
            [exc.detail, "Ingenting ble lagret."],
            errors=[e["msg"] for e in exc.errors if e.get("msg") and e["msg"] != exc.detail],
            status=exc.status,
            back=("/vurdering", "Tilbake til skjemaet"),
        )
    now = dt.datetime.now(dt.UTC)
    text = json.dumps(raw, ensure_ascii=False)
    row = log_row(app, ruleset, result, text, visitor.name, now)
    try:
        await store(request, [Entry(row, raw)])
    except Problem as exc:  # the database did not answer: 503, as the API says it
        return message(
            request,
            visitor,
            "Vurderingen kunne ikke lagres",
            [exc.detail],
            status=exc.status,
            back=("/vurdering", "Tilbake til skjemaet"),
        )
    return RedirectResponse(f"/vurderinger/{row['id']}", 303)
