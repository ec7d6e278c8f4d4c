"""Load a rules folder (ruleset.yaml + criteria/*.yaml) into a RuleSet, or refuse it whole.

The files' schemas live here; the RuleSet they become is engine.ruleset.
"""

# pydantic models: no postponed annotations (docs/ARCHITECTURE.md, «Start-up»)

import hashlib
from pathlib import Path as FsPath
from typing import Any

from pydantic import Field, ValidationError

from engine.conditions import ConditionParser, facts_in
from engine.diagnostics import Diagnostic, InvalidRules, Location
from engine.facts.core import VOCABULARY
from engine.messages import (
    RULES,
    keys_at,
    missing_key,
    number_expected,
    positioned,
    translate,
)
from engine.ruleset import (
    County,
    Criterion,
    Labels,
    RoundDates,
    RuleSet,
    RulesModel,
    Summaries,
    SurveyPolicy,
)
from engine.text import placeholders
from engine.types import STATUSES, UNIT_KINDS, Kind, Role
from engine.yamlpos import Path, Positioned, YamlProblem, load_lazily

SUMMARY_PLACEHOLDERS = {"krav", "behov", "mangler"}


class RulesetFile(RulesModel):
    """The schema of ruleset.yaml."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,40}$",
        description="1–41 små bokstaver a–z, sifre og bindestreker, ikke bindestrek først "
        "(f.eks. pulje-5)",
    )
    version: str
    title: str
    source: str
    round: RoundDates
    survey: SurveyPolicy
    # int keys are allowed here only to refuse them with a helpful BAD_FORMAT below
    counties: dict[str | int, County]
    inclusion_criterion: str
    office: str = Field(
        min_length=1,
        description="embetets navn slik tekstene skal bruke det (f.eks. Fylkesmannen)",
    )
    labels: Labels
    summaries: Summaries


class Explanation(RulesModel):
    """Norwegian explanation templates, one per status."""

    met: str
    not_met: str
    unknown: str


class CriterionFile(RulesModel):
    """The schema of one criteria/*.yaml file."""

    id: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]{0,15}$",
        description="1–16 store bokstaver A–Z, sifre og understreker, med en bokstav først "
        "(f.eks. K1)",
    )
    title: str
    description: str
    source: list[str]
    applies_to: list[Kind] = Field(min_length=1)
    role: Role | dict[Kind, Role]
    weight: int = Field(default=0, ge=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    met: dict[str, Any]
    not_met: dict[str, Any]
    explanation: Explanation


def load_ruleset(folder: str | FsPath) -> RuleSet:
    """Load and validate a rules folder; raise InvalidRules listing every problem."""
    ruleset, diagnostics = _load(FsPath(folder))
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors or ruleset is None:
        raise InvalidRules(errors)
    return ruleset


def check_rules(folder: str | FsPath) -> list[Diagnostic]:
    """Every problem in a rules folder (empty when it is valid)."""
    return _load(FsPath(folder))[1]


def _read(path: FsPath, shown: str, out: list[Diagnostic]) -> Positioned | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.append(Diagnostic("UNREADABLE_FILE", f"Kan ikke lese filen: {exc}", Location(shown)))
        return None
    try:
        return load_lazily(text, shown)
    except YamlProblem as problem:
        out.extend(problem.diagnostics)
        return None


def _load(folder: FsPath) -> tuple[RuleSet | None, list[Diagnostic]]:
    out: list[Diagnostic] = []
    top = folder / "ruleset.yaml"
    shown_top = str(top)
    if not top.is_file():
        out.append(
            Diagnostic("MISSING_FILE", "Regelmappen mangler ruleset.yaml.", Location(str(folder)))
        )
        return None, out
    files = [top, *sorted((folder / "criteria").glob("*.yaml"))]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")

    doc = _read(top, shown_top, out)
    head = _validate(RulesetFile, doc, out) if doc is not None else None
    if head is not None and doc is not None:
        _check_head(head, doc, out)
    if len(files) == 1:
        out.append(
            Diagnostic(
                "NO_CRITERIA",
                "Mappen «criteria» har ingen kriteriefiler (*.yaml).",
                Location(str(folder / "criteria")),
            )
        )
    criteria: list[Criterion] = []
    seen: dict[str, str] = {}
    for f in files[1:]:
        crit = _load_criterion(f, head, out)
        if crit is None:
            continue
        if crit.id in seen:
            out.append(
                Diagnostic(
                    "DUPLICATE_CRITERION",
                    f"Kriteriet {crit.id} er allerede definert i {seen[crit.id]}.",
                    Location(str(f), crit.line, 1, crit.id),
                )
            )
            continue
        seen[crit.id] = str(f)
        criteria.append(crit)
    if head is not None and doc is not None:
        _check_inclusion(head, doc, criteria, out)
    if head is None or any(d.severity == "error" for d in out):
        return None, out
    ruleset = RuleSet(
        id=head.id,
        version=head.version,
        title=head.title,
        source=head.source,
        round=head.round,
        survey=head.survey,
        counties={str(k): v for k, v in head.counties.items()},
        inclusion_criterion=head.inclusion_criterion,
        office=head.office,
        labels=head.labels,
        summaries=head.summaries,
        criteria=tuple(criteria),
        digest="sha256:" + digest.hexdigest(),
        folder=str(folder),
    )
    return ruleset, out


def _validate(
    model: type[RulesModel], doc: Positioned, out: list[Diagnostic], crit: str | None = None
) -> Any:
    if not isinstance(doc.data, dict):
        out.append(Diagnostic("BAD_TYPE", "Filen må være en YAML-tabell.", doc.location(())))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        out.extend(positioned(translate(exc.errors(), doc.data, model, RULES), doc, crit))
        return None


def _check_head(head: RulesetFile, doc: Positioned, out: list[Diagnostic]) -> None:
    for table in Labels.model_fields:
        labels = getattr(head.labels, table)
        for key in keys_at(RulesetFile, ("labels", table)):
            if key not in labels:  # every outcome, status, kind … needs its label
                out.extend(
                    positioned([missing_key(("labels", table, key), RulesetFile, RULES)], doc)
                )
    for number in head.counties:
        if not (isinstance(number, str) and len(number) == 2 and number.isdigit()):
            out.append(
                Diagnostic(
                    "BAD_FORMAT",
                    f'Fylkesnummeret «{number}» må være to sifre i anførselstegn, f.eks. "50".',
                    doc.location(("counties", number)),
                    ("counties", number),
                )
            )
    for name in Summaries.model_fields:
        template = getattr(head.summaries, name)
        for ph in placeholders(template):
            if ph not in SUMMARY_PLACEHOLDERS:
                loc: Path = ("summaries", name)
                out.append(
                    Diagnostic(
                        "UNKNOWN_PLACEHOLDER",
                        f"Ukjent felt «{{{ph}}}» i sammendraget. Tillatt: "
                        + ", ".join(f"{{{p}}}" for p in sorted(SUMMARY_PLACEHOLDERS))
                        + ".",
                        doc.location(loc),
                        loc,
                    )
                )


def _load_criterion(
    path: FsPath, head: RulesetFile | None, out: list[Diagnostic]
) -> Criterion | None:
    shown = str(path)
    doc = _read(path, shown, out)
    if doc is None:
        return None
    cid = doc.data.get("id") if isinstance(doc.data, dict) else None
    cid = cid if isinstance(cid, str) else None
    spec: CriterionFile | None = _validate(CriterionFile, doc, out, cid)
    if spec is None:
        return None
    before = len(out)

    def error(code: str, msg: str, loc: Path) -> None:
        out.append(Diagnostic(code, msg, doc.location(loc, spec.id), loc))

    kinds: tuple[Kind, ...] = tuple(dict.fromkeys(spec.applies_to))
    roles: dict[Kind, Role] = (
        {k: spec.role for k in kinds} if isinstance(spec.role, str) else dict(spec.role)
    )
    for k in kinds:
        if k not in roles:
            error("MISSING_KEY", f"«role» mangler rolle for «{k}».", ("role",))
    for k, r in roles.items():
        if k not in kinds:
            error("BAD_VALUE", f"«role» nevner «{k}», som ikke står i «applies_to».", ("role", k))
        if r == "inclusion" and k not in UNIT_KINDS:
            error("BAD_VALUE", "Rollen «inclusion» gjelder bare skoler og barnehager.", ("role",))

    fact_types = {name: f.type for name, f in VOCABULARY.items()}
    parser = ConditionParser(doc, spec.id, spec.parameters, fact_types)
    met = parser.parse(spec.met, ("met",))
    not_met = parser.parse(spec.not_met, ("not_met",))
    out.extend(parser.diagnostics)
    if met is None or not_met is None:
        return None
    facts = tuple(dict.fromkeys(facts_in(met) + facts_in(not_met)))
    for status, cond in (("met", met), ("not_met", not_met)):
        for name in facts_in(cond):
            fdef = VOCABULARY[name]
            for k in kinds:
                if k not in fdef.kinds:
                    error(
                        "FACT_NOT_FOR_SUBJECT",
                        f"Faktumet «{name}» finnes ikke for «{k}» (bare for "
                        f"{', '.join(sorted(fdef.kinds))}).",
                        parser.fact_locs.get((status, name), (status,)),
                    )
    for name in facts:
        for param in VOCABULARY[name].params:
            if param not in spec.parameters:
                error(
                    "MISSING_PARAMETER",
                    f"Faktumet «{name}» trenger parameteren «{param}» under «parameters».",
                    ("parameters",) if "parameters" in doc.data else (),
                )
    _check_parameters(spec, facts, head, error)

    allowed = set(spec.parameters) | set(facts) | {"subject", "missing"}
    for name in facts:
        allowed |= set(VOCABULARY[name].texts)
    for status in STATUSES:
        for ph in placeholders(getattr(spec.explanation, status)):
            if ph not in allowed:
                error(
                    "UNKNOWN_PLACEHOLDER",
                    f"Ukjent felt «{{{ph}}}» i forklaringen. Tillatt: "
                    + ", ".join(f"{{{p}}}" for p in sorted(allowed))
                    + ".",
                    ("explanation", status),
                )
    if len(out) > before:
        return None
    return Criterion(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        source=tuple(spec.source),
        applies_to=kinds,
        roles=roles,
        weight=spec.weight,
        parameters=dict(spec.parameters),
        met=met,
        not_met=not_met,
        explanation={
            "met": spec.explanation.met,
            "not_met": spec.explanation.not_met,
            "unknown": spec.explanation.unknown,
        },
        facts=facts,
        stage=max(VOCABULARY[n].stage for n in facts),
        file=shown,
        line=doc.top_key_line("id") or 1,
    )


def _check_parameters(
    spec: CriterionFile, facts: tuple[str, ...], head: RulesetFile | None, error: Any
) -> None:
    """Check each parameter against the types its facts declare (undeclared: a number)."""
    for name, value in spec.parameters.items():
        declared = {VOCABULARY[f].params[name] for f in facts if name in VOCABULARY[f].params}
        loc: Path = ("parameters", name)
        if declared & {"year_list", "survey_years"}:
            if not (
                isinstance(value, list)
                and value
                and all(isinstance(y, int) and not isinstance(y, bool) for y in value)
            ):
                error(
                    "BAD_TYPE", f"«{name}» må være en liste med årstall, f.eks. [2017, 2018].", loc
                )
                continue
            if head is not None and "survey_years" in declared:
                for year in value:
                    if year not in head.survey.national_average:
                        error(
                            "MISSING_NATIONAL_AVERAGE",
                            f"Året {year} har ikke noe landssnitt under survey.national_average "
                            "i ruleset.yaml.",
                            loc,
                        )
        elif isinstance(value, bool) or not isinstance(value, int | float):
            if declared or not isinstance(value, int | float | bool):
                error("BAD_TYPE", number_expected(f"Parameteren «{name}»", value), loc)
        elif "int" in declared and not isinstance(value, int):
            error("BAD_TYPE", f"Parameteren «{name}» må være et heltall.", loc)


def _check_inclusion(
    head: RulesetFile, doc: Positioned, criteria: list[Criterion], out: list[Diagnostic]
) -> None:
    loc: Path = ("inclusion_criterion",)
    by_id = {c.id: c for c in criteria}
    crit = by_id.get(head.inclusion_criterion)
    if crit is None:
        if not any(d.location.criterion == head.inclusion_criterion for d in out):
            out.append(
                Diagnostic(
                    "UNKNOWN_CRITERION",
                    f"Kriteriet «{head.inclusion_criterion}» finnes ikke. Kjente kriterier: "
                    f"{', '.join(sorted(by_id))}.",
                    doc.location(loc),
                    loc,
                )
            )
        return
    if any(crit.roles.get(k) != "inclusion" for k in UNIT_KINDS) or crit.stage != 1:
        out.append(
            Diagnostic(
                "BAD_VALUE",
                f"Kriteriet {crit.id} kan ikke avgjøre hvem som er med: det må gjelde skoler og "
                "barnehager med rollen «inclusion» og ikke bygge på andre kriterier.",
                doc.location(loc),
                loc,
            )
        )
