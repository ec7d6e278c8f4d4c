"""Reading request bodies and validating applications: every problem becomes a 422."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from fastapi import Request

from api.http.auth import is_open
from api.http.offload import off_loop
from api.http.problems import Problem, error, invalid
from api.registry import Snapshot
from engine import Application, Diagnostic, InvalidApplication, RuleSet, parse_application
from engine.characters import surrogate_problems
from engine.yamlpos import DuplicateJsonKey, load_positioned, loads_json_strict

_POSITIONS_UP_TO = 64 * 1024  # only small bodies are read again for line/column of errors
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class JsonBody:
    """A parsed JSON body and its text."""

    data: Any
    text: str


async def read_json(request: Request) -> JsonBody:
    """Read the body as UTF-8 JSON; 415 for another content type, 422 for bad JSON.

    The bytes are read on the event loop; decoding and parsing run in a bounded thread
    (api.http.offload), so a big body never holds up other requests.
    """
    await read_media_type(request)
    raw = await request.body()
    return await off_loop(request, parse_json, raw)


async def read_media_type(request: Request) -> None:
    """Refuse (415) a body that is not declared as JSON.

    Without a `Content-Type` the body is taken as JSON only when keys are configured: an
    open service must not read JSON from a request a browser may send from any site
    without asking (a form or `fetch` without a JSON content type needs no CORS preflight).
    """
    svc = request.app.state.services
    default = "" if is_open(svc.keys, svc.users) else "application/json"
    ctype = request.headers.get("content-type", default)
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise Problem(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            (f"Innholdstypen «{media or ctype}» støttes ikke" if media else "Innholdstypen mangler")
            + "; send JSON med «Content-Type: application/json».",
            loc=["header", "content-type"],
        )


def parse_json(raw: bytes) -> JsonBody:
    """UTF-8 JSON bytes as a JsonBody; Problem 422 for bad encoding, syntax or characters."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(
            422,
            "INVALID_ENCODING",
            f"Innholdet er ikke gyldig UTF-8 (feil ved byte {exc.start}).",
            loc=["body"],
        ) from None
    if not text.strip():
        raise Problem(422, "EMPTY_BODY", "Forespørselen mangler innhold (JSON).", loc=["body"])
    try:
        data = loads_json_strict(text)
    except DuplicateJsonKey as exc:
        raise Problem(
            422,
            "DUPLICATE_KEY",
            f"Nøkkelen «{exc.key}» står flere ganger i samme objekt.",
            loc=["body"],
        ) from None
    except json.JSONDecodeError as exc:
        e = error(
            "INVALID_JSON",
            f"Ugyldig JSON på linje {exc.lineno}, kolonne {exc.colno}: {_json_reason(exc.msg)}.",
            ["body"],
        )
        e["line"], e["column"] = exc.lineno, exc.colno
        raise Problem(422, "", "", errors=[e], detail=e["msg"]) from None
    except RecursionError:
        raise Problem(
            422, "INVALID_JSON", "JSON-dokumentet er for dypt nøstet.", loc=["body"]
        ) from None
    # a lone surrogate can only come from a \uD800-\uDFFF escape (UTF-8 cannot carry one:
    # decoding refused it above), so text without such an escape is not walked for one
    bad_text = surrogate_problems(data) if _SURROGATE_ESCAPE.search(text) else []
    if bad_text:  # refused before any message could repeat a character that cannot be sent
        raise invalid(bad_text)
    return JsonBody(data, text)


_JSON_REASONS = {
    "Expecting value": "ventet en verdi",
    "Expecting property name enclosed in double quotes": "ventet et feltnavn i doble anførselstegn",
    "Expecting ',' delimiter": "ventet komma",
    "Expecting ':' delimiter": "ventet kolon",
    "Extra data": "overflødig innhold etter JSON-dokumentet",
    "Unterminated string starting at": "tekst uten avsluttende anførselstegn",
    "Invalid control character at": "ugyldig kontrolltegn i tekst",
}


def _json_reason(msg: str) -> str:
    return _JSON_REASONS.get(msg, msg)


def count_units(raw: Any) -> int:
    """Schools plus kindergartens in raw application data (0 when not lists)."""
    if not isinstance(raw, Mapping):
        return 0
    return sum(len(v) for k in ("schools", "kindergartens") if isinstance(v := raw.get(k), list))


def check_application(
    raw: Any, snapshot: Snapshot, max_units: int
) -> tuple[Application, RuleSet] | list[Diagnostic]:
    """Validate one application against the rules in use: the app and its ruleset, or problems."""
    units = count_units(raw)
    if units > max_units:
        msg = (
            f"Søknaden har {units} skoler og barnehager; grensen er {max_units} per søknad. "
            "Del den opp, eller ta kontakt om kommunen virkelig har så mange enheter."
        )
        return [Diagnostic("TOO_MANY_UNITS", msg, loc=("schools",))]
    try:
        app = parse_application(raw, rounds=snapshot.rounds())
    except InvalidApplication as exc:
        return exc.diagnostics
    return app, snapshot.rulesets[app.round]


