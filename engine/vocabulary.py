"""The derived facts that rule conditions may name: a small, documented vocabulary.

Each fact is computed in Python from the application and the criterion's parameters
(like OpenFisca's variables); the conditions that compare them live in YAML.
A value of None means unknown: the fact is left out, and no comparison on it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from engine.text import format_date, format_number, join_list
from engine.types import Kind, Status

FactType = Literal["bool", "int", "number"]


@dataclass(frozen=True)
class Derived:
    """A computed fact: value (None = unknown), evidence, template texts, what is missing."""

    value: bool | int | float | None
    evidence: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, Any] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SurveySource:
    """Survey figures for a school found outside the application (an import), with their source."""

    surveys: Sequence[Any]
    label: str


@dataclass
class FactContext:
    """Everything a derived fact may read: the subject, the application, parameters, rules."""

    kind: Kind
    subject: Any
    path: str  # data path of the subject in the application, e.g. "schools[2]"
    application: Any
    params: Mapping[str, Any]
    ruleset: Any
    inclusion: Mapping[str, Status] = field(default_factory=dict)
    survey_lookup: Callable[[str], SurveySource | None] | None = None


@dataclass(frozen=True)
class FactDef:
    """The definition of one derived fact."""

    name: str
    kinds: frozenset[str]
    type: FactType
    params: tuple[str, ...]
    texts: tuple[str, ...]
    stage: int
    description: str
    compute: Callable[[FactContext], Derived]


VOCABULARY: dict[str, FactDef] = {}


def _fact(
    name: str,
    kinds: Sequence[str],
    type_: FactType,
    description: str,
    params: Sequence[str] = (),
    texts: Sequence[str] = (),
    stage: int = 1,
) -> Callable[[Callable[[FactContext], Derived]], Callable[[FactContext], Derived]]:
    def register(fn: Callable[[FactContext], Derived]) -> Callable[[FactContext], Derived]:
        VOCABULARY[name] = FactDef(
            name, frozenset(kinds), type_, tuple(params), tuple(texts), stage, description, fn
        )
        return fn

    return register


def _dec(value: float | int) -> Decimal:
    # Decimal from the shortest repr: 6.6 + 3.0 is exactly 9.6, so a figure on the
    # threshold counts as high (floats would give 9.600000000000001 for some pairs).
    return Decimal(str(value))


def _years_in(params: Mapping[str, Any]) -> list[int]:
    return [int(y) for y in params["years"]]


# --- the application ---------------------------------------------------------------


@_fact(
    "days_after_deadline",
    ["application"],
    "int",
    "Antall dager søknaden kom inn etter fylkets frist (negativt: før fristen).",
    texts=("received", "deadline"),
)
def days_after_deadline(ctx: FactContext) -> Derived:
    """Days between the county's deadline and the received date."""
    deadline: dt.date = ctx.ruleset.counties[ctx.application.county].deadline
    received: dt.date | None = ctx.application.received
    texts: dict[str, Any] = {"deadline": format_date(deadline), "received": "ukjent dato"}
    evidence: dict[str, Any] = {"deadline": deadline.isoformat(), "received": None}
    if received is None:
        return Derived(None, evidence, texts, [("received", "mottaksdato (received)")])
    texts["received"] = format_date(received)
    evidence["received"] = received.isoformat()
    return Derived((received - deadline).days, evidence, texts)


def _participant(name: str, label: str) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        value = getattr(ctx.application.participants, name)
        missing = [] if value is not None else [(f"participants.{name}", label)]
        return Derived(value, {}, {}, missing)

    return compute


for _name, _label in (
    ("school_owner", "om skoleeier deltar (participants.school_owner)"),
    ("kindergarten_owner", "om barnehageeier deltar (participants.kindergarten_owner)"),
    ("ppt", "om PPT deltar (participants.ppt)"),
):
    _fact(
        f"{_name}_participates",
        ["application"],
        "bool",
        f"Søknaden sier at {_label.split('(')[0].removeprefix('om ').strip()}.",
    )(_participant(_name, _label))


