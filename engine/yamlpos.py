"""Safe YAML loading that keeps the position of every value and refuses duplicate keys.

Two readers with one meaning. `load_positioned` composes the document in pure Python and
keeps the (line, column) of every value; it words every problem. `load_lazily` reads with
libyaml's C parser (about 30 times faster) and computes the positions only when a message
asks for them; anything unusual (an anchor, a tag, a duplicate or non-text key, a bad
date, a syntax error) sends it to `load_positioned`, so that the problems are worded as
before and the data of a document both read are the same.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from engine.diagnostics import Diagnostic, Location
from engine.yamlsyntax import decimal_commas, explain

Path = tuple[str | int, ...]


class Positioned:
    """A loaded document: the plain data, and the (line, column) of every path in it.

    Given its `text` instead of `positions`, it reads the positions from the text the
    first time they are asked for (only a message about a problem needs them).
    """

    def __init__(
        self,
        data: Any,
        positions: dict[Path, tuple[int, int]] | None = None,
        file: str | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.data = data
        self.file = file
        self._positions = positions
        self._text = text

    def top_key_line(self, key: str) -> int | None:
        """The line of a key of the top mapping, without reading every position when it can.

        A block mapping's top keys are the only lines that begin with `key:` at column 1
        (values and continuations are indented); when not exactly one line does, the
        positions decide.
        """
        if self._positions is None and self._text is not None:
            pattern = re.compile(rf"^{re.escape(key)}[ \t]*:", re.MULTILINE)
            found = [m.start() for m in pattern.finditer(self._text)]
            if len(found) == 1:
                return self._text.count("\n", 0, found[0]) + 1
        return self.location((key,)).line

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        """The (line, column) of every path, read from the text when first asked for."""
        if self._positions is None:
            self._positions = _positions_of(self._text, self.file)
        return self._positions

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


def _integer(digits: str) -> int | float:
    # Python refuses to convert more than 4,300 digits (a ValueError json lets through);
    # such a number is infinite for every purpose here, and validation says it is too big
    if len(digits) > 4300:
        return float("-inf") if digits.startswith("-") else float("inf")
    return int(digits)


def loads_json_strict(text: str) -> Any:
    """`json.loads` that raises DuplicateJsonKey for an object with the same key twice.

    An integer of more than 4,300 digits is read as infinity (validation then refuses it).
    """
    return json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_int=_integer)


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE = "tag:yaml.org,2002:merge"


def _positions_of(text: str | None, file: str | None) -> dict[Path, tuple[int, int]]:
    """The positions of a text that was read already; none when the YAML reader refuses it."""
    if text is None:
        return {}
    try:
        return load_positioned(text, file).positions
    except YamlProblem:
        pass
    try:
        # JSON read by the json module: tabs stand only between tokens, where YAML refuses
        # some of them and a space means the same
        return load_positioned(text.replace("\t", " "), file).positions
    except YamlProblem:
        return {}


class _Unusual(Exception):
    """The fast reader met something only load_positioned words or refuses."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader on libyaml's C parser (when PyYAML has it), refusing what is unusual."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        # the keys as load_positioned makes them: text or whole numbers, yes/no as text
        if not isinstance(node, yaml.MappingNode):
            raise _Unusual
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                raise _Unusual
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool):
                key = str(key)
            elif not isinstance(key, str | int):
                raise _Unusual
            if key in out:
                raise _Unusual
            out[key] = self.construct_object(value_node, deep=deep)
        return out


def load_lazily(text: str, file: str | None = None) -> Positioned:
    """As load_positioned, but fast: positions are read from the text only when asked for."""
    # an anchor (for an alias) or a tag is refused or worded by load_positioned only
    if "&" not in text and "!" not in text:
        try:
            data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a safe loader
        except (yaml.YAMLError, _Unusual, ValueError, TypeError, ArithmeticError, RecursionError):
            pass
        else:
            if _small(data):
                return Positioned(data, None, file, text=text)
    return load_positioned(text, file)


# Documents deeper or larger than this are left to load_positioned, whose bounds (if any)
# then decide; below the bounds both readers give the same data. Keep these at or below
# the positioned reader's own bounds.
_FAST_MAX_DEPTH = 60
_FAST_MAX_VALUES = 45_000


def _small(data: Any) -> bool:
    """True when `data` nests at most _FAST_MAX_DEPTH levels and has few enough values."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > _FAST_MAX_DEPTH or count > _FAST_MAX_VALUES:
            return False
        if isinstance(value, dict):
            count += len(value)  # the keys are values too
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return True


# An application nests about six levels and has a few thousand values; a ruleset file
# fewer. The bounds refuse hostile documents (10,000 nested `[`, millions of values)
# before they are built, with a message, instead of a RecursionError or minutes of work.
MAX_DEPTH = 64
MAX_NODES = 50_000


class _TooBig(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that stops composing at MAX_DEPTH nesting levels or MAX_NODES values."""

    def __init__(self, stream: str, file: str | None = None) -> None:
        super().__init__(stream)
        self._file = file
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH or self._nodes > MAX_NODES:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            if self._depth > MAX_DEPTH:
                code = "TOO_DEEP"
                msg = (
                    f"Dokumentet er nøstet dypere enn {MAX_DEPTH} nivåer; søknader og regler "
                    "har bare noen få nivåer."
                )
            else:
                code = "TOO_MANY_VALUES"
                msg = f"Dokumentet har mer enn {MAX_NODES:,} verdier.".replace(",", "\u00a0")
            where = Location(self._file, mark.line + 1, mark.column + 1)
            raise _TooBig(Diagnostic(code, msg, where))
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_positioned(text: str, file: str | None = None) -> Positioned:
    """Parse YAML (or JSON) text safely; raise YamlProblem on syntax errors or duplicate keys."""
    loader = _BoundedLoader(text, file)
    try:
        node = loader.get_single_node()
    except _TooBig as exc:
        raise YamlProblem([exc.diagnostic]) from None
    except yaml.YAMLError as exc:
        raise YamlProblem([explain(exc, text, file)]) from None
    finally:
        loader.dispose()
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
            elif node.tag == "tag:yaml.org,2002:int" and len(node.value) > 4300:
                msg = f"Tallet har {len(node.value)} sifre; det er for stort til å regnes med."
                problems.append(_diag("BAD_VALUE", msg, node, file))
            else:
                shown = node.value if len(node.value) <= 60 else node.value[:57] + "…"
                problems.append(_diag("BAD_VALUE", f"Ugyldig verdi «{shown}».", node, file))
            return None
    problems.append(_diag("BAD_VALUE", f"YAML-merket «{node.tag}» er ikke tillatt.", node, file))
    return None


def _diag(code: str, msg: str, node: yaml.Node, file: str | None) -> Diagnostic:
    mark = node.start_mark
    return Diagnostic(code, msg, Location(file, mark.line + 1, mark.column + 1))
