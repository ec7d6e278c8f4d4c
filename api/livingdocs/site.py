"""`utvalg docs`: a static Norwegian HTML site of the rules and their scenarios.

One page per criterion (text, source, parameters, conditions, explanation templates, and its
scenarios with the pass/fail of the last run), one page per other feature (outcome, ranking,
refused input) and an index. No external assets: the stylesheet is inline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gherkin.parser import Parser
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.livingdocs.runner import (
    CoverageRow,
    ScenarioReport,
    ScenarioResult,
)
from engine import RuleSet
from engine.conditions import All, Any_, Compare, Condition, Known, Not
from engine.facts.core import VOCABULARY
from engine.ruleset import Criterion
from engine.text import format_date, format_number, format_value
from engine.types import STATUSES

TEMPLATES = Path(__file__).resolve().parent / "templates"
_OPS = {
    "eq": "er",
    "neq": "er ikke",
    "gt": "er større enn",
    "gte": "er minst",
    "lt": "er mindre enn",
    "lte": "er høyst",
    "in": "er en av",
}


@dataclass
class DocStep:
    """A Gherkin step with its table, as written in the feature file."""

    keyword: str
    text: str
    table: list[list[str]] = field(default_factory=list)


@dataclass
class DocScenario:
    """A scenario or outline with the results of its runs (one per example row)."""

    keyword: str
    name: str
    line: int
    description: str
    steps: list[DocStep]
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    results: list[ScenarioResult] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """An id for links to this scenario."""
        return f"s{self.line}"

    @property
    def status(self) -> str:
        """`bestått`, `feilet` or `ikke kjørt` (an outline fails when any row fails)."""
        expected = len(self.rows) if self.header else 1
        if any(not r.passed for r in self.results):
            return "feilet"
        if len(self.results) < expected or not self.results:
            return "ikke kjørt"
        return "bestått"

    def row_result(self, index: int) -> ScenarioResult | None:
        """The result of example row `index`."""
        return self.results[index] if index < len(self.results) else None


@dataclass
class DocFeature:
    """A feature file: its text, background and scenarios, and where its page is."""

    path: Path
    name: str
    description: list[list[str]]
    tags: list[str]
    background: list[DocStep]
    scenarios: list[DocScenario]
    shown_path: str = ""  # the file as the reader knows it: features/<round>/k1-….feature
    page: str = ""

    def count(self, status: str) -> int:
        """How many scenarios have this status."""
        return sum(s.status == status for s in self.scenarios)


def build_docs(
    ruleset: RuleSet,
    report: ScenarioReport,
    out_dir: Path,
    *,
    features_dir: Path | None = None,
    run_at: dt.datetime | None = None,
) -> list[Path]:
    """Write the HTML site for a ruleset and a scenario report; return the files written."""
    features = load_features(features_dir or report.features_dir, report)
    ids = {c.id for c in ruleset.criteria}
    for feature in features:
        tag = next((t for t in feature.tags if t in ids), None)
        feature.page = (
            f"kriterium-{tag.lower()}.html" if tag else f"egenskap-{feature.path.stem}.html"
        )
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["verdi"] = format_value
    env.filters["dato"] = format_date
    titles = report.titles()
    coverage = report.coverage(ruleset)
    common: dict[str, Any] = {
        "ruleset": ruleset,
        "report": report,
        "features": features,
        "run_at": (run_at or dt.datetime.now()).strftime("%d.%m.%Y kl. %H.%M"),
        # the labels a rådgiver may change, from the round's own ruleset
        "status_labels": ruleset.labels.status,
        "outcome_labels": ruleset.labels.outcome,
        "unit_labels": ruleset.labels.unit,
        "kind_labels": ruleset.labels.kind,
        "role_labels": ruleset.labels.role,
        "criterion_pages": {c.id: f"kriterium-{c.id.lower()}.html" for c in ruleset.criteria},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, template: str, **values: Any) -> None:
        path = out_dir / name
        html = env.get_template(template).render(**common, **values)
        path.write_text(html, encoding="utf-8")
        written.append(path)

    write(
        "index.html",
        "index.html",
        rows=[_criterion_summary(c, features, coverage) for c in ruleset.criteria],
        coverage=coverage,
        gaps=[r for r in coverage if r.count == 0],
        others=[f for f in features if not any(t in ids for t in f.tags)],
    )
    for criterion in ruleset.criteria:
        own = [f for f in features if criterion.id in f.tags]
        own_tests = {r.test for f in own for s in f.scenarios for r in s.results}
        mine = [r for r in coverage if r.what == "criterion" and r.key == criterion.id]
        elsewhere = sorted(
            {titles[t] for r in mine for t in r.tests if t not in own_tests and t in titles}
        )
        write(
            f"kriterium-{criterion.id.lower()}.html",
            "criterion.html",
            criterion=criterion,
            own=own,
            coverage=mine,
            elsewhere=elsewhere,
            parameters=_parameters(criterion),
            conditions={
                "met": _condition_tree(criterion.met),
                "not_met": _condition_tree(criterion.not_met),
            },
            facts=[(name, VOCABULARY[name].description) for name in criterion.facts],
            context=_ruleset_context(criterion, ruleset),
        )
    for feature in features:
        if not any(t in ids for t in feature.tags):
            write(feature.page, "feature.html", feature=feature)
    return written


def build_round_index(rulesets: list[RuleSet], out_dir: Path) -> Path:
    """Write the page that links to each round's own site (in `<out_dir>/<round id>/`)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(env.get_template("rounds.html").render(rulesets=rulesets), encoding="utf-8")
    return path