def application_or_422(
    body: JsonBody, snapshot: Snapshot, max_units: int
) -> tuple[Application, RuleSet]:
    """Validate a single application body; raise 422 with positions when it is invalid."""
    checked = check_application(body.data, snapshot, max_units)
    if not isinstance(checked, list):
        return checked
    refuse_application(body, checked)


def refuse_application(body: JsonBody, problems: list[Diagnostic]) -> NoReturn:
    """Raise the 422 of a refused application body, with positions when it is small.

    Reading positions parses the text again (some 30 ms for 6 KiB): never on the event loop.
    """
    if len(body.text) <= _POSITIONS_UP_TO and problems[0].code != "TOO_MANY_UNITS":
        problems = with_positions(problems, body.text)
    raise invalid(problems)


def with_positions(problems: list[Diagnostic], text: str) -> list[Diagnostic]:
    """The problems with the line and column of their path in the JSON text, in text order.

    Only for a refused body: the text is read once more for positions, and nothing is
    validated again.
    """
    try:
        # the YAML reader knows where each value sits; valid JSON has tabs only between
        # tokens, where YAML refuses some of them and a space means the same
        source = load_positioned(text.replace("\t", " "))
    except Exception:  # positions are a courtesy; the plain problems stand
        return problems
    located = [replace(d, location=source.location(d.loc)) for d in problems]
    return sorted(located, key=_text_order)


def _text_order(problem: Diagnostic) -> tuple[int, int]:
    line, column = problem.location.line, problem.location.column
    return (line if line is not None else 1 << 30, column if column is not None else 0)


def applications_or_422(
    data: Any, snapshot: Snapshot, *, max_units: int, max_count: int, what: str
) -> list[tuple[Any, Application, RuleSet]]:
    """Validate `{"applications": [...]}`; raise one 422 listing the problems of all."""
    if not isinstance(data, Mapping):
        raise Problem(
            422,
            "INVALID_TYPE",
            'Innholdet må være et JSON-objekt: {"applications": [...]}.',
            loc=["body"],
        )
    unknown = [k for k in data if k != "applications"]
    problems = [
        error("UNKNOWN_FIELD", f"Ukjent felt «{k}»; tillatt er bare «applications».", [k])
        for k in unknown
    ]
    items = data.get("applications")
    if not isinstance(items, list):
        problems.append(
            error(
                "MISSING_FIELD", "«applications» må være en liste med søknader.", ["applications"]
            )
        )
        raise Problem(422, "", "", errors=problems, detail=f"{what} ble avvist.")
    if not items:
        problems.append(
            error("EMPTY_LIST", "«applications» er tom; send minst én søknad.", ["applications"])
        )
    if len(items) > max_count:
        problems.append(
            error(
                "TOO_MANY_APPLICATIONS",
                f"{len(items)} søknader i én forespørsel; grensen er {max_count}. "
                "Del dem opp i flere forespørsler.",
                ["applications"],
            )
        )
    if problems:
        raise Problem(422, "", "", errors=problems, detail=f"{what} ble avvist.")
    out: list[tuple[Any, Application, RuleSet]] = []
    diagnostics: list[tuple[int, Diagnostic]] = []
    for i, raw in enumerate(items):
        checked = check_application(raw, snapshot, max_units)
        if isinstance(checked, list):
            diagnostics += ((i, d) for d in checked)
        else:
            out.append((raw, *checked))
    if diagnostics:
        errors = []
        for i, d in diagnostics:
            e = d.as_error()
            e["loc"] = ["applications", i, *e["loc"]]
            errors.append(e)
        bad = len({i for i, _ in diagnostics})
        raise Problem(
            422,
            "",
            "",
            errors=errors,
            detail=f"{what} ble avvist: {bad} av {len(items)} søknader har feil "
            f"({len(errors)} feil i alt). Ingen søknad ble vurdert.",
        )
    return out


def ruleset_for(
    snapshot: Snapshot,
    round_id: str | None,
    county: str | None,
    county_loc: tuple[str, str] = ("query", "county"),
) -> RuleSet:
    """The ruleset of `round_id` (or the only one loaded) that knows `county`; else 422."""
    if round_id is None and len(snapshot.rulesets) == 1:
        round_id = next(iter(snapshot.rulesets))
    if round_id is None or round_id not in snapshot.rulesets:
        known = ", ".join(sorted(snapshot.rulesets))
        raise Problem(
            422,
            "UNKNOWN_ROUND",
            f"Ukjent runde «{round_id or ''}». Kjente regelsett: {known}.",
            loc=["query", "round"],
        )
    ruleset = snapshot.rulesets[round_id]
    if county not in ruleset.counties:
        known = ", ".join(ruleset.counties)
        raise Problem(
            422,
            "UNKNOWN_COUNTY",
            f"Fylket «{county or ''}» er ikke med i regelsettet {ruleset.id}. "
            f"Kjente fylker: {known}.",
            loc=list(county_loc),
        )
    return ruleset
