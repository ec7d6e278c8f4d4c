# The public API's types for type checkers; engine/__init__.py loads each name on first use.
# tests/engine/test_public_api.py keeps this list and engine/__init__.py's the same.
from engine.application import Application as Application
from engine.application import load_application_file as load_application_file
from engine.application import load_application_text as load_application_text
from engine.application import parse_application as parse_application
from engine.decision import Decision as Decision
from engine.decision import Ranking as Ranking
from engine.diagnostics import Diagnostic as Diagnostic
from engine.diagnostics import DiagnosticError as DiagnosticError
from engine.diagnostics import InvalidApplication as InvalidApplication
from engine.diagnostics import InvalidRules as InvalidRules
from engine.diagnostics import Location as Location
from engine.evaluate import RuleConflict as RuleConflict
from engine.evaluate import application_id_of as application_id_of
from engine.evaluate import evaluate as evaluate
from engine.facts.core import SurveySource as SurveySource
from engine.loader import check_rules as check_rules
from engine.loader import load_ruleset as load_ruleset
from engine.ranking import Rankable as Rankable
from engine.ranking import municipality_clashes as municipality_clashes
from engine.ranking import rank as rank
from engine.ranking import rankable as rankable
from engine.ruleset import RuleSet as RuleSet
from engine.runtime import FactRefused as FactRefused
from engine.runtime import RuleRuntimeError as RuleRuntimeError
from engine.yamlpos import DuplicateJsonKey as DuplicateJsonKey

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
