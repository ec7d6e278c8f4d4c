"""Invitation candidates (CONTRACT 9): each municipality's schools with K1 by the round's own rule.

Before any application arrives, the office asks which municipalities of its county have
schools with high bullying figures over time. The answer is computed by the engine, not
here: each municipality becomes a synthetic application that names its schools (placed by
api/survey/schools.py) without figures, so the evaluation fills them from the imported
Elevundersøkelsen figures exactly as for a real application, and the round's survey
criterion (the school criterion that reads `high_survey_years`, e.g. K1) decides
each school. This module only builds those applications and reads the decisions back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from api.survey.schools import school_places
from api.survey.store import survey_lookup_for, surveyed_schools
from engine import Application, InvalidApplication, RuleSet, evaluate, parse_application
from engine.ruleset import Criterion

SURVEY_FACT = "high_survey_years"
_STATUS_ORDER = {"met": 0, "unknown": 1, "not_met": 2}


@dataclass(frozen=True)
class Place:
    """Where a school with imported figures is (None: no file named its municipality)."""

    org_number: str
    name: str
    municipality_number: str | None
    municipality_name: str | None
    active: bool | None = None


@dataclass(frozen=True)
class InvitationBasis:
    """The synthetic applications of a county, and the schools no file placed."""

    county: str
    applications: list[Application] = field(default_factory=list)
    unplaced: list[dict[str, str]] = field(default_factory=list)


def stored_places(db: Engine) -> list[Place]:
    """Every school with imported figures, placed by the export or the school register."""
    register = school_places(db)
    out = []
    for org, name in surveyed_schools(db).items():
        place = register.get(org)
        out.append(
            Place(
                org,
                name,
                place.municipality_number if place else None,
                place.municipality_name if place else None,
                place.active if place else None,
            )
        )
    return out


def survey_criterion(ruleset: RuleSet) -> Criterion | None:
    """The round's criterion that judges a school by its survey figures (K1), if it has one."""
    for criterion in ruleset.criteria:
        if "school" in criterion.applies_to and SURVEY_FACT in criterion.facts:
            return criterion
    return None


def _clean_name(name: str, fallback: str) -> str:
    # A name in an application may hold no control characters and at most 200 of them.
    kept = "".join(c for c in name if not unicodedata.category(c).startswith("C")).strip()
    return kept[:200] or fallback


def invitation_basis(ruleset: RuleSet, county: str, places: Sequence[Place]) -> InvitationBasis:
    """One synthetic application per municipality of the county, its active schools in it.

    A school whose municipality no file names is listed in `unplaced` (it might be in any
    county); a school the register marks as not active (closed) is left out.
    """
    by_municipality: dict[str, list[Place]] = {}
    unplaced = []
    for place in sorted(places, key=lambda p: p.org_number):
        if place.municipality_number is None:
            unplaced.append({"org_number": place.org_number, "name": place.name})
        elif place.active is not False and place.municipality_number[:2] == county:
            by_municipality.setdefault(place.municipality_number, []).append(place)
    applications = []
    for number, schools in sorted(by_municipality.items()):
        name = next((s.municipality_name for s in schools if s.municipality_name), None)
        raw = {
            "id": f"invitasjon-{number}",
            "round": ruleset.id,
            "county": county,
            "municipality": {"number": number, "name": _clean_name(name or "", number)},
            "schools": [
                {"org_number": s.org_number, "name": _clean_name(s.name, s.org_number)}
                for s in schools
            ],
        }
        try:
            applications.append(parse_application(raw))
        except InvalidApplication:
            # Only a file's bad place (e.g. a kommunenummer outside the county list) gets
            # here; its schools are then reported as unplaced rather than dropped.
            unplaced += [{"org_number": s.org_number, "name": s.name} for s in schools]
    return InvitationBasis(county, applications, unplaced)


def decide_here(db: Engine, ruleset: RuleSet, basis: InvitationBasis) -> list[dict[str, Any]]:
    """The decisions of the basis' applications in this process (the command line's way)."""
    lookup = survey_lookup_for(db, basis.applications)
    return [
        evaluate(app, ruleset, survey_lookup=lookup).model_dump(mode="json")
        for app in basis.applications
    ]


def candidates(
    ruleset: RuleSet, basis: InvitationBasis, decisions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The contract's invitation list from the decisions of the basis' applications."""
    criterion = survey_criterion(ruleset)
    municipalities = []
    for app, decision in zip(basis.applications, decisions, strict=True):
        results = {
            c["subject"]["id"]: c
            for c in decision["criteria"]
            if criterion is not None
            and c["criterion"] == criterion.id
            and c["subject"]["kind"] == "school"
        }
        schools = [_school(s.org_number, s.name, results.get(s.org_number)) for s in app.schools]
        schools.sort(key=lambda s: (_STATUS_ORDER[s["status"]], -_closeness(s), s["org_number"]))
        municipalities.append(
            {
                "municipality": {"number": app.municipality.number, "name": app.municipality.name},
                "schools_met": sum(s["status"] == "met" for s in schools),
                "schools": schools,
            }
        )
    municipalities.sort(
        key=lambda m: (
            -m["schools_met"],
            -max((_closeness(s) for s in m["schools"] if s["status"] != "met"), default=-1e9),
            m["municipality"]["number"],
        )
    )
    return {
        "county": basis.county,
        "municipalities": municipalities,
        "schools_without_municipality": basis.unplaced,
    }


def _school(org: str, name: str, result: Mapping[str, Any] | None) -> dict[str, Any]:
    rows = (result or {}).get("evidence", {}).get("survey", [])
    years = [
        {
            "year": r["year"],
            "percent": r["percent"],
            "threshold": r["threshold"],
            # Only a published figure is high or not; an unknown year (suppressed, under
            # the minimum of respondents, missing) is neither.
            "high": None if r["status"] == "unknown" else r["status"] == "high",
        }
        for r in rows
    ]
    return {
        "org_number": org,
        "name": name,
        "status": result["status"] if result is not None else "unknown",
        "years": years,
    }


def _closeness(school: Mapping[str, Any]) -> float:
    """How near a school comes to K1: high years first, then the nearest other figure.

    Each high year counts 100 points; then the smallest gap (percent − threshold) of a
    published year that is not high, so 8,9 % against 9,0 % comes before 5,0 %.
    """
    years = school["years"]
    high = sum(y["high"] is True for y in years)
    gaps = [y["percent"] - y["threshold"] for y in years if y["high"] is False]
    unknown = sum(y["high"] is None for y in years)
    return high * 100 + unknown * 10 + (max(gaps) if gaps else -50.0)
