"""The rules page's form: every parameter and Norwegian text of a draft, as typed fields.

The fields come from the draft's own files (ruleset.yaml and criteria/*.yaml), guided by
the files' schemas in engine.loader (RulesetFile, CriterionFile) and, for a criterion's
parameters, by the types its facts declare (engine.facts.core.ParamType). The input for a
type is declared once, in `_KIND_OF_TYPE` and `_KIND_OF_PARAM`. A posted form becomes
values at (file, key path), written into the files by `engine.simulate.set_values`
(comments and layout kept); whether they are valid is the loader's say, and `place` puts
each of its diagnostics at the field it belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from engine.diagnostics import Diagnostic
from engine.facts.core import VOCABULARY, ParamType
from engine.loader import CriterionFile, Explanation, RulesetFile
from engine.ruleset import RuleSet
from engine.simulate import node_at
from engine.text import format_number

InputKind = Literal["date", "number", "int", "years", "text", "longtext"]

# The input each type of the rules files' schemas gets (the Python type of the field)
_KIND_OF_TYPE: dict[Any, InputKind] = {dt.date: "date", int: "int", float: "number", str: "text"}
# The input each declared parameter type gets (engine/facts/core.py ParamType)
_KIND_OF_PARAM: dict[ParamType, InputKind] = {
    "year_list": "years",
    "survey_years": "years",
    "number": "number",
    "int": "int",
}
# Keys that are not edited in the form: the round's id, the version (set when publishing),
# conditions, lists of sources and what a criterion applies to
_SKIPPED = {"id", "version", "inclusion_criterion", "applies_to", "role", "met", "not_met"}
# Texts that are long enough for a text area
_LONG = {"description", "source", "selection"}
_LONG_PARENTS = {"summaries", "explanation"}

# Norwegian names of the files' keys, for the fields' labels (a key not named here is shown
# as it is written in the file, which is what a rådgiver editing by hand sees too)
NAMES: dict[str, str] = {
    "title": "Tittel",
    "source": "Kilde",
    "round": "Runden",
    "application_deadline": "Søknadsfrist",
    "startup_gathering": "Oppstartssamling",
    "project_start": "Prosjektstart",
    "project_end": "Prosjektslutt",
    "selection": "Utvelgelsen",
    "survey": "Elevundersøkelsen",
    "indicator": "Indikator",
    "min_respondents": "Minste antall svar",
    "national_average": "Landssnitt",
    "counties": "Fylker",
    "name": "Navn",
    "deadline": "Frist",
    "capacity": "Kapasitet",
    "office": "Embetets navn",
    "labels": "Etiketter",
    "summaries": "Sammendrag",
    "description": "Beskrivelse",
    "weight": "Vekt",
    "parameters": "Parametere",
    "explanation": "Forklaring",
    "outcome": "utfall",
    "unit": "enhetsstatus",
    "status": "kriteriestatus",
    "kind": "gjelder",
    "role": "rolle",
    "met": "oppfylt",
    "not_met": "ikke oppfylt",
    "unknown": "ukjent",
}
HINTS: dict[InputKind, str] = {
    "date": "dato",
    "number": "tall, desimalkomma går fint (2,5)",
    "int": "heltall",
    "years": "årstall skilt med komma (2017, 2018, 2019)",
    "text": "tekst",
    "longtext": "tekst",
}


@dataclass(frozen=True)
class FormField:
    """One input of the form: where its value lives, its input kind, label and shown value."""

    file: str  # the draft's file, e.g. criteria/k1-hoye-mobbetall.yaml
    path: tuple[str, ...]  # the key path inside it, e.g. ("parameters", "margin")
    kind: InputKind
    label: str
    value: str  # as the input shows it (Norwegian decimal comma)
    line: int  # 1-based line of the value in its file

    @property
    def name(self) -> str:
        """The form field's name: the file and the dotted key path."""
        return f"{self.file}|{'.'.join(self.path)}"

    @property
    def id(self) -> str:
        """An HTML id made of the name (letters, digits and dashes)."""
        return "r-" + re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-")

    @property
    def hint(self) -> str:
        """What the field takes, in Norwegian."""
        return HINTS[self.kind]


@dataclass(frozen=True)
class FieldGroup:
    """The fields of one file, under a heading."""

    title: str
    file: str
    fields: tuple[FormField, ...]


def form_fields(files: Mapping[str, str], current: RuleSet | None = None) -> list[FieldGroup]:
    """The form's fields for a draft's files: ruleset.yaml first, then each criterion.

    `current` (the rules in force) tells the declared type of each criterion parameter;
    without it, or for a parameter it does not know, a list is years and anything else
    a number (as the loader reads an undeclared parameter).
    """
    groups: list[FieldGroup] = []
    for name in sorted(files, key=lambda n: (n != "ruleset.yaml", n)):
        root = _compose(files[name])
        if root is None:
            groups.append(FieldGroup(name, name, ()))
            continue
        data = _construct(root)
        if not isinstance(data, dict):
            continue
        if name == "ruleset.yaml":
            fields = list(_model_fields(name, root, RulesetFile, data, ()))
            title = "Regelsettet (ruleset.yaml)"
        else:
            declared = _declared_params(current, data.get("id"))
            fields = list(_criterion_fields(name, root, data, declared))
            title = f"{data.get('id', '')} – {data.get('title', '')} ({name})"
        groups.append(FieldGroup(title, name, tuple(fields)))
    return groups


