"""The pages: Kriterier, Ny vurdering, a decision, Søknader (ranking and export), sign-in.

Everything is rendered on the server and works without JavaScript. Evaluation, storage,
keys and rules are the API's (api.routes.common, api.inputs, api.decision_log, api.auth):
a page is another way in, never a second implementation.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from api.auth import ROLE_NAMES
from api.decision_log import Record
from api.inputs import check_application
from api.problems import Problem
from api.routes.common import evaluate, log_row, services
from api.rulesets import Snapshot
from api.settings import Role
from api.web import TEMPLATES
from api.web.chart import survey_chart
from api.web.export import table, to_csv, to_xlsx
from api.web.form import (
    CASE_KINDS,
    DEFICIENCIES,
    LIST_STATES,
    FormState,
    add_row,
    blank,
    field_id,
    from_application,
    from_form,
    place_errors,
    to_application,
)
from api.web.listing import CountyList, Evaluated, rank_county
from api.web.session import CSRF_FIELD, Visitor, WebSessions
from engine import (
    Application,
    Decision,
    InvalidApplication,
    Rankable,
    RuleSet,
    load_application_text,
    parse_application,
)
from engine.decision import CriterionResult
from engine.diagnostics import format_loc
from engine.text import format_date, format_number, format_value, join_list

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES)

KIND_NAMES = {
    "application": "søknaden",
    "municipality": "kommunen",
    "school": "skole",
    "kindergarten": "barnehage",
}
ROLE_LABELS = {
    "requirement": "krav",
    "need": "behov",
    "advantage": "fordel",
    "inclusion": "med i prosjektet",
}
STATUS_LABELS = {"met": "oppfylt", "not_met": "ikke oppfylt", "unknown": "ukjent"}
OUTCOME_LABELS = {
    "recommended": "Anbefalt",
    "incomplete": "Ufullstendig",
    "not_recommended": "Ikke anbefalt",
}
_KIND_ORDER = {"application": 0, "municipality": 1, "school": 2, "kindergarten": 3}
DOCS_PATH = "/dokumentasjon/"
MAX_UPLOAD_BYTES = 512 * 1024
MAX_FORM_FIELDS = 50_000  # about 30 fields per school; the body limit caps the rest


def _local_datetime(value: dt.datetime) -> str:
    local = value.astimezone()
    return f"{format_date(local.date())} kl. {local:%H:%M}"


templates.env.globals.update(
    fid=field_id,
    date=format_date,
    datetime=_local_datetime,
    number=format_number,
    value=format_value,
    kind_names=KIND_NAMES,
    role_labels=ROLE_LABELS,
    role_names=ROLE_NAMES,
    list_states=list(LIST_STATES.items()),
    case_kinds=list(CASE_KINDS.items()),
    deficiencies=DEFICIENCIES,
)


# --- sessions, access and rendering -----------------------------------------------------


def _sessions(request: Request) -> WebSessions:
    state = request.app.state
    sessions: WebSessions | None = getattr(state, "web_sessions", None)
    if sessions is None:
        svc = services(request)
        sessions = WebSessions(svc.keys, svc.settings.keys())
        state.web_sessions = sessions
    return sessions


def _snapshot(request: Request) -> Snapshot:
    return services(request).rules.current


def _docs_root(request: Request) -> Path:
    return Path(services(request).settings.docs_dir).resolve()


def _docs_url(request: Request, page: str = "") -> str | None:
    """The living documentation's address (a page of it), when it has been generated."""
    root = _docs_root(request)
    if not (root / "index.html").is_file():
        return None
    if page and (root / page).is_file():
        return DOCS_PATH + page
    return DOCS_PATH


