"""Så-steps: compare what the engine decided with what the scenario expects, in Norwegian.

A mismatch raises `Avvik` with «Forventet: …» and «Fikk: …»; `utvalg check` prints both.
Each check records the status it reached in the scenario log (for `utvalg check --coverage`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pytest_bdd import parsers, then

from api.livingdocs.steps import values as v
from api.livingdocs.steps.values import StepProblem
from api.livingdocs.steps.world import World, rows_of
from engine import Decision
from engine.decision import CriterionResult, Subject
from engine.diagnostics import format_loc

CRITERION = r"(?P<criterion>[A-ZÆØÅ][A-ZÆØÅ0-9_]*)"
TARGET = r"(?: for (?P<target>kommunen|søknaden|(?:skolen |barnehagen )?«[^»]+»))?"


class Avvik(AssertionError):
    """What the scenario expected and what the engine gave differ."""

    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"Forventet: {expected}\nFikk: {got}")


def fail(world: World, expected: str, got: str) -> Avvik:
    """Log a mismatch for `utvalg check` and return the exception to raise."""
    world.log.write({"type": "failure", "test": world.test, "expected": expected, "got": got})
    return Avvik(expected, got)


def refusal_text(world: World) -> str:
    """The refusal's problems in one Norwegian sentence."""
    problems = "; ".join(
        f"{d.code} i «{format_loc(d.loc) or 'søknaden'}»: {d.message}" for d in world.refusal or []
    )
    return f"søknaden fra {world.refused} ble avvist: {problems}"


def decision_of(world: World, expected: str) -> Decision:
    """The decision a Så-step checks; a refusal is a mismatch, not a crash."""
    if world.decision is not None:
        return world.decision
    if world.refusal is not None:
        raise fail(world, expected, refusal_text(world))
    raise StepProblem("Søknaden er ikke vurdert: skriv «Når søknaden vurderes» før «Så …».")


def _matches(subject: Subject, target: str) -> bool:
    if target == "kommunen":
        return subject.kind == "municipality"
    if target == "søknaden":
        return subject.kind == "application"
    match = re.fullmatch(r"(?:(skolen|barnehagen) )?«([^»]+)»", target)
    if match is None:
        raise StepProblem(f"Forstår ikke «{target}».")
    kind = {"skolen": "school", "barnehagen": "kindergarten"}.get(match.group(1) or "")
    return subject.name == match.group(2) and (kind is None or subject.kind == kind)


def _who(criterion: str, target: str | None) -> str:
    return criterion if target is None else f"{criterion} for {target}"


def find_result(decision: Decision, criterion: str, target: str | None) -> CriterionResult:
    """The one result of a criterion for the target (or the only subject it applies to)."""
    results = [r for r in decision.criteria if r.criterion == criterion]
    if not results:
        known = ", ".join(dict.fromkeys(r.criterion for r in decision.criteria))
        raise StepProblem(f"Vedtaket har ikke kriteriet {criterion}. Kriteriene er: {known}.")
    found = results if target is None else [r for r in results if _matches(r.subject, target)]
    if len(found) == 1:
        return found[0]
    names = ", ".join(f"«{r.subject.name}»" for r in results)
    if not found:
        raise StepProblem(f"{criterion} er ikke vurdert for {target}. Den er vurdert for: {names}.")
    raise StepProblem(
        f"{criterion} er vurdert for flere ({names}): skriv hvem, "
        f"f.eks. «{criterion} for «{results[0].subject.name}»»."
    )


def _check_criterion(world: World, criterion: str, target: str | None, status: str) -> None:
    wanted = v.word(v.STATUS_WORDS, status, "en status", world.ruleset.labels.status)
    expected = f"{_who(criterion, target)} er «{v.label(world.ruleset.labels.status, wanted)}»"
    result = find_result(decision_of(world, expected), criterion, target)
    world.log.hit(world.test, "criterion", criterion, result.status)
    if result.status != wanted:
        raise fail(
            world,
            expected,
            f"«{world.ruleset.labels.status[result.status]}» – {result.explanation}",
        )


@then(parsers.re(r"er " + CRITERION + TARGET + r" «(?P<status>[^»]+)»"))
def criterion_status(world: World, criterion: str, target: str | None, status: str) -> None:
    """Check one criterion's status for one subject."""
    _check_criterion(world, criterion, target, status)


@then("er kriteriene:")
def criteria_table(world: World, datatable: Sequence[Sequence[str]]) -> None:
    """Check several criteria at once: columns kriterium, for (may be empty) and status."""
    for row in rows_of(datatable):
        cells = {k.strip().lower(): c.strip() for k, c in row.items()}
        target = cells.get("for") or None
        if target and target not in ("kommunen", "søknaden") and "«" not in target:
            target = f"«{target}»"
        _check_criterion(world, cells["kriterium"], target, cells["status"])