def _units(ctx: FactContext, kind: str) -> list[tuple[str, Any]]:
    attr = "schools" if kind == "school" else "kindergartens"
    return [(f"{attr}[{i}]", u) for i, u in enumerate(getattr(ctx.application, attr))]


def _count_included(kind: str, include_unknown: bool) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        met, unknown = [], []
        for path, unit in _units(ctx, kind):
            status = ctx.inclusion.get(unit.org_number, "unknown")
            if status == "met":
                met.append(unit.name)
            elif status == "unknown":
                unknown.append((f"{path}.motivated", f"om {unit.name} er motivert"))
        value = len(met) + (len(unknown) if include_unknown else 0)
        missing = unknown if not met else []
        return Derived(value, {}, {}, missing)

    return compute


for _kind, _plural in (("school", "skoler"), ("kindergarten", "barnehager")):
    _fact(
        f"{_kind}s_included" if _kind == "school" else "kindergartens_included",
        ["application"],
        "int",
        f"Antall {_plural} som er med (inkluderingskriteriet er oppfylt).",
        stage=2,
    )(_count_included(_kind, include_unknown=False))
    _fact(
        f"{_kind}s_not_excluded" if _kind == "school" else "kindergartens_not_excluded",
        ["application"],
        "int",
        f"Antall {_plural} som ikke er utelatt (inkluderingskriteriet er oppfylt eller ukjent).",
        stage=2,
    )(_count_included(_kind, include_unknown=True))


def _private_units(ctx: FactContext) -> list[tuple[str, Any]]:
    units = _units(ctx, "school") + _units(ctx, "kindergarten")
    return [(p, u) for p, u in units if u.owner is not None and u.owner.private]


@_fact(
    "private_owners_declining",
    ["application"],
    "int",
    "Antall skoler og barnehager med privat eier som har sagt nei til å delta.",
    texts=("participation_problems",),
)
def private_owners_declining(ctx: FactContext) -> Derived:
    """Units whose private owner has said no."""
    declining = [u for _, u in _private_units(ctx) if u.owner.participates is False]
    problems = _participation_problems(ctx)
    return Derived(
        len(declining),
        {"private_owners_declining": [u.org_number for u in declining]},
        {"participation_problems": join_list(problems)},
    )


def _participation_problems(ctx: FactContext) -> list[str]:
    parts = ctx.application.participants
    problems = [
        text
        for flag, text in (
            (parts.school_owner, "skoleeier deltar ikke"),
            (parts.kindergarten_owner, "barnehageeier deltar ikke"),
            (parts.ppt, "PPT deltar ikke"),
        )
        if flag is False
    ]
    for kind, noun in (("school", "skole"), ("kindergarten", "barnehage")):
        if ctx.inclusion and not any(
            ctx.inclusion.get(u.org_number) != "not_met" for _, u in _units(ctx, kind)
        ):
            problems.append(f"ingen {noun} er med")
    for _, unit in _private_units(ctx):
        if unit.owner.participates is False:
            problems.append(f"den private eieren av {unit.name} ({unit.owner.name}) deltar ikke")
    return problems


@_fact(
    "private_owners_undecided",
    ["application"],
    "int",
    "Antall skoler og barnehager med privat eier der det ikke er oppgitt om eieren deltar.",
)
def private_owners_undecided(ctx: FactContext) -> Derived:
    """Units whose private owner has not said whether it takes part."""
    undecided = [(p, u) for p, u in _private_units(ctx) if u.owner.participates is None]
    missing = [
        (f"{p}.owner.participates", f"om den private eieren av {u.name} deltar")
        for p, u in undecided
    ]
    return Derived(len(undecided), {}, {}, missing)


# --- any subject -------------------------------------------------------------------------


@_fact(
    "motivated",
    ["municipality", "school", "kindergarten"],
    "bool",
    "Kommunen, skolen eller barnehagen er motivert og vil prioritere arbeidet.",
)
def motivated(ctx: FactContext) -> Derived:
    """The subject's own `motivated` flag."""
    value = ctx.subject.motivated
    missing = [] if value is not None else [(f"{ctx.path}.motivated", "om de er motivert")]
    return Derived(value, {"motivated": value}, {}, missing)


