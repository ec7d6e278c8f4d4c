"""utvalg's selection engine: load rules, validate applications, evaluate, rank.

The engine knows nothing of HTTP or databases; `api` is its outside. This module is its
public API: loading (rules and applications), checking rules, evaluating, ranking, and
every error the engine raises, so that callers can tell them apart by type.
"""

from engine.application import (
    Application,
    load_application_file,
    load_application_text,
    parse_application,
)
from engine.decision import Decision, Ranking
from engine.diagnostics import (
    Diagnostic,
    DiagnosticError,
    InvalidApplication,
    InvalidRules,
    Location,
)
from engine.evaluate import RuleConflict, application_id_of, evaluate
from engine.facts.core import SurveySource
from engine.loader import check_rules, load_ruleset
from engine.ranking import Rankable, municipality_clashes, rank, rankable
from engine.ruleset import RuleSet
from engine.runtime import FactRefused, RuleRuntimeError
from engine.yamlpos import DuplicateJsonKey

__all__ = [
    "Application",
    "Decision",
    "Diagnostic",
    "DiagnosticError",
    "DuplicateJsonKey",
    "FactRefused",
    "InvalidApplication",
    "InvalidRules",
    "Location",
    "Rankable",
    "Ranking",
    "RuleConflict",
    "RuleRuntimeError",
    "RuleSet",
    "SurveySource",
    "application_id_of",
    "check_rules",
    "evaluate",
    "load_application_file",
    "load_application_text",
    "load_ruleset",
    "municipality_clashes",
    "parse_application",
    "rank",
    "rankable",
]
