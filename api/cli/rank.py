"""`utvalg rank FILE…`: evaluate, then rank per county with the capacity line (CONTRACT 4)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace

from api.cli.parallel import rank_inputs
from api.cli.shared import load_rounds_or_exit, print_diagnostics, width_cut
from engine import Location, Ranking, RuleSet, municipality_clashes, rank
from engine.ranking import RankedApplication


def cmd_rank(args: argparse.Namespace) -> int:
    """`utvalg rank`: evaluate, then rank per county with capacity."""
    rulesets = load_rounds_or_exit(args.rules)
    apps = rank_inputs(args.files, rulesets)
    rounds = sorted({a.round for a in apps})
    if len(rounds) > 1:
        print(
            f"Søknadene gjelder flere runder ({', '.join(rounds)}); ranger én runde om gangen.",
            file=sys.stderr,
        )
        return 2
    clashes = municipality_clashes(apps, args.files)
    if clashes:
        print_diagnostics(replace(d, location=Location(args.files[i])) for i, d in clashes)
        print("Ingen søknader ble rangert: rett feilene over og prøv igjen.", file=sys.stderr)
        return 2
    ruleset = rulesets[rounds[0]]
    ranking = rank([a.rankable for a in apps], ruleset)
    if args.format == "json":
        print(json.dumps(ranking.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(format_ranking(ranking, ruleset, apps), end="")
    return 0


def format_ranking(
    ranking: Ranking, ruleset: RuleSet, applications: Sequence[RankedApplication]
) -> str:
    """Each county's ranking with the capacity line drawn after the last place within it.

    Each row names the municipality and its received date, so that a tie can be explained
    (CONTRACT 4: outcome, score, received date, then municipality number).
    """
    by_id = {str(a.id): a for a in applications if a.id}
    out: list[str] = []
    labels = ruleset.labels.outcome
    for county in ranking.counties:
        name = ruleset.counties[county.county].name
        out.append(f"Fylke {county.county} {name} – kapasitet {county.capacity}")
        out.append(
            f"  {'Nr.':<4} {'Kommune':<26} {'Mottatt':<10} {'Utfall':<15} {'Poeng':>5}  "
            f"{'Innenfor':<8}  Søknad"
        )
        last_within = max((e.rank for e in county.ranking if e.within_capacity), default=0)
        for entry in county.ranking:
            app = by_id.get(entry.application_id)
            municipality = f"{app.municipality.number} {app.municipality.name}" if app else ""
            received = app.received.strftime("%d.%m.%Y") if app and app.received else "mangler"
            mark = "ja" if entry.within_capacity else "nei"
            out.append(
                f"  {entry.rank:<4} {width_cut(municipality, 26):<26} {received:<10} "
                f"{labels[entry.outcome]:<15} {entry.score:>5}  {mark:<8}  {entry.application_id}"
            )
            if entry.rank == last_within:
                out.append("  " + "-" * 30 + " kapasitetsgrense " + "-" * 30)
        out.append("")
    return "\n".join(out).rstrip() + "\n"
