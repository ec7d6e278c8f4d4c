"""OpenAPI details: request bodies, realistic examples, problem responses and security.

The examples live in `api/http/openapi_examples.json`, made from the example applications
by `python -m api.http.openapi_examples` (a test checks that they still match what the engine
says).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from api.http.case_schemas import JudgementRequest, ReasonRequest
from api.http.problems import PROBLEM_JSON
from api.http.rule_schemas import ActivationRequest, PublishRequest, SimulationRequest
from api.http.schemas import BatchRequest, ProblemBody, RankingRequest
from engine import Application

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")
REF = "#/components/schemas/{model}"
# Where a route names its example. FastAPI drops every null from the document it builds
# (`exclude_none`), nulls inside examples too, so the examples are put in afterwards by name.
EXAMPLE_NAME = "x-utvalg-example"


@functools.cache
def examples() -> dict[str, Any]:
    """The stored examples by name."""
    if not EXAMPLES_FILE.exists():
        return {}
    data: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return data


def example(name: str) -> Any:
    """One stored example (None when the file lacks it)."""
    return examples().get(name)


def _example_round() -> str:
    """The round the stored examples were made with; the problem examples name it too."""
    application = example("application")
    return str(application["round"]) if isinstance(application, dict) else "runden"


ROUND = _example_round()


PROBLEMS: dict[int, tuple[str, dict[str, Any]]] = {
    401: (
        "Mangler eller ukjent API-nøkkel",
        {
            "type": "about:blank",
            "title": "Mangler gyldig API-nøkkel",
            "status": 401,
            "detail": "API-nøkkelen er ukjent.",
            "errors": [{"loc": [], "code": "INVALID_API_KEY", "msg": "API-nøkkelen er ukjent."}],
        },
    ),
    403: (
        "Nøkkelens rolle gir ikke tilgang",
        {
            "type": "about:blank",
            "title": "Ikke tilgang",
            "status": 403,
            "detail": "Nøkkelen «arkiv» har rollen leser; dette krever rollen saksbehandler.",
            "errors": [
                {
                    "loc": [],
                    "code": "FORBIDDEN",
                    "msg": "Nøkkelen «arkiv» har rollen leser; dette krever rollen saksbehandler.",
                }
            ],
        },
    ),
    404: (
        "Finnes ikke",
        {
            "type": "about:blank",
            "title": "Finnes ikke",
            "status": 404,
            "detail": "Fant ingen vurdering med id «ev-018f2a…» (verken vurderings-id eller "
            "søknads-id).",
            "errors": [
                {
                    "loc": ["path", "id"],
                    "code": "EVALUATION_NOT_FOUND",
                    "msg": "Fant ingen vurdering med id «ev-018f2a…» (verken vurderings-id "
                    "eller søknads-id).",
                }
            ],
        },
    ),
    409: (
        "Kan ikke gjøres med reglene eller dataene som finnes nå",
        {
            "type": "about:blank",
            "title": "Konflikt",
            "status": 409,
            "detail": "Lagrede vurderinger i fylke 50 er gjort med andre regler enn dem i bruk.",
            "errors": [
                {
                    "loc": ["county"],
                    "code": "STALE_EVALUATIONS",
                    "msg": f"Søknaden malvik-2020 er vurdert med {ROUND} 2020.0 (sha256:3f1c…); "
                    "vurder den på nytt før rangering.",
                }
            ],
        },
    ),
    413: (
        "For stor forespørsel",
        {
            "type": "about:blank",
            "title": "Forespørselen er for stor",
            "status": 413,
            "detail": "Forespørselen er større enn grensen på 1 MiB. Del opp store samlinger "
            "i flere forespørsler.",
            "errors": [
                {
                    "loc": [],
                    "code": "BODY_TOO_LARGE",
                    "msg": "Forespørselen er større enn grensen på 1 MiB. Del opp store "
                    "samlinger i flere forespørsler.",
                }
            ],
        },
    ),
    415: (
        "Innholdet er ikke JSON",
        {
            "type": "about:blank",
            "title": "Innholdstypen støttes ikke",
            "status": 415,
            "detail": "Innholdstypen «text/xml» støttes ikke; send JSON med "
            "«Content-Type: application/json».",
            "errors": [
                {
                    "loc": ["header", "content-type"],
                    "code": "UNSUPPORTED_MEDIA_TYPE",
                    "msg": "Innholdstypen «text/xml» støttes ikke; send JSON med "
                    "«Content-Type: application/json».",
                }
            ],
        },
    ),
    503: (
        "Ikke klar: reglene er ikke lastet eller databasen svarer ikke",
        {
            "type": "about:blank",
            "title": "Tjenesten er ikke klar",
            "status": 503,
            "detail": "Databasen svarer ikke (OperationalError).",
            "errors": [
                {
                    "loc": [],
                    "code": "DATABASE_UNREACHABLE",
                    "msg": "Databasen svarer ikke (OperationalError).",
                }
            ],
        },
    ),
    422: (
        "Ugyldige inndata: alle feilene er listet, ingenting er vurdert",
        {
            "type": "about:blank",
            "title": "Ugyldige inndata",
            "status": 422,
            "detail": "Inndataene ble avvist: 2 feil.",
            "errors": [
                {
                    "loc": ["county"],
                    "code": "UNKNOWN_COUNTY",
                    "msg": f"Fylket «51» er ikke med i regelsettet {ROUND}. Kjente fylker: 03, "
                    "11, 15, 18, 30, 34, 38, 42, 46, 50, 54.",
                    "line": 4,
                    "column": 13,
                },
                {
                    "loc": ["schools", 0, "org_number"],
                    "code": "BAD_CHECK_DIGIT",
                    "msg": "Organisasjonsnummeret 998145423 har feil kontrollsiffer.",
                    "line": 12,
                    "column": 21,
                },
            ],
        },
    ),
}


def responses(*statuses: int, ok_example: str | None = None, ok_description: str = "OK") -> Any:
    """The `responses` of a route: the success example and the problem responses."""
    out: dict[int | str, Any] = {}
    for status in statuses:
        if status < 400:
            content: dict[str, Any] = {}
            if ok_example and example(ok_example) is not None:
                content = {"application/json": {EXAMPLE_NAME: ok_example}}
            out[status] = {"description": ok_description, "content": content}
        else:
            description, value = PROBLEMS.get(status, ("Feil", PROBLEMS[422][1]))
            out[status] = {
                "description": description,
                "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="ProblemBody")}}},
            }
            out[status]["content"][PROBLEM_JSON]["example"] = value
    return out


def body_doc(model: str, example_name: str) -> dict[str, Any]:
    """`openapi_extra` documenting a JSON request body read by the route itself."""
    content: dict[str, Any] = {"schema": {"$ref": REF.format(model=model)}}
    if example(example_name) is not None:
        content[EXAMPLE_NAME] = example_name
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


PUBLIC = {"/healthz", "/readyz"}


def decorate(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the hand-read request bodies' schemas, problem schema and API-key security."""
    _, defs = models_json_schema(
        [
            (Application, "validation"),
            (BatchRequest, "validation"),
            (RankingRequest, "validation"),
            (JudgementRequest, "validation"),
            (ReasonRequest, "validation"),
            (SimulationRequest, "validation"),
            (PublishRequest, "validation"),
            (ActivationRequest, "validation"),
            (ProblemBody, "serialization"),
        ],
        ref_template=REF,
    )
    components = schema.setdefault("components", {})
    found = components.setdefault("schemas", {})
    for name, value in defs.get("$defs", {}).items():
        if name in found and found[name] != value:
            # two models by one name: the document would describe one with the other's schema
            raise ValueError(f"two OpenAPI schemas are named {name}; give one a unique name")
        found[name] = value
    # the one declaration of the ways to say who asks (api.http.auth reads them all): two for
    # a key, one for a named user; the docs page's "Authorize" button offers them
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "API-nøkkel"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "basic": {
            "type": "http",
            "scheme": "basic",
            "description": "Navngitt bruker (utvalg users): brukernavn og passord",
        },
    }
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            _put_examples(op)
    for path, operations in schema.get("paths", {}).items():
        if path in PUBLIC or not path.startswith("/v1"):
            continue
        for op in operations.values():
            op["security"] = [{"bearer": []}, {"apiKey": []}, {"basic": []}]
            # FastAPI's own 422 (request validation) is replaced by our problem response
            resp = op.get("responses", {}).get("422")
            if resp and "application/json" in resp.get("content", {}):
                resp["content"] = {
                    PROBLEM_JSON: {
                        "schema": {"$ref": REF.format(model="ProblemBody")},
                        "example": PROBLEMS[422][1],
                    }
                }
                resp["description"] = PROBLEMS[422][0]
    for name in ("HTTPValidationError", "ValidationError"):
        found.pop(name, None)
    _rename_form_bodies(schema)
    return schema


def _rename_form_bodies(schema: dict[str, Any]) -> None:
    """Give FastAPI's form-body models (`Body_<operation id>`) a readable name."""
    found = schema["components"]["schemas"]
    renamed = {}
    for name in [n for n in found if n.startswith("Body_")]:
        operation = name.removeprefix("Body_").split("_v1_", 1)[0]
        new = "".join(part.capitalize() for part in operation.split("_")) + "Form"
        found[new] = found.pop(name)
        found[new]["title"] = new
        renamed[REF.format(model=name)] = REF.format(model=new)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") in renamed:
                node["$ref"] = renamed[node["$ref"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["paths"])


def _put_examples(op: dict[str, Any]) -> None:
    """Replace each example's name by the stored example, nulls included."""
    bodies = [op.get("requestBody", {})] + list(op.get("responses", {}).values())
    for body in bodies:
        for doc in body.get("content", {}).values():
            name = doc.pop(EXAMPLE_NAME, None)
            if name is not None:
                doc["example"] = example(name)