@then(parsers.re(r"er utfallet «(?P<outcome>[^»]+)»"))
def outcome_is(world: World, outcome: str) -> None:
    """Check the outcome: Anbefalt, Ufullstendig or Ikke anbefalt."""
    wanted = v.word(v.OUTCOME_WORDS, outcome, "et utfall", world.ruleset.labels.outcome)
    expected = f"utfallet er «{v.label(world.ruleset.labels.outcome, wanted)}»"
    decision = decision_of(world, expected)
    world.log.hit(world.test, "outcome", decision.outcome)
    if decision.outcome != wanted:
        raise fail(
            world,
            expected,
            f"«{world.ruleset.labels.outcome[decision.outcome]}» – {decision.summary}",
        )


@then(parsers.re(r"er poengsummen (?P<score>-?[0-9]+)"))
def score_is(world: World, score: str) -> None:
    """Check the score used for ranking."""
    expected = f"poengsummen er {score}"
    decision = decision_of(world, expected)
    if decision.score != int(score):
        met = [
            f"{r.criterion} for {r.subject.name}"
            for r in decision.criteria
            if r.status == "met" and r.role in ("need", "advantage")
        ]
        raise fail(world, expected, f"{decision.score} (oppfylt: {', '.join(met) or 'ingen'})")


def _check_unit(world: World, name: str, status: str) -> None:
    wanted = v.word(v.UNIT_WORDS, status, "en enhetsstatus", world.ruleset.labels.unit)
    expected = f"enhetsstatusen for «{name}» er «{v.label(world.ruleset.labels.unit, wanted)}»"
    decision = decision_of(world, expected)
    units = [u for u in decision.units if u.name == name]
    if not units:
        known = ", ".join(f"«{u.name}»" for u in decision.units) or "ingen"
        raise StepProblem(
            f"Vedtaket har ingen skole eller barnehage «{name}». Enhetene er: {known}."
        )
    world.log.hit(world.test, "unit", units[0].status)
    if units[0].status != wanted:
        raise fail(world, expected, f"«{world.ruleset.labels.unit[units[0].status]}»")


@then(parsers.re(r"er enhetsstatusen for «(?P<name>[^»]+)» «(?P<status>[^»]+)»"))
def unit_status(world: World, name: str, status: str) -> None:
    """Check whether a school or kindergarten is Prioritert, Med, Uavklart or Utelatt."""
    _check_unit(world, name, status)


@then("er enhetsstatusene:")
def unit_table(world: World, datatable: Sequence[Sequence[str]]) -> None:
    """Check several units at once: columns enhet and status."""
    for row in rows_of(datatable):
        cells = {k.strip().lower(): c.strip() for k, c in row.items()}
        _check_unit(world, cells["enhet"], cells["status"])


@then(parsers.re(r"nevner forklaringen av " + CRITERION + TARGET + r" «(?P<text>.+)»"))
def explanation_mentions(world: World, criterion: str, target: str | None, text: str) -> None:
    """Check that a criterion's Norwegian explanation contains a text."""
    expected = f"forklaringen av {_who(criterion, target)} nevner «{text}»"
    result = find_result(decision_of(world, expected), criterion, target)
    if text not in result.explanation:
        raise fail(world, expected, f"«{result.explanation}»")


@then(parsers.re(r"mangler " + CRITERION + TARGET + r" opplysningen «(?P<path>[^»]+)»"))
def missing_field(world: World, criterion: str, target: str | None, path: str) -> None:
    """Check that an unknown criterion lists a missing field (by its name in the søknad)."""
    expected = f"{_who(criterion, target)} mangler «{path}»"
    result = find_result(decision_of(world, expected), criterion, target)
    if path not in result.missing:
        listed = ", ".join(f"«{m}»" for m in result.missing) or "ingenting mangler"
        raise fail(world, expected, listed)


@then(parsers.re(r"nevner sammendraget «(?P<text>.+)»"))
def summary_mentions(world: World, text: str) -> None:
    """Check that the decision's summary contains a text."""
    expected = f"sammendraget nevner «{text}»"
    decision = decision_of(world, expected)
    if text not in decision.summary:
        raise fail(world, expected, f"«{decision.summary}»")


@then(parsers.re(r"har vedtaket en advarsel som nevner «(?P<text>.+)»"))
def warning_mentions(world: World, text: str) -> None:
    """Check that one of the decision's warnings contains a text."""
    expected = f"en advarsel som nevner «{text}»"
    decision = decision_of(world, expected)
    if not any(text in w for w in decision.warnings):
        raise fail(world, expected, "; ".join(decision.warnings) or "ingen advarsler")


@then("har vedtaket ingen advarsler")
def no_warnings(world: World) -> None:
    """Check that the decision has no warnings."""
    decision = decision_of(world, "ingen advarsler")
    if decision.warnings:
        raise fail(world, "ingen advarsler", "; ".join(decision.warnings))


# --- refused input ---------------------------------------------------------------------


def _refusal(world: World, expected: str) -> list[tuple[str, str, str]]:
    if world.refusal is None:
        if world.decision is None:
            raise StepProblem("Søknaden er ikke vurdert: skriv «Når søknaden vurderes» først.")
        world.log.hit(world.test, "outcome", world.decision.outcome)
        label = world.ruleset.labels.outcome[world.decision.outcome]
        raise fail(world, expected, f"søknaden ble ikke avvist, men vurdert: «{label}»")
    return [(d.code, format_loc(d.loc), d.message) for d in world.refusal]