def render(
    request: Request,
    visitor: Visitor,
    name: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
) -> HTMLResponse:
    """Render a page with what every page needs; (re)send the session cookie when new."""
    sessions = _sessions(request)
    rules = services(request).rules
    ctx: dict[str, Any] = {
        "visitor": visitor,
        "csrf_token": sessions.csrf_token(visitor),
        "sign_in_required": sessions.sign_in_required,
        "footer_rules": list(rules.current.rulesets.values()) if rules.loaded() else [],
        "nav": "",
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if visitor.fresh:
        sessions.store(response, visitor)
    return response


def message(
    request: Request,
    visitor: Visitor,
    title: str,
    paragraphs: list[str],
    *,
    status: int,
    back: tuple[str, str] | None = None,
    errors: list[str] | None = None,
) -> HTMLResponse:
    """A page with a heading and a few sentences (errors, refusals)."""
    return render(
        request,
        visitor,
        "melding.html",
        {"page_title": title, "paragraphs": paragraphs, "back": back, "errors": errors or []},
        status=status,
    )


def _guard(request: Request, visitor: Visitor, role: Role) -> Response | None:
    """Sign-in redirect or refusal when the visitor may not see the page; else None."""
    if not visitor.signed_in:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse("/logg-inn?" + urlencode({"neste": target}), 303)
        if visitor.fresh:
            _sessions(request).store(response, visitor)
        return response
    if not visitor.may(role):
        return message(
            request,
            visitor,
            "Ikke tilgang",
            [
                f"Nøkkelen «{visitor.name}» har rollen {ROLE_NAMES[visitor.role or 'reader']}. "
                f"Denne siden krever rollen {ROLE_NAMES[role]}."
            ],
            status=403,
            back=("/kriterier", "Til kriteriene"),
        )
    return None


async def _posted(request: Request) -> tuple[Visitor, FormData, Response | None]:
    """Read a posted form and check its CSRF token; a refusal page when it fails."""
    visitor = _sessions(request).read(request)
    try:
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_UPLOAD_BYTES)
    except HTTPException:  # a file over the limit, or a body that is not a form
        page = message(
            request,
            visitor,
            "Skjemaet kunne ikke leses",
            [
                f"Skjemaet eller filen var for stor (høyst {MAX_UPLOAD_BYTES // 1024} KiB per "
                "fil) eller ikke et skjema. Ingenting ble lagret."
            ],
            status=400,
            back=("/vurdering", "Tilbake til skjemaet"),
        )
        return visitor, FormData(), page
    token = form.get(CSRF_FIELD)
    if not _sessions(request).csrf_ok(visitor, token if isinstance(token, str) else None):
        page = message(
            request,
            visitor,
            "Skjemaet ble avvist",
            [
                "Skjemaet manglet en gyldig sikkerhetskode (CSRF), eller økten er utløpt. "
                "Ingenting ble lagret. Gå tilbake, last siden på nytt og send skjemaet igjen."
            ],
            status=403,
            back=("/", "Til forsiden"),
        )
        return visitor, form, page
    return visitor, form, None


def _default_ruleset(snapshot: Snapshot, wanted: str | None = None) -> RuleSet:
    if wanted and wanted in snapshot.rulesets:
        return snapshot.rulesets[wanted]
    return next(iter(sorted(snapshot.rulesets.items())))[1]


def _survey_years(ruleset: RuleSet) -> list[int]:
    return sorted(ruleset.survey.national_average)


def _county_options(ruleset: RuleSet) -> list[tuple[str, str]]:
    return [("", "Velg fylke")] + [(n, f"{n} {c.name}") for n, c in ruleset.counties.items()]


# --- pages ---------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    """The start page is the criteria."""
    return RedirectResponse("/kriterier", 303)


def _roles(ruleset: RuleSet, role: str) -> str:
    """The criteria with a role, as Norwegian prose: `FRIST, K4 for kommunen og K6`."""
    names = []
    for c in ruleset.criteria:
        kinds = [k for k in c.applies_to if c.roles[k] == role]
        if not kinds:
            continue
        if len(kinds) == len(c.applies_to):
            names.append(c.id)
        else:
            names.append(f"{c.id} for {' og '.join(KIND_NAMES[k] for k in kinds)}")
    return join_list(names, empty="ingen")


