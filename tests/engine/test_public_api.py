"""The engine's public API: every name loads from its module, and only when asked for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import engine

STUB = Path(engine.__file__).with_suffix(".pyi")


def _stub_names() -> dict[str, str]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name: node.module or ""
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_stub_declares_every_public_name_from_the_module_that_defines_it() -> None:
    assert _stub_names() == engine._WHERE
    assert sorted(_stub_names()) == engine.__all__


def test_every_public_name_is_the_object_of_its_module() -> None:
    for name, module in engine._WHERE.items():
        assert getattr(engine, name) is getattr(sys.modules[module], name), name
    assert set(engine.__all__) <= set(dir(engine))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        engine.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("engine.no_such_name did not raise")


def test_importing_engine_loads_no_schema_rules_runtime_or_yaml() -> None:
    # a fresh process: this one has long since loaded everything
    probe = (
        "import sys, engine; "
        "print(sorted(m for m in ('pydantic', 'durable', 'yaml', 'engine.application') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_first_use_of_a_name_loads_its_module() -> None:
    probe = (
        "import sys, engine; engine.RuleSet; "
        "print('engine.ruleset' in sys.modules, 'engine.runtime' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_importing_a_submodule_does_not_hide_the_public_name_it_shares() -> None:
    # `engine.evaluate` is a module and the function it defines
    probe = (
        "import engine.evaluate, types; from engine import evaluate; "
        "print(isinstance(evaluate, types.FunctionType), evaluate.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "engine.evaluate"]
