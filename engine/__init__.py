"""utvalg's selection engine: load rules, validate applications, evaluate, rank.

The engine knows nothing of HTTP or databases; `api` is its outside. This module is its
public API: loading (rules and applications), checking rules, evaluating, ranking, and
every error the engine raises, so that callers can tell them apart by type.

Each name is loaded from its module the first time it is asked for (PEP 562's module
`__getattr__`), not when `engine` is imported: the schema, the rule runtime (durable-rules),
PyYAML and pydantic's models cost several hundred milliseconds together, and a process that
needs one part (a command, a worker, a test) pays only for that part. This is the one place
that loads lazily; every module inside the engine imports at its top as usual. The types of
these names are declared for type checkers in `engine/__init__.pyi`, and
tests/engine/test_public_api.py keeps the two lists the same.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# public name -> the module that defines it
_WHERE: dict[str, str] = {
    "Application": "engine.application",
    "load_application_file": "engine.application",
    "load_application_text": "engine.application",
    "parse_application": "engine.application",
    "Decision": "engine.decision",
    "Ranking": "engine.decision",
    "Diagnostic": "engine.diagnostics",
    "DiagnosticError": "engine.diagnostics",
    "InvalidApplication": "engine.diagnostics",
    "InvalidRules": "engine.diagnostics",
    "Location": "engine.diagnostics",
    "RuleConflict": "engine.evaluate",
    "application_id_of": "engine.evaluate",
    "evaluate": "engine.evaluate",
    "SurveySource": "engine.facts.core",
    "check_rules": "engine.loader",
    "load_ruleset": "engine.loader",
    "Rankable": "engine.ranking",
    "municipality_clashes": "engine.ranking",
    "rank": "engine.ranking",
    "rankable": "engine.ranking",
    "RuleSet": "engine.ruleset",
    "FactRefused": "engine.runtime",
    "RuleRuntimeError": "engine.runtime",
    "DuplicateJsonKey": "engine.yamlpos",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (then it is an ordinary attribute)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once: later lookups do not come here
    return value


class _Engine(types.ModuleType):
    """The package, keeping each public name for what it names.

    Importing a submodule sets it as an attribute of its package, so importing
    `engine.evaluate` (the module) would hide `engine.evaluate` (the function). The public
    name wins, as it did when this module imported everything at once.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable as sys.modules["engine.<name>"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Engine


def __dir__() -> list[str]:
    """The public names beside the module's own, as if they were all imported."""
    return sorted(set(globals()) | set(_WHERE))