@router.get("/kriterier")
def criteria_page(request: Request) -> Response:
    """The rulesets in force: round dates, counties, and each criterion."""
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "reader")
    if refused is not None:
        return refused
    snapshot = _snapshot(request)
    return render(
        request,
        visitor,
        "kriterier.html",
        {
            "page_title": "Kriterier",
            "nav": "kriterier",
            "rulesets": [snapshot.rulesets[k] for k in sorted(snapshot.rulesets)],
            "docs_url": _docs_url(request),
            "docs_page": lambda cid: _docs_url(request, f"kriterium-{cid.lower()}.html"),
            "roles_of": _roles,
        },
    )


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
    snapshot = _snapshot(request)
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
            "rounds": [(k, f"{k} ({rs.title})") for k, rs in sorted(snapshot.rulesets.items())],
            "county_options": _county_options(ruleset),
            "upload_errors": upload_errors or [],
            "upload_text": upload_text,
            "upload_name": upload_name,
        },
        status=status,
    )


@router.get("/vurdering")
async def form_page(request: Request, fra: str | None = None) -> Response:
    """The empty form, or the form filled with a stored application (`?fra=<id>`)."""
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    snapshot = _snapshot(request)
    if fra:
        record = await run_in_threadpool(services(request).log.find, fra)
        if record is not None:
            try:
                app = parse_application(json.loads(record.application))
            except (InvalidApplication, ValueError):
                app = None
            if app is not None:
                ruleset = _default_ruleset(snapshot, app.round)
                state = from_application(app, _survey_years(ruleset))
                # keep the application's id (also one the service derived), so the changed
                # application replaces this one in the county's ranking instead of joining it
                state.values["id"] = record.application_id
                return _form_page(request, visitor, state, ruleset)
    ruleset = _default_ruleset(snapshot)
    return _form_page(request, visitor, blank(_survey_years(ruleset), ruleset.id), ruleset)


@router.post("/vurdering")
async def submit_form(request: Request) -> Response:
    """Evaluate the form: errors next to the fields, or store and show the decision."""
    visitor, form, csrf_refused = await _posted(request)
    if csrf_refused is not None and csrf_refused.status_code == 400:
        return csrf_refused
    refused = _guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    snapshot = _snapshot(request)
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    round_id = next((v for k, v in items if k == "round"), None)
    ruleset = _default_ruleset(snapshot, round_id)
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
        return _form_page(request, visitor, state, ruleset)
    raw, fields = to_application(state)
    checked = check_application(raw, snapshot, services(request).settings.max_units)
    if isinstance(checked, list):
        place_errors(state, checked, fields)
        return _form_page(request, visitor, state, ruleset, status=422)
    if state.has_errors:  # the form's own checks (a list marked «Ingen» with rows)
        return _form_page(request, visitor, state, ruleset, status=422)
    app, ruleset = checked
    return await _evaluate_and_show(request, visitor, raw, app, ruleset)


@router.post("/vurdering/fil")
async def submit_file(request: Request) -> Response:
    """Evaluate an uploaded (or pasted) YAML/JSON application."""
    visitor, form, refused = await _posted(request)
    if refused is not None:
        return refused
    refused = _guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    snapshot = _snapshot(request)
    ruleset = _default_ruleset(snapshot)
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
        app = load_application_text(text, file=name or None, rounds=snapshot.rounds())
        raw = app.model_dump(mode="json", exclude_unset=True)
        checked = check_application(raw, snapshot, services(request).settings.max_units)
        if isinstance(checked, list):
            raise InvalidApplication(checked)
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
    svc = services(request)
    try:
        (result,) = await evaluate(request, ruleset, [raw], [app])
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
    await svc.log.append([row])
    return RedirectResponse(f"/vurderinger/{row['id']}", 303)