def load_features(folder: Path, report: ScenarioReport) -> list[DocFeature]:
    """Parse every feature file in `folder` and attach the report's results to its scenarios."""
    by_place: dict[tuple[Path, int], list[ScenarioResult]] = {}
    for result in report.scenarios:
        by_place.setdefault((report.path_of(result).resolve(), result.line), []).append(result)
    above = Path(folder).resolve().parent.parent  # feature files are shown relative to it
    out = []
    for path in sorted(Path(folder).resolve().glob("*.feature")):
        doc: dict[str, Any] = dict(Parser().parse(path.read_text(encoding="utf-8")))
        feature: dict[str, Any] = doc.get("feature") or {}
        background: list[DocStep] = []
        scenarios: list[DocScenario] = []
        for child in feature.get("children", []):
            if "background" in child:
                background = [_step(s) for s in child["background"]["steps"]]
            elif "scenario" in child:
                sc = child["scenario"]
                header: list[str] = []
                rows: list[list[str]] = []
                for ex in sc.get("examples", []):
                    header = header or [c["value"] for c in ex["tableHeader"]["cells"]]
                    rows += [[c["value"] for c in r["cells"]] for r in ex.get("tableBody", [])]
                line = sc["location"]["line"]
                scenarios.append(
                    DocScenario(
                        keyword=sc["keyword"],
                        name=sc["name"],
                        line=line,
                        description=sc.get("description", "").strip(),
                        steps=[_step(s) for s in sc["steps"]],
                        header=header,
                        rows=rows,
                        results=by_place.get((path.resolve(), line), []),
                    )
                )
        out.append(
            DocFeature(
                path=path.resolve(),
                name=feature.get("name", path.stem),
                description=paragraphs(feature.get("description", "")),
                tags=[t["name"].lstrip("@") for t in feature.get("tags", [])],
                background=background,
                scenarios=scenarios,
                shown_path=path.relative_to(above).as_posix(),
            )
        )
    return out


def paragraphs(text: str) -> list[list[str]]:
    """A feature description as paragraphs of lines; list items (– or 1.) start a new line."""
    out: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            if lines and not re.match(r"^(–|-|\d+\.)\s", line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        if lines:
            out.append(lines)
    return out


def _step(step: dict[str, Any]) -> DocStep:
    table = step.get("dataTable") or {}
    rows = [[c["value"] for c in r["cells"]] for r in table.get("rows", [])]
    return DocStep(step["keyword"].strip(), step["text"], rows)


def _criterion_summary(
    criterion: Criterion, features: list[DocFeature], coverage: list[CoverageRow]
) -> dict[str, Any]:
    own = [s for f in features if criterion.id in f.tags for s in f.scenarios]
    counts = {
        r.status: r.count for r in coverage if r.what == "criterion" and r.key == criterion.id
    }
    return {
        "criterion": criterion,
        "scenarios": len(own),
        "passed": sum(s.status == "bestått" for s in own),
        "failed": sum(s.status == "feilet" for s in own),
        "counts": [counts.get(s, 0) for s in STATUSES],
    }


def _parameters(criterion: Criterion) -> list[tuple[str, str]]:
    return [(name, format_value(value)) for name, value in criterion.parameters.items()]


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return format_value(value)


def _condition_tree(cond: Condition) -> dict[str, Any]:
    """A condition as nested Norwegian sentences: {"text": …, "parts": […]}."""
    if isinstance(cond, All):
        return {"text": "alle disse holder:", "parts": [_condition_tree(p) for p in cond.parts]}
    if isinstance(cond, Any_):
        return {
            "text": "minst én av disse holder:",
            "parts": [_condition_tree(p) for p in cond.parts],
        }
    if isinstance(cond, Not):
        return {"text": "dette holder sikkert ikke:", "parts": [_condition_tree(cond.part)]}
    if isinstance(cond, Known):
        return {"fact": cond.fact, "text": "er kjent" if cond.known else "er ukjent", "parts": []}
    assert isinstance(cond, Compare)
    return {"fact": cond.fact, "text": f"{_OPS[cond.op]} {_value(cond.value)}", "parts": []}


def _ruleset_context(criterion: Criterion, ruleset: RuleSet) -> dict[str, Any]:
    """The ruleset's own numbers a criterion reads: deadlines, or survey averages."""
    params = {p for name in criterion.facts for p in VOCABULARY[name].params}
    context: dict[str, Any] = {}
    if "days_after_deadline" in criterion.facts:
        context["counties"] = [
            (number, county.name, format_date(county.deadline))
            for number, county in sorted(ruleset.counties.items())
        ]
    if "margin" in params:
        margin = Decimal(str(criterion.parameters.get("margin", 0)))
        averages = ruleset.survey.national_average
        context["survey"] = {
            "min_respondents": ruleset.survey.min_respondents,
            "years": [
                (
                    year,
                    format_number(Decimal(str(averages[year]))),
                    format_number(Decimal(str(averages[year])) + margin),
                )
                for year in criterion.parameters.get("years", [])
                if year in averages
            ],
        }
    return context
