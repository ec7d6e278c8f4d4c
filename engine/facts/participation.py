"""Facts about who takes part: the parties, motivation, included units and private owners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.facts.core import Derived, FactContext, fact
from engine.text import join_list
from engine.types import UnitKind


def _participant(name: str, label: str) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        value = getattr(ctx.application.participants, name)
        missing = [] if value is not None else [(f"participants.{name}", label)]
        return Derived(value, {}, {}, missing)

    return compute


for _name, _label in (
    ("school_owner", "om skoleeier deltar"),
    ("kindergarten_owner", "om barnehageeier deltar"),
    ("ppt", "om PPT deltar"),
):
    fact(
        f"{_name}_participates",
        ["application"],
        "bool",
        f"Søknaden sier at {_label.removeprefix('om ')}.",
    )(_participant(_name, _label))


_LISTS: dict[UnitKind, str] = {"school": "schools", "kindergarten": "kindergartens"}


def _units(ctx: FactContext, kind: UnitKind) -> Any:
    """The application's units of one kind (its list: most facts never need their paths)."""
    return getattr(ctx.application, _LISTS[kind])


def _path(kind: UnitKind, index: int) -> str:
    """A unit's data path, `schools[2]`: made only for what is missing."""
    return f"{_LISTS[kind]}[{index}]"


def _count_included(kind: UnitKind, include_unknown: bool) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        met, unknown = [], []
        for index, unit in enumerate(_units(ctx, kind)):
            status = ctx.inclusion.get(unit.org_number, "unknown")
            if status == "met":
                met.append(unit.name)
            elif status == "unknown":
                unknown.append((f"{_path(kind, index)}.motivated", f"om {unit.name} er motivert"))
        value = len(met) + (len(unknown) if include_unknown else 0)
        missing = unknown if not met else []
        return Derived(value, {}, {}, missing)

    return compute


_PLURALS: tuple[tuple[UnitKind, str], ...] = (("school", "skoler"), ("kindergarten", "barnehager"))
for _kind, _plural in _PLURALS:
    fact(
        f"{_kind}s_included" if _kind == "school" else "kindergartens_included",
        ["application"],
        "int",
        f"Antall {_plural} som er med (inkluderingskriteriet er oppfylt).",
        stage=2,
    )(_count_included(_kind, include_unknown=False))
    fact(
        f"{_kind}s_not_excluded" if _kind == "school" else "kindergartens_not_excluded",
        ["application"],
        "int",
        f"Antall {_plural} som ikke er utelatt (inkluderingskriteriet er oppfylt eller ukjent).",
        stage=2,
    )(_count_included(_kind, include_unknown=True))


def _private_units(ctx: FactContext) -> list[tuple[str, Any]]:
    """(path, unit) of each unit with a private owner, found once per criterion (K6 asks thrice)."""
    found: list[tuple[str, Any]] | None = ctx.memo.get("private_units")
    if found is None:
        found = ctx.memo["private_units"] = [
            (_path(kind, index), unit)
            for kind in _LISTS
            for index, unit in enumerate(_units(ctx, kind))
            if unit.owner is not None and unit.owner.private
        ]
    return found


@fact(
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
    nouns: tuple[tuple[UnitKind, str], ...] = (("school", "skole"), ("kindergarten", "barnehage"))
    # no unit of a kind, or every one excluded: none is included (CONTRACT 1: an application
    # with no schools and no kindergartens says "ingen skole og ingen barnehage er med")
    absent = [
        f"ingen {noun}"
        for kind, noun in nouns
        if not any(ctx.inclusion.get(u.org_number) != "not_met" for u in _units(ctx, kind))
    ]
    if absent:
        problems.append(f"{join_list(absent)} er med")
    for _, unit in _private_units(ctx):
        if unit.owner.participates is False:
            problems.append(f"den private eieren av {unit.name} ({unit.owner.name}) deltar ikke")
    return problems


@fact(
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


@fact(
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
