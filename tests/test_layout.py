"""The layout's rules (docs/ARCHITECTURE.md): who may import whom, and no circles.

Read from the source with `ast`, so a rule broken anywhere, even in a module no test imports,
fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "api")


def module_name(path: Path) -> str:
    """`api/http/evaluations.py` -> `api.http.evaluations`; a package is its `__init__`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    return {
        module_name(p): p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.parts  # Alembic loads these by file, not by import
    }


def imported(node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> Iterator[str]:
    """The dotted names one import statement reaches (a module, or its package for a name)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    for alias in node.names:
        full = f"{base}.{alias.name}"
        yield full if full in known else base


def imports(path: Path, known: dict[str, Path]) -> Iterator[tuple[ast.stmt, str, bool]]:
    """Each import of a module: the statement, the name it reaches, and whether at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in imported(node, known):
                yield node, name, id(node) in top


def test_the_service_never_imports_the_tests() -> None:
    known = modules()
    bad = [
        f"{name} imports {target}"
        for name, path in known.items()
        for _, target, _ in imports(path, known)
        if target == "tests" or target.startswith("tests.")
    ]
    assert bad == []


def test_the_engine_knows_nothing_of_the_service() -> None:
    known = modules()
    bad = [
        f"{name} imports {target}"
        for name, path in known.items()
        if name.split(".")[0] == "engine"
        for _, target, _ in imports(path, known)
        if target.split(".")[0] in ("api", "fastapi", "sqlalchemy", "starlette")
    ]
    assert bad == []


def test_every_import_is_at_the_top_of_its_module() -> None:
    """An import inside a function hides a circle (DESIGN.md, "Habits")."""
    known = modules()
    bad = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                bad += [
                    f"{name}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                bad.append(f"{name}:{node.lineno} (TYPE_CHECKING)")
    assert bad == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_module_imports_itself_round_a_circle() -> None:
    known = modules()
    graph = {
        name: {t for _, t, _ in imports(path, known) if t in known and t != name}
        for name, path in known.items()
    }
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def part_of(module: str) -> str:
    """The part of the layout a module belongs to: `engine`, or `api.<package or module>`."""
    parts = module.split(".")
    return "engine" if parts[0] == "engine" else ".".join(parts[:2])


def test_the_parts_of_api_depend_on_each_other_one_way() -> None:
    """docs/ARCHITECTURE.md's table: e.g. api.http may use api.services, never the reverse."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        for _, target, _ in imports(path, known):
            if target in known and part_of(target) != part_of(name):
                graph.setdefault(part_of(name), set()).add(part_of(target))
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


@pytest.mark.parametrize(
    "graph, circle",
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": set()}, None),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], circle: list[str]) -> None:
    assert _cycle(graph) == circle
