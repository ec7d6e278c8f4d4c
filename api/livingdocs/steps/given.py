"""Gitt-steps: write an application with tables, the way a rådgiver describes it.

Every sentence here is listed with an example in features/README.md.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import yaml
from pytest_bdd import given, parsers

from api.livingdocs.steps import values as v
from api.livingdocs.steps.values import StepProblem
from api.livingdocs.steps.world import (
    CASE_COLUMNS,
    COLUMNS,
    KIND_NOUN,
    SUBJECT,
    SUPERVISION_COLUMNS,
    SURVEY_COLUMNS,
    Draft,
    World,
    fill,
    list_rows,
    rows_of,
    set_raw,
)

NEW_APPLICATION = (
    r"en søknad fra (?P<municipality>.+?) kommune i fylke (?P<county>\S+)"
    r"(?: mottatt (?P<received>\S+)| uten mottaksdato)?"
    r"(?:, ellers lik søknaden fra (?P<template>.+?) kommune)?"
)


@given(parsers.re(NEW_APPLICATION))
def new_application(
    world: World, municipality: str, county: str, received: str | None, template: str | None
) -> None:
    """Start an application; with «ellers lik …» it copies everything else from another one."""
    if template is not None:
        data = copy.deepcopy(world.draft_named(template).data)
        data.pop("received", None)
    else:
        data = {"round": world.ruleset.id, "schools": [], "kindergartens": []}
        data["municipality"] = {}
    app_id = v.slug(municipality)
    taken = {d.data.get("id") for d in world.drafts}
    n = 2
    while app_id in taken:
        app_id, n = f"{v.slug(municipality)}-{n}", n + 1
    data["id"] = app_id
    data["county"] = county
    data["municipality"]["name"] = municipality
    data["municipality"]["number"] = v.municipality_number_for(municipality, county)
    if received is not None:
        data["received"] = v.date(received)
    world.drafts.append(Draft(data))


@given(parsers.re(SUBJECT + r" har:"))
def subject_has(world: World, subject: str, datatable: Sequence[Sequence[str]]) -> None:
    """Set several fields of one subject from a table with one row of values."""
    kind, target = world.draft.subject(subject)
    rows = rows_of(datatable)
    if len(rows) != 1:
        raise StepProblem(
            f"Tabellen etter «{subject} har:» skal ha én rad med verdier under kolonnenavnene, "
            f"men har {len(rows)}."
        )
    fill(target, COLUMNS[kind], rows[0], subject)


@given(parsers.re(SUBJECT + r" har «(?P<column>[^»]+)» satt til «(?P<value>[^»]*)»"))
def subject_field(world: World, subject: str, column: str, value: str) -> None:
    """Set one field of one subject, named as a table column."""
    kind, target = world.draft.subject(subject)
    fill(target, COLUMNS[kind], {column: value}, subject)


@given(parsers.re(r"søknaden har (?P<plural>skolene|barnehagene):"))
def add_units(world: World, plural: str, datatable: Sequence[Sequence[str]]) -> None:
    """Add schools or kindergartens, one per row; columns not given are unknown."""
    kind = "school" if plural == "skolene" else "kindergarten"
    for row in rows_of(datatable):
        world.draft.add_unit(kind, row)


@given(parsers.re(r"skolen «(?P<name>[^»]+)» har mobbetall:"))
def school_surveys(world: World, name: str, datatable: Sequence[Sequence[str]]) -> None:
    """Give a school's Elevundersøkelsen figures, one row per year (replaces earlier figures)."""
    school = world.draft.unit("school", name)
    school["bullying"] = list_rows(datatable, SURVEY_COLUMNS, "mobbetall")


@given(parsers.re(r"skolen «(?P<name>[^»]+)» har saker:"))
def school_cases(world: World, name: str, datatable: Sequence[Sequence[str]]) -> None:
    """Give a school's learning-environment cases, one row per case (replaces earlier cases)."""
    school = world.draft.unit("school", name)
    school["cases"] = list_rows(datatable, CASE_COLUMNS, "saker")


@given(parsers.re(SUBJECT + r" har tilsyn:"))
def supervisions(world: World, subject: str, datatable: Sequence[Sequence[str]]) -> None:
    """Give the supervisions (tilsyn) of the municipality, a school or a kindergarten."""
    kind, target = world.draft.subject(subject)
    if kind == "application":
        raise StepProblem(
            f"Tilsyn gjelder {', '.join(list(KIND_NOUN.values())[1:])}, ikke søknaden."
        )
    target["supervision"] = list_rows(datatable, SUPERVISION_COLUMNS, "tilsyn")


@given(
    parsers.re(r"søknaden har i tillegg feltet «(?P<path>[^»]+)» med verdien «(?P<value>[^»]*)»")
)
def raw_field(world: World, path: str, value: str) -> None:
    """Write a field by its contract name (for refused input): the value is read as YAML."""
    set_raw(world.draft.data, path, yaml.safe_load(value) if value.strip() else None)