def _groups(decision: Decision) -> list[dict[str, Any]]:
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
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "reader")
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
    snapshot = _snapshot(request)
    ruleset = snapshot.rulesets.get(record.round)
    county_name = record.county
    if ruleset is not None and record.county in ruleset.counties:
        county_name = ruleset.counties[record.county].name
    missing: list[CriterionResult] = []
    if decision.outcome == "incomplete":
        missing = [r for r in decision.criteria if r.status == "unknown"]
    return render(
        request,
        visitor,
        "resultat.html",
        {
            "page_title": f"{decision.label}: {record.municipality_name}",
            "record": record,
            "d": decision,
            "county_name": county_name,
            "groups": _groups(decision),
            "missing": missing,
            "status_labels": dict(ruleset.labels.status) if ruleset else STATUS_LABELS,
            "current_rules": ruleset is not None and ruleset.digest == record.ruleset_digest,
        },
    )


# --- Søknader: ranking and export ------------------------------------------------------------


def _evaluated(record: Record, ruleset: RuleSet) -> Evaluated:
    """A stored evaluation as the ranking needs it."""
    decision = Decision.model_validate_json(record.decision)
    return Evaluated(
        rankable=Rankable(
            decision.application_id,
            decision.outcome,
            decision.score,
            record.county,
            record.municipality_number,
            record.received,
        ),
        decision=decision,
        municipality_name=record.municipality_name,
        evaluation_id=record.id,
        current_rules=record.ruleset_digest == ruleset.digest,
    )


def _listing(request: Request, ruleset: RuleSet, county: str) -> CountyList:
    records = services(request).log.latest_per_application(county, ruleset.id)
    return rank_county((_evaluated(r, ruleset) for r in records), ruleset, county)


def _selection(
    request: Request, fylke: str | None, utfall: str | None, runde: str | None
) -> tuple[RuleSet, str, str]:
    ruleset = _default_ruleset(_snapshot(request), runde)
    county = fylke if fylke in ruleset.counties else ""
    outcome = utfall if utfall in OUTCOME_LABELS else ""
    return ruleset, county or "", outcome or ""


@router.get("/soknader")
async def applications_page(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """A county's stored evaluations ranked against its capacity, with filters and export."""
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, outcome = _selection(request, fylke, utfall, runde)
    listing = await run_in_threadpool(_listing, request, ruleset, county) if county else None
    shown = []
    if listing is not None:
        shown = [i for i in listing.items if not outcome or i.entry.outcome == outcome]
    last_within = listing.last_within() if listing else 0
    numbers = [i.municipality_number for i in listing.items] if listing else []
    repeated = {n for n in numbers if numbers.count(n) > 1}
    title = "Søknader"
    if listing is not None:
        title = f"Søknader fra {listing.name}"
    return render(
        request,
        visitor,
        "soknader.html",
        {
            "page_title": title,
            "nav": "soknader",
            "listing": listing,
            "shown": shown,
            "last_within": last_within,
            "line_shown": any(i.entry.rank == last_within for i in shown),
            "repeated": repeated,
            "county": county,
            "outcome": outcome,
            "round_id": ruleset.id,
            "rounds": [(k, k) for k in sorted(_snapshot(request).rulesets)],
            "county_options": _county_options(ruleset),
            "outcome_options": list(ruleset.labels.outcome.items()),
            "outcome_labels": dict(ruleset.labels.outcome),
            "query": urlencode({"fylke": county, "utfall": outcome, "runde": ruleset.id}),
        },
    )


async def _export(
    request: Request, fylke: str | None, utfall: str | None, runde: str | None, kind: str
) -> Response:
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "reader")
    if refused is not None:
        return refused
    ruleset, county, outcome = _selection(request, fylke, utfall, runde)
    if not county:
        return message(
            request,
            visitor,
            "Velg et fylke",
            ["Eksporten gjelder ett fylke om gangen. Velg fylket på søknadssiden."],
            status=422,
            back=("/soknader", "Til søknadene"),
        )
    listing = await run_in_threadpool(_listing, request, ruleset, county)
    items = [i for i in listing.items if not outcome or i.entry.outcome == outcome]
    rows = table(listing, ruleset, items)
    stem = f"soknader-{ruleset.id}-fylke-{county}" + (f"-{outcome}" if outcome else "")
    if kind == "csv":
        body, media = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = await run_in_threadpool(to_xlsx, rows, listing, ruleset)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/soknader.csv")
