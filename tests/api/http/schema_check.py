"""A small JSON Schema check for the keywords the published OpenAPI uses (no jsonschema here).

Unknown keywords fail the check, so a schema that starts to use one is not passed unread.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

IGNORED = {"title", "description", "default", "examples", "contentMediaType", "format_"}
CHECKED = {
    "type", "properties", "required", "additionalProperties", "items", "anyOf", "allOf",
    "oneOf", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "$ref", "format",
    "prefixItems", "uniqueItems", "propertyNames", "discriminator", "contentEncoding",
}  # fmt: skip
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def problems(value: Any, schema: Any, root: dict[str, Any], path: str = "$") -> list[str]:
    """Every way `value` breaks `schema` (refs resolved in `root`), as readable lines."""
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{path}: no value allowed"]
    out: list[str] = []
    unknown = set(schema) - CHECKED - IGNORED
    if unknown:
        return [f"{path}: schema keywords not checked: {sorted(unknown)}"]
    if "$ref" in schema:
        out += problems(value, resolve(schema["$ref"], root), root, path)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, k) for k in kinds):
            return [*out, f"{path}: {value!r:.60} is not {kinds}"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            found = [problems(value, s, root, path) for s in schema[key]]
            ok = sum(1 for f in found if not f)
            if ok == 0 or (key == "oneOf" and ok > 1):
                out.append(f"{path}: matches {ok} of {key}: {[f[:2] for f in found]}")
    for sub in schema.get("allOf", []):
        out += problems(value, sub, root, path)
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: {value!r} != {schema['const']!r}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            out.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: longer than {schema['maxLength']}")
        out += _format(value, schema.get("format"), path)
    if _is(value, "number"):
        for key, bad in (
            ("minimum", lambda v, b: v < b),
            ("maximum", lambda v, b: v > b),
            ("exclusiveMinimum", lambda v, b: v <= b),
            ("exclusiveMaximum", lambda v, b: v >= b),
        ):
            if key in schema and bad(value, schema[key]):
                out.append(f"{path}: {value} breaks {key} {schema[key]}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                out += problems(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{path}: missing {name}")
        for name, item in value.items():
            if name in props:
                out += problems(item, props[name], root, f"{path}.{name}")
            elif "additionalProperties" in schema:
                out += problems(item, schema["additionalProperties"], root, f"{path}.{name}")
    return out


def resolve(ref: str, root: dict[str, Any]) -> Any:
    """The schema a local `#/...` reference points at."""
    assert ref.startswith("#/"), ref
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[kind])


def _format(value: str, fmt: str | None, path: str) -> list[str]:
    try:
        if fmt == "date":
            dt.date.fromisoformat(value)
        elif fmt == "date-time":
            dt.datetime.fromisoformat(value)
    except ValueError:
        return [f"{path}: {value!r} is not a {fmt}"]
    return []
