"""Safe YAML loading that keeps the position of every value and refuses duplicate keys."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.diagnostics import Diagnostic, Location
from engine.yamlsyntax import decimal_commas, explain

Path = tuple[str | int, ...]


@dataclass
class Positioned:
    """A loaded document: the plain data, and the (line, column) of every path in it."""

    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    file: str | None = None

    def location(self, loc: Path, criterion: str | None = None) -> Location:
        """The location of the deepest known prefix of `loc` (1-based line and column).

        A key YAML read as a number (`2019:`) is stored under the number; a path that
        names it as text finds it there too.
        """
        if loc and loc not in self.positions and isinstance(loc[-1], str) and loc[-1].isdigit():
            as_number = (*loc[:-1], int(loc[-1]))
            if as_number in self.positions:
                loc = as_number
        for end in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:end]))
            if pos is not None:
                return Location(self.file, pos[0], pos[1], criterion)
        return Location(self.file, None, None, criterion)


class YamlProblem(Exception):
    """A YAML syntax error or duplicate key, carried as diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message for d in diagnostics))


class DuplicateJsonKey(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateJsonKey(key)
        out[key] = value
    return out


def loads_json_strict(text: str) -> Any:
    """`json.loads` that raises DuplicateJsonKey for an object with the same key twice."""
    return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def load_positioned(text: str, file: str | None = None) -> Positioned:
    """Parse YAML (or JSON) text safely; raise YamlProblem on syntax errors or duplicate keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlProblem([explain(exc, text, file)]) from None
    out = Positioned(None, {}, file)
    problems: list[Diagnostic] = []
    if node is not None:
        out.data = _build(node, (), out.positions, problems, file, set())
    problems.extend(decimal_commas(text, file))
    if problems:
        raise YamlProblem(problems)
    return out


def _build(
    node: yaml.Node,
    path: Path,
    positions: dict[Path, tuple[int, int]],
    problems: list[Diagnostic],
    file: str | None,
    seen: set[int],
) -> Any:
    # An alias (`*name`) is the same node met again. Refused, not expanded: a few hundred
    # bytes of nested aliases («billion laughs») would otherwise build gigabytes. The node's
    # own mark is its anchor's, so point at the key the alias stands under, when it has one.
    if id(node) in seen:
        line, column = positions.get(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        msg = "YAML-alias («*navn») er ikke tillatt: skriv verdien ut der den skal stå."
        problems.append(Diagnostic("BAD_VALUE", msg, Location(file, line, column)))
        return None
    seen.add(id(node))
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_COLLECTIONS:
        problems.append(
            _diag("BAD_VALUE", f"YAML-merket «{node.tag}» er ikke tillatt.", node, file)
        )
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    _diag("BAD_VALUE", "YAML-fletting («<<») er ikke tillatt.", key_node, file)
                )
                continue
            key = _scalar(key_node, problems, file)
            if not isinstance(key, str | int):
                problems.append(_diag("BAD_TYPE", "En nøkkel må være tekst.", key_node, file))
                continue
            if isinstance(key, bool) or not isinstance(key, int):
                key = str(key)
            if key in result:
                line = positions[(*path, key)][0]
                problems.append(
                    _diag(
                        "DUPLICATE_KEY",
                        f"Nøkkelen «{key}» står to ganger (første gang på linje {line}).",
                        key_node,
                        file,
                    )
                )
                continue
            positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, (*path, key), positions, problems, file, seen)
            # keep the key's own position: errors about a value point at its key line
            positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), positions, problems, file, seen)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, problems, file)


def _scalar(node: yaml.Node, problems: list[Diagnostic], file: str | None) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        problems.append(_diag("BAD_TYPE", "En nøkkel må være en enkel verdi.", node, file))
        return None
    if node.tag in yaml.SafeLoader.yaml_constructors:
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError):
            if node.tag == "tag:yaml.org,2002:timestamp":
                msg = f"Ugyldig dato «{node.value}». Skriv datoen som ÅÅÅÅ-MM-DD."
                problems.append(_diag("BAD_DATE", msg, node, file))
            else:
                problems.append(_diag("BAD_VALUE", f"Ugyldig verdi «{node.value}».", node, file))
            return None
    problems.append(_diag("BAD_VALUE", f"YAML-merket «{node.tag}» er ikke tillatt.", node, file))
    return None


def _diag(code: str, msg: str, node: yaml.Node, file: str | None) -> Diagnostic:
    mark = node.start_mark
    return Diagnostic(code, msg, Location(file, mark.line + 1, mark.column + 1))