def posted_values(
    groups: Iterable[FieldGroup], form: Mapping[str, Any]
) -> dict[tuple[str, tuple[str, ...]], Any]:
    """The form's values at (file, key path), read per input kind; fields not posted are left.

    A value that cannot be read as its kind is passed on as the text it is, so the loader
    refuses it with its own code and message at the field.
    """
    out: dict[tuple[str, tuple[str, ...]], Any] = {}
    for group in groups:
        for f in group.fields:
            raw = form.get(f.name)
            if isinstance(raw, str):
                out[(f.file, f.path)] = parse_value(f.kind, raw)
    return out


def parse_value(kind: InputKind, raw: str) -> Any:
    """A posted text as the value its input kind means; the text itself when it is not one."""
    text = raw.replace("\r\n", "\n").strip() if kind != "longtext" else raw.replace("\r\n", "\n")
    if kind == "number":
        compact = text.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d+", compact):
            return int(compact)  # a whole number stays whole («2» is 2, «2,0» is 2.0)
        if re.fullmatch(r"-?\d+[.,]\d+", compact):
            return float(compact.replace(",", "."))
    elif kind == "int":
        compact = text.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d+", compact):
            return int(compact)
        if re.fullmatch(r"-?\d+[.,]\d+", compact):
            return float(compact.replace(",", "."))  # the loader says it must be whole
    elif kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    elif kind == "years":
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        if parts and all(re.fullmatch(r"\d{1,4}", p) for p in parts):
            return [int(p) for p in parts]
    else:
        return text.strip() if kind == "text" else text.strip("\n")
    return text


def place(
    diagnostics: Sequence[Diagnostic], groups: Iterable[FieldGroup]
) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """Each diagnostic at the field it belongs to (by file and key path, else by line).

    Returns the diagnostics by field name, and those that belong to no field.
    """
    fields = [f for g in groups for f in g.fields]
    at: dict[str, list[Diagnostic]] = {}
    rest: list[Diagnostic] = []
    for d in diagnostics:
        field = _field_of(d, fields)
        if field is None:
            rest.append(d)
        else:
            at.setdefault(field.name, []).append(d)
    return at, rest


def _field_of(d: Diagnostic, fields: Sequence[FormField]) -> FormField | None:
    mine = [f for f in fields if f.file == d.location.file]
    loc = tuple(str(p) for p in d.loc)
    if loc:
        # the longest field path the diagnostic's path begins with (or that begins with it)
        best = [f for f in mine if loc[: len(f.path)] == f.path or f.path[: len(loc)] == loc]
        if best:
            return max(best, key=lambda f: len(f.path) if loc[: len(f.path)] == f.path else 0)
    if d.location.line is not None:
        for f in mine:
            if f.line == d.location.line:
                return f
    return None


# --- reading the files ---------------------------------------------------------------------


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _construct(node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader("").construct_object(node, deep=True)
    except yaml.YAMLError:
        return None


def _label(path: Sequence[str], prefix: str = "") -> str:
    parts = [NAMES.get(p, p) for p in path]
    return prefix + " › ".join(parts)


def _shown(kind: InputKind, value: Any) -> str:
    if value is None:
        return ""
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if kind == "years" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field(file: str, root: yaml.Node, path: tuple[str, ...], kind: InputKind, value: Any) -> Any:
    node = node_at(root, path)
    if node is None:
        return None
    if kind == "text" and (path[-1] in _LONG or (len(path) > 1 and path[-2] in _LONG_PARENTS)):
        kind = "longtext"
    return FormField(file, path, kind, _label(path), _shown(kind, value), node.start_mark.line + 1)


def _model_fields(
    file: str, root: yaml.Node, model: type[BaseModel], data: Mapping[str, Any], at: tuple[str, ...]
) -> Iterable[FormField]:
    """The fields of a schema's keys present in the data, depth first in the schema's order."""
    for key, info in model.model_fields.items():
        if (not at and key in _SKIPPED) or key not in data:
            continue
        yield from _typed(file, root, info.annotation, data[key], (*at, key))


def _typed(
    file: str, root: yaml.Node, annotation: Any, value: Any, path: tuple[str, ...]
) -> Iterable[FormField]:
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(value, dict):
            yield from _model_fields(file, root, annotation, value, path)
        return
    if origin is dict and isinstance(value, dict):
        item = typing.get_args(annotation)[1]
        for key, item_value in value.items():
            yield from _typed(file, root, item, item_value, (*path, str(key)))
        return
    if origin in (typing.Union, types.UnionType):
        return  # a choice of shapes (e.g. a role per kind) is not a form field
    kind = _KIND_OF_TYPE.get(annotation)
    if kind is not None:
        found = _field(file, root, path, kind, value)
        if found is not None:
            yield found


def _declared_params(current: RuleSet | None, cid: Any) -> dict[str, ParamType]:
    if current is None or not isinstance(cid, str):
        return {}
    try:
        criterion = current.criterion(cid)
    except KeyError:
        return {}
    out: dict[str, ParamType] = {}
    for fact in criterion.facts:
        out.update(VOCABULARY[fact].params)
    return out


def _criterion_fields(
    file: str, root: yaml.Node, data: Mapping[str, Any], declared: Mapping[str, ParamType]
) -> Iterable[FormField]:
    for key in ("title", "description", "weight"):
        if key in data:
            annotation = CriterionFile.model_fields[key].annotation
            yield from _typed(file, root, annotation, data[key], (key,))
    params = data.get("parameters")
    if isinstance(params, dict):
        for name, value in params.items():
            kind: InputKind
            if name in declared:
                kind = _KIND_OF_PARAM[declared[name]]
            else:
                kind = "years" if isinstance(value, list) else "number"
            found = _field(file, root, ("parameters", str(name)), kind, value)
            if found is not None:
                yield found
    explanation = data.get("explanation")
    if isinstance(explanation, dict):
        yield from _model_fields(file, root, Explanation, explanation, ("explanation",))