@then("avvises søknaden")
def refused(world: World) -> None:
    """Check that the application was refused whole (not evaluated)."""
    _refusal(world, "søknaden avvises")


@then(parsers.re(r"avvises søknaden med feilen «(?P<code>[^»]+)» i feltet «(?P<path>[^»]*)»"))
def refused_with(world: World, code: str, path: str) -> None:
    """Check that the refusal names this code for this field."""
    expected = f"søknaden avvises med {code} i «{path}»"
    problems = _refusal(world, expected)
    if not any(c == code and p == path for c, p, _ in problems):
        raise fail(world, expected, ", ".join(f"{c} i «{p}»" for c, p, _ in problems))


@then("avvises søknaden med feilene:")
def refused_with_all(world: World, datatable: Sequence[Sequence[str]]) -> None:
    """Check the refusal's complete list of problems: columns felt and kode."""
    rows = [{k.strip().lower(): c.strip() for k, c in r.items()} for r in rows_of(datatable)]
    wanted = sorted((r["kode"], r["felt"]) for r in rows)
    expected = ", ".join(f"{c} i «{p}»" for c, p in wanted)
    got = sorted((c, p) for c, p, _ in _refusal(world, f"søknaden avvises med {expected}"))
    if got != wanted:
        raise fail(world, expected, ", ".join(f"{c} i «{p}»" for c, p in got))


@then(parsers.re(r"nevner feilmeldingen for «(?P<path>[^»]*)» «(?P<text>.+)»"))
def refusal_message_mentions(world: World, path: str, text: str) -> None:
    """Check that the Norwegian message for a refused field contains a text."""
    expected = f"feilmeldingen for «{path}» nevner «{text}»"
    messages = [m for _, p, m in _refusal(world, expected) if p == path]
    if not any(text in m for m in messages):
        raise fail(world, expected, " / ".join(messages) or f"ingen feil i «{path}»")


# --- ranking -----------------------------------------------------------------------------

_RANK_COLUMNS = ("plass", "kommune", "søknad", "utfall", "poeng", "innenfor kapasitet")


def _norm(column: str, cell: str) -> str:
    text = " ".join(cell.lower().split())
    if column == "kommune":
        text = text.removesuffix(" kommune")
    if column == "utfall":
        text = v.OUTCOME_WORDS.get(text, text)
    return text


@then(parsers.re(r"er rangeringen i fylke (?P<county>\S+):"))
def ranking_is(world: World, county: str, datatable: Sequence[Sequence[str]]) -> None:
    """Check a county's ranking row by row (only the columns the table has)."""
    if world.ranking is None:
        if world.refusal is not None:
            raise fail(world, f"rangeringen i fylke {county}", refusal_text(world))
        raise StepProblem("Søknadene er ikke rangert: skriv «Når søknadene rangeres» først.")
    rows = rows_of(datatable)
    columns = [c.strip().lower() for c in datatable[0]]
    for c in columns:
        if c not in _RANK_COLUMNS:
            known = ", ".join(f"«{k}»" for k in _RANK_COLUMNS)
            raise StepProblem(f"Ukjent kolonne «{c}» i rangeringen. Kjente kolonner: {known}.")
    places = next((c.ranking for c in world.ranking.counties if c.county == county), [])
    labels = world.labels
    got_rows = []
    for entry in places:
        world.log.hit(world.test, "outcome", entry.outcome)
        cells = {
            "plass": str(entry.rank),
            "kommune": labels.get(entry.application_id, "").removesuffix(" kommune"),
            "søknad": entry.application_id,
            "utfall": world.ruleset.labels.outcome[entry.outcome],
            "poeng": str(entry.score),
            "innenfor kapasitet": "ja" if entry.within_capacity else "nei",
        }
        got_rows.append([cells[c] for c in columns])
    want_rows = [[r[k].strip() for k in r] for r in rows]
    same = len(want_rows) == len(got_rows) and all(
        _norm(c, w) == _norm(c, g)
        for want, got in zip(want_rows, got_rows, strict=True)
        for c, w, g in zip(columns, want, got, strict=True)
    )
    if not same:
        raise fail(world, _table(columns, want_rows), _table(columns, got_rows))


def _table(columns: list[str], rows: list[list[str]]) -> str:
    """Rows as a Gherkin table, one line each, under the column names."""
    lines = [columns, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    )


@then(parsers.re(r"er kapasiteten i fylke (?P<county>[0-9]+): (?P<capacity>[0-9]+)"))
def capacity_is(world: World, county: str, capacity: str) -> None:
    """Check how many applications a county may recommend."""
    expected = f"kapasiteten i fylke {county} er {capacity}"
    if world.ranking is None:
        raise StepProblem("Søknadene er ikke rangert: skriv «Når søknadene rangeres» først.")
    found = [c.capacity for c in world.ranking.counties if c.county == county]
    if found != [int(capacity)]:
        raise fail(world, expected, str(found[0]) if found else f"ingen søknader i fylke {county}")