@_fact(
    "deficient_supervisions",
    ["municipality", "school", "kindergarten"],
    "int",
    "Antall tilsyn i årene «years» som fant avvik (praksis, rutiner eller system).",
    params=("years",),
    texts=("supervision_list", "supervisions_total"),
)
def deficient_supervisions(ctx: FactContext) -> Derived:
    """Supervisions within the years that found at least one deficiency."""
    supervisions = ctx.subject.supervision
    if supervisions is None:
        return Derived(None, {}, {}, [(f"{ctx.path}.supervision", "tilsyn (supervision)")])
    years = _years_in(ctx.params)
    found = [s for s in supervisions if s.year in years and s.deficiencies]
    names = {"practice": "praksis", "routines": "rutiner", "system": "system"}
    listed = [f"{s.year} ({join_list(names[d] for d in s.deficiencies)})" for s in found]
    evidence = {
        "supervisions": [{"year": s.year, "deficiencies": list(s.deficiencies)} for s in found]
    }
    texts = {"supervision_list": join_list(listed), "supervisions_total": len(supervisions)}
    return Derived(len(found), evidence, texts)


# --- schools ----------------------------------------------------------------------------


def _survey_rows(ctx: FactContext) -> tuple[list[dict[str, Any]], str | None]:
    """Each survey year's status: high, not high, or unknown (with why)."""
    school = ctx.subject
    surveys, source = school.bullying, None
    if surveys is None and ctx.survey_lookup is not None:
        found = ctx.survey_lookup(school.org_number)
        if found is not None:
            surveys, source = list(found.surveys), found.label
    by_year = {s.year: s for s in surveys or []}
    margin = _dec(ctx.params["margin"])
    minimum = ctx.ruleset.survey.min_respondents
    rows = []
    for year in _years_in(ctx.params):
        threshold = _dec(ctx.ruleset.survey.national_average[year]) + margin
        row: dict[str, Any] = {"year": year, "threshold": float(threshold), "percent": None}
        s = by_year.get(year)
        if s is None:
            row.update(status="unknown", reason="mangler")
        elif s.suppressed:
            row.update(status="unknown", reason="skjermet")
        elif s.percent is None:
            row.update(status="unknown", reason="ingen prosentandel")
        elif s.respondents is not None and s.respondents < minimum:
            row.update(status="unknown", reason=f"færre enn {minimum} svar", percent=s.percent)
        else:
            high = _dec(s.percent) >= threshold
            row.update(status="high" if high else "not_high", percent=s.percent)
        if s is not None:
            row["respondents"] = s.respondents
        rows.append(row)
    return rows, source


def _survey_fact(
    count: Callable[[list[dict[str, Any]]], int], unknown_counts: bool
) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        rows, source = _survey_rows(ctx)
        described = []
        for r in rows:
            threshold = format_number(r["threshold"])
            if r["status"] == "unknown":
                described.append(f"{r['year']}: ukjent ({r['reason']})")
            else:
                mark = "høyt" if r["status"] == "high" else "ikke høyt"
                described.append(
                    f"{r['year']}: {format_number(r['percent'])} % (terskel {threshold} %, {mark})"
                )
        path = f"{ctx.path}.bullying"
        missing = [
            (f"{path}[year={r['year']}]", f"Elevundersøkelsen {r['year']} ({r['reason']})")
            for r in rows
            if r["status"] == "unknown"
        ]
        texts: dict[str, Any] = {
            "survey_figures": join_list(described) + (f" (kilde: {source})" if source else ""),
            "unknown_survey_years": sum(r["status"] == "unknown" for r in rows),
        }
        evidence: dict[str, Any] = {"survey": rows}
        if source:
            evidence["survey_source"] = source
        return Derived(count(rows), evidence, texts, missing if unknown_counts else [])

    return compute


_fact(
    "high_survey_years",
    ["school"],
    "int",
    "Antall år i «years» der publisert mobbeandel er minst landssnittet + «margin».",
    params=("years", "margin"),
    texts=("survey_figures", "unknown_survey_years"),
)(_survey_fact(lambda rows: sum(r["status"] == "high" for r in rows), unknown_counts=True))

