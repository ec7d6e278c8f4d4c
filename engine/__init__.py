"""utvalg's selection engine: load rules, validate applications, evaluate, rank.

The engine knows nothing of HTTP or databases; `api` is its outside.
"""

from engine.application import (
    Application,
    load_application_file,
    load_application_text,
    parse_application,
)
from engine.decide import RuleConflict, application_id_of, evaluate
from engine.decision import Decision, Ranking
from engine.diagnostics import Diagnostic, DiagnosticError, InvalidApplication, InvalidRules
from engine.facts.core import SurveySource
from engine.loader import check_rules, load_ruleset
from engine.ranking import Rankable, rank, rankable
from engine.ruleset import RuleSet

__all__ = [
    "Application",
    "Decision",
    "Diagnostic",
    "DiagnosticError",
    "InvalidApplication",
    "InvalidRules",
    "Rankable",
    "Ranking",
    "RuleConflict",
    "RuleSet",
    "SurveySource",
    "application_id_of",
    "check_rules",
    "evaluate",
    "load_application_file",
    "load_application_text",
    "load_ruleset",
    "parse_application",
    "rank",
    "rankable",
]
