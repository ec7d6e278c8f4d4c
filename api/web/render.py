"""What every page shares: templates and their globals, rendering, access, the posted form.

Everything is rendered on the server and works without JavaScript. Evaluation, storage,
keys and rules are the API's (api.http.pipeline, api.http.inputs, api.store, api.http.auth):
a page is another way in, never a second implementation. Labels a rådgiver may change are
read from the ruleset of what a page shows (`ruleset.labels`), never copied here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from api.http.deps import services
from api.keys import ROLE_NAMES
from api.office.records import MAX_RECORD_NOTE
from api.registry import Snapshot
from api.rules_versions import MAX_NOTE
from api.settings import Role
from api.web.docs_site import published_in_force, site_of
from api.web.form import CASE_KINDS, DEFICIENCIES, LIST_STATES, field_id
from api.web.session import CSRF_FIELD, Visitor, WebSessions
from engine import RuleSet
from engine.text import format_date, format_number, format_value, join_list, plural

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"

DOCS_PATH = "/dokumentasjon/"
MAX_UPLOAD_BYTES = 512 * 1024
# No page is this big (a form with 100 schools is about 3 MB); a bigger one is refused,
# not sent (api/web/form.py bounds the form's rows so it is not even built)
MAX_PAGE_BYTES = 8 * 1024 * 1024
_MESSAGE = "melding.html"
MAX_FORM_FIELDS = 50_000  # about 30 fields per school; the body limit caps the rest


def _local_datetime(value: dt.datetime) -> str:
    local = value.astimezone()
    return f"{format_date(local.date())} kl. {local:%H:%M}"


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.globals.update(
    fid=field_id,
    date=format_date,
    datetime=_local_datetime,
    number=format_number,
    plural=plural,
    value=format_value,
    role_names=ROLE_NAMES,
    list_states=list(LIST_STATES.items()),
    case_kinds=list(CASE_KINDS.items()),
    deficiencies=DEFICIENCIES,
    max_note=MAX_NOTE,
    max_record_note=MAX_RECORD_NOTE,
)


# --- sessions, rules and the documentation -----------------------------------------------


def sessions(request: Request) -> WebSessions:
    """The app's web sessions, made from its keys on first use."""
    state = request.app.state
    found: WebSessions | None = getattr(state, "web_sessions", None)
    if found is None:
        svc = services(request)
        found = WebSessions(svc.keys, svc.settings.keys(), svc.users)
        state.web_sessions = found
    return found


def snapshot(request: Request) -> Snapshot:
    """The rulesets in use for this request."""
    return services(request).rules.current


def default_ruleset(rules: Snapshot, wanted: str | None = None) -> RuleSet:
    """The ruleset asked for when it is in use, else the first in use by id."""
    if wanted and wanted in rules.rulesets:
        return rules.rulesets[wanted]
    return next(iter(sorted(rules.rulesets.items())))[1]


def round_options(rules: Snapshot) -> list[tuple[str, str]]:
    """The rounds in use as (id, «id (title)») options, by id."""
    return [(k, f"{k} ({rs.title})") for k, rs in sorted(rules.rulesets.items())]


def county_options(ruleset: RuleSet) -> list[tuple[str, str]]:
    """The ruleset's counties as (number, «number name») options, after «Velg fylke»."""
    return [("", "Velg fylke")] + [(n, f"{n} {c.name}") for n, c in ruleset.counties.items()]


def docs_root(request: Request, *, build: bool = True) -> Path:
    """The living documentation's folder: of the published versions in force, else `utvalg docs`'s.

    With `build`, the site of the published versions in force is built when it is missing.
    """
    rules = snapshot(request)
    if build and published_in_force(rules):
        return site_of(rules).resolve()
    return Path(services(request).settings.docs_dir).resolve()


def docs_url(request: Request, page: str = "") -> str | None:
    """The living documentation's address (a page of it), when it has been generated."""
    if published_in_force(snapshot(request)):
        return DOCS_PATH + page  # built for the version in force on the first visit
    root = docs_root(request, build=False)
    if not (root / "index.html").is_file():
        return None
    if page and (root / page).is_file():
        return DOCS_PATH + page
    return DOCS_PATH


# --- rendering -----------------------------------------------------------------------------


def _header_title(request: Request, ruleset: RuleSet | None) -> str:
    """The round the page is about, or every round in use, named by the ruleset's title."""
    if ruleset is not None:
        return ruleset.title
    rules = services(request).rules
    if not rules.loaded():
        return ""
    in_use = rules.current.rulesets
    return join_list((in_use[k].title for k in sorted(in_use)), empty="")


def render(
    request: Request,
    visitor: Visitor,
    name: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    ruleset: RuleSet | None = None,
) -> HTMLResponse:
    """Render a page (about `ruleset`'s round, when one); (re)send a new session cookie."""
    web = sessions(request)
    rules = services(request).rules
    ctx: dict[str, Any] = {
        "visitor": visitor,
        "csrf_token": web.csrf_token(visitor),
        "sign_in_required": web.sign_in_required,
        "footer_rules": list(rules.current.rulesets.values()) if rules.loaded() else [],
        "header_title": _header_title(request, ruleset),
        "nav": "",
        # `make run`'s own database of example applications: every page says so
        "example_data": services(request).settings.seed_examples,
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if len(response.body) > MAX_PAGE_BYTES and name != _MESSAGE:
        return message(
            request,
            visitor,
            "Siden ble for stor",
            [
                f"Siden ville blitt større enn {MAX_PAGE_BYTES // (1024 * 1024)} MB og vises "
                "derfor ikke. Ingenting ble lagret. Send søknaden som fil (YAML eller JSON) "
                "om den har svært mange skoler, barnehager eller rader."
            ],
            status=413,
            back=("/vurdering", "Til skjemaet"),
        )
    response.headers["Cache-Control"] = "no-store"
    if visitor.fresh:
        web.store(response, visitor)
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
        _MESSAGE,
        {"page_title": title, "paragraphs": paragraphs, "back": back, "errors": errors or []},
        status=status,
    )


# --- access and posted forms -----------------------------------------------------------------


def guard(request: Request, visitor: Visitor, role: Role) -> Response | None:
    """Sign-in redirect or refusal when the visitor may not see the page; else None."""
    if not visitor.signed_in:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse("/logg-inn?" + urlencode({"neste": target}), 303)
        if visitor.fresh:
            sessions(request).store(response, visitor)
        return response
    if not visitor.may(role):
        return message(
            request,
            visitor,
            "Ikke tilgang",
            [
                f"{visitor.caller.described} har rollen {ROLE_NAMES[visitor.role or 'reader']}. "
                f"Denne siden krever rollen {ROLE_NAMES[role]}."
            ],
            status=403,
            back=("/kriterier", "Til kriteriene"),
        )
    return None


async def posted(
    request: Request, role: Role | None = None
) -> tuple[Visitor, FormData, Response | None]:
    """Read a posted form and check its CSRF token; a refusal page when it fails.

    With `role`, a visitor who has not signed in or lacks the role is refused (as `guard`
    does) before the form is read: nobody unknown makes the server read or parse a body.
    """
    web = sessions(request)
    visitor = web.read(request)
    if role is not None:
        refused = guard(request, visitor, role)
        if refused is not None:
            return visitor, FormData(), refused
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
    if not web.csrf_ok(visitor, token if isinstance(token, str) else None):
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
