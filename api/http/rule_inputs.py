"""Reading the bodies of the rules routes, and their refusals as problems."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from api.http.inputs import read_json
from api.http.problems import Problem, error, invalid
from engine import Diagnostic

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "Feltet mangler.",
    "extra_forbidden": "Ukjent felt.",
    "string_type": "Må være en tekst.",
    "dict_type": "Må være et JSON-objekt.",
    "model_type": "Innholdet må være et JSON-objekt.",
}


async def read_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as `model`; 422 with a Norwegian message per field otherwise."""
    body = await read_json(request)
    try:
        return model.model_validate(body.data)
    except ValidationError as exc:
        errors = [
            error(
                _code(e["type"]),
                _MESSAGES.get(e["type"], "Ugyldig verdi."),
                [str(p) for p in e["loc"]] or ["body"],
            )
            for e in exc.errors()
        ]
        raise Problem(422, "", "", errors=errors, detail="Forespørselen ble avvist.") from None


def _code(kind: str) -> str:
    return {"missing": "REQUIRED", "extra_forbidden": "UNKNOWN_FIELD"}.get(kind, "BAD_TYPE")


def rules_problem(diagnostics: Iterable[Diagnostic], detail: str) -> Problem:
    """A 422 for a draft's diagnostics: a file's problem names the file (and line) in `loc`."""
    shown = [_with_file(d) for d in diagnostics]
    problem = invalid(shown)
    problem.detail = detail
    return problem


def _with_file(d: Diagnostic) -> Diagnostic:
    if d.loc or d.location.file is None:
        return d
    loc: tuple[str | int, ...] = ("files", d.location.file)
    if d.location.line is not None:
        loc = (*loc, d.location.line)
    return Diagnostic(d.code, d.message, d.location, loc, d.severity)


def not_found(round_id: str, known: Iterable[str]) -> Problem:
    """404 for a round that no ruleset in use has."""
    return Problem(
        404,
        "RULESET_NOT_FOUND",
        f"Ukjent regelsett «{round_id}». I bruk: {', '.join(sorted(known))}.",
        loc=["path", "id"],
    )