_fact(
    "possible_high_survey_years",
    ["school"],
    "int",
    "Antall høye år pluss antall år uten publisert tall (det høyeste antallet som er mulig).",
    params=("years", "margin"),
    texts=("survey_figures", "unknown_survey_years"),
)(_survey_fact(lambda rows: sum(r["status"] != "not_high" for r in rows), unknown_counts=True))


_CASE_KIND = {"complaint": "klagesak", "other": "annen sak"}


@_fact(
    "qualifying_cases",
    ["school"],
    "int",
    "Antall saker i årene «years» som er klagesaker, komplekse, "
    "eller åpne minst «min_months_open» måneder.",
    params=("years", "min_months_open"),
    texts=("case_list", "cases_total"),
)
def qualifying_cases(ctx: FactContext) -> Derived:
    """Cases within the years that are complaints, complex, or long-running."""
    cases = ctx.subject.cases
    if cases is None:
        return Derived(None, {}, {}, [(f"{ctx.path}.cases", "saker om skolemiljøet (cases)")])
    years = _years_in(ctx.params)
    min_months = int(ctx.params["min_months_open"])
    found = []
    for c in cases:
        if c.year not in years:
            continue
        reasons = []
        if c.kind == "complaint":
            reasons.append("klagesak")
        if c.complex:
            reasons.append("kompleks")
        if c.months_open is not None and c.months_open >= min_months:
            reasons.append(f"åpen i {c.months_open} måneder")
        if reasons:
            found.append((c, reasons))
    evidence = {
        "cases": [
            {"year": c.year, "kind": c.kind, "complex": c.complex, "months_open": c.months_open}
            for c, _ in found
        ]
    }
    texts = {
        "case_list": join_list(f"{c.year}: {', '.join(r)}" for c, r in found),
        "cases_total": len(cases),
    }
    return Derived(len(found), evidence, texts)


# --- kindergartens ------------------------------------------------------------------------


@_fact(
    "feeds_participating_schools",
    ["kindergarten"],
    "int",
    "Antall skoler i søknaden som barnehagen sender barn til, og som ikke er utelatt.",
    texts=("fed_school_names", "feeds_text"),
    stage=2,
)
def feeds_participating_schools(ctx: FactContext) -> Derived:
    """Schools of this application that the kindergarten feeds and that are not excluded."""
    feeds = ctx.subject.feeds_schools
    if feeds is None:
        return Derived(
            None,
            {},
            {
                "fed_school_names": "ukjent",
                "feeds_text": "det er ikke oppgitt hvilke skoler barnehagen sender barn til",
            },
            [(f"{ctx.path}.feeds_schools", "hvilke skoler barnehagen sender barn til")],
        )
    schools = {s.org_number: s for s in ctx.application.schools}
    fed = [
        schools[n] for n in feeds if n in schools and ctx.inclusion.get(n, "unknown") != "not_met"
    ]
    names = join_list((s.name for s in fed), empty="ingen")
    text = (
        f"barnehagen sender barn til {names}"
        if fed
        else "barnehagen sender ikke barn til noen deltakende skole i søknaden"
    )
    return Derived(
        len(fed),
        {"feeds_schools": [s.org_number for s in fed]},
        {"fed_school_names": names, "feeds_text": text},
    )


@_fact(
    "known_challenges",
    ["kindergarten"],
    "bool",
    "Fylkesmannen kjenner til utfordringer med læringsmiljøet i barnehagen.",
    texts=("challenges_text",),
)
def known_challenges(ctx: FactContext) -> Derived:
    """The office knows of learning-environment challenges in the kindergarten."""
    value = ctx.subject.known_challenges
    missing = (
        []
        if value is not None
        else [(f"{ctx.path}.known_challenges", "om fylkesmannen kjenner til utfordringer")]
    )
    text = {
        True: "fylkesmannen kjenner til utfordringer i barnehagen",
        False: "fylkesmannen kjenner ikke til utfordringer i barnehagen",
        None: "det er ikke oppgitt om fylkesmannen kjenner til utfordringer",
    }[value]
    return Derived(value, {"known_challenges": value}, {"challenges_text": text}, missing)