async def export_csv(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """The ranking as CSV (semicolons, UTF-8 with BOM), one row per application."""
    return await _export(request, fylke, utfall, runde, "csv")


@router.get("/soknader.xlsx")
async def export_xlsx(
    request: Request,
    fylke: str | None = None,
    utfall: str | None = None,
    runde: str | None = None,
) -> Response:
    """The ranking as an .xlsx workbook, one row per application."""
    return await _export(request, fylke, utfall, runde, "xlsx")


# --- the living documentation ------------------------------------------------------------------


@router.get("/dokumentasjon")
def docs_root(request: Request) -> Response:
    """The documentation's own relative links need the trailing slash."""
    return RedirectResponse(DOCS_PATH, 303)


@router.get("/dokumentasjon/{page:path}")
def docs_file(request: Request, page: str = "") -> Response:
    """A page of the living documentation that `utvalg docs` wrote to UTVALG_DOCS_DIR."""
    visitor = _sessions(request).read(request)
    refused = _guard(request, visitor, "reader")
    if refused is not None:
        return refused
    root = _docs_root(request)
    target = (root / (page or "index.html")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():
        lines = [f"Fant ikke «{page or 'index.html'}» i den levende dokumentasjonen."]
        if not (root / "index.html").is_file():
            lines.append(
                "Dokumentasjonen er ikke laget ennå. Lag den med "
                f"«utvalg docs --out {services(request).settings.docs_dir}»."
            )
        return message(
            request,
            visitor,
            "Fant ikke siden",
            lines,
            status=404,
            back=("/kriterier", "Til kriteriene"),
        )
    return FileResponse(target, headers={"Cache-Control": "no-cache"})


# --- sign-in ------------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme) may be the target after sign-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _login_page(
    request: Request, visitor: Visitor, next_path: str, error: str = "", status: int = 200
) -> HTMLResponse:
    insecure = request.url.scheme != "https" and request.url.hostname not in (
        "localhost",
        "127.0.0.1",
        "::1",
    )
    return render(
        request,
        visitor,
        "logg_inn.html",
        {
            "page_title": "Logg inn",
            "next_path": next_path,
            "error": error,
            "insecure": insecure,
        },
        status=status,
    )


@router.get("/logg-inn")
def login_page(request: Request, neste: str | None = None) -> Response:
    """The sign-in form (not needed when no keys are configured)."""
    sessions = _sessions(request)
    visitor = sessions.read(request)
    if not sessions.sign_in_required:
        return RedirectResponse(_safe_next(neste), 303)
    return _login_page(request, visitor, _safe_next(neste))


@router.post("/logg-inn")
async def login(request: Request) -> Response:
    """Check the key; on success a new session cookie and on to the page asked for."""
    sessions = _sessions(request)
    visitor, form, refused = await _posted(request)
    if refused is not None:
        return refused
    next_path = _safe_next(str(form.get("neste") or "/"))
    if not sessions.sign_in_required:
        return RedirectResponse(next_path, 303)
    key = form.get("api_key")
    signed_in = sessions.sign_in(key) if isinstance(key, str) and key.strip() else None
    if signed_in is None:
        error = "Skriv inn API-nøkkelen." if not key else "API-nøkkelen er ukjent."
        return _login_page(request, visitor, next_path, error, status=401)
    response = RedirectResponse(next_path, 303)
    sessions.store(response, signed_in)  # a new nonce: no session fixation
    return response


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    """End the session."""
    sessions = _sessions(request)
    _visitor, _form, refused = await _posted(request)
    if refused is not None:
        return refused
    response = RedirectResponse("/logg-inn" if sessions.sign_in_required else "/", 303)
    sessions.forget(response)
    return response
