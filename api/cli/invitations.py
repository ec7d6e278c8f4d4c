"""`utvalg invitations --county 50`: a county's invitation candidates from imported figures."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from api.cli.shared import load_rounds_or_exit
from api.invitations import candidates, decide_here, invitation_basis, stored_places
from api.settings import Settings
from api.store.db import make_engine, migrate
from engine.text import format_number, plural

_STATUS = {"met": "oppfylt", "not_met": "ikke oppfylt", "unknown": "ukjent"}


def cmd_invitations(args: argparse.Namespace) -> int:
    """Print the list as text or as the contract's JSON; exit 2 for an unknown round or county."""
    rulesets = load_rounds_or_exit(args.rules)
    round_id = args.round or (next(iter(rulesets)) if len(rulesets) == 1 else None)
    if round_id not in rulesets:
        known = ", ".join(sorted(rulesets))
        print(
            f"utvalg invitations: feil: oppgi runden med --round (kjente: {known})",
            file=sys.stderr,
        )
        return 2
    ruleset = rulesets[round_id]
    if args.county not in ruleset.counties:
        known = ", ".join(ruleset.counties)
        print(
            f"utvalg invitations: feil: fylket «{args.county}» er ikke med i regelsettet "
            f"{ruleset.id} (kjente fylker: {known})",
            file=sys.stderr,
        )
        return 2
    engine = make_engine(Settings().resolved_database_url())
    try:
        migrate(engine)
        basis = invitation_basis(ruleset, args.county, stored_places(engine))
        listed = candidates(ruleset, basis, decide_here(engine, ruleset, basis))
    finally:
        engine.dispose()
    if args.format == "json":
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        print("\n".join(text_lines(listed)))
    return 0


def _year(y: dict[str, Any]) -> str:
    threshold = format_number(y["threshold"])
    if y["percent"] is None or y["high"] is None:
        return f"{y['year']}: ukjent (terskel {threshold} %)"
    mark = "høyt" if y["high"] else "ikke høyt"
    return f"{y['year']}: {format_number(y['percent'])} % (terskel {threshold} %, {mark})"


def text_lines(listed: dict[str, Any]) -> list[str]:
    """The list as readable Norwegian lines, one block per municipality."""
    municipalities = listed["municipalities"]
    out = [
        f"Fylke {listed['county']}: {plural(len(municipalities), 'kommune', 'kommuner')} "
        "med skoler som har tall fra Elevundersøkelsen."
    ]
    for m in municipalities:
        ref = m["municipality"]
        count = len(m["schools"])
        out.append("")
        out.append(
            f"{ref['number']} {ref['name']}: {m['schools_met']} av "
            f"{plural(count, 'skole', 'skoler')} oppfyller K1"
        )
        for s in m["schools"]:
            years = "; ".join(_year(y) for y in s["years"])
            out.append(f"  {s['org_number']} {s['name']} – {_STATUS[s['status']]}: {years}")
    unplaced = listed["schools_without_municipality"]
    if unplaced:
        out.append("")
        out.append(
            f"{plural(len(unplaced), 'skole', 'skoler')} uten kommune (verken uttrekket eller "
            "skoleregisteret oppgir kommunen):"
        )
        out += [f"  {s['org_number']} {s['name']}" for s in unplaced]
    return out
