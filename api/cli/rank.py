"""`utvalg rank FILE…`: evaluate, then rank per county with the capacity line (CONTRACT 4)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from api.cli.evaluate import evaluate_files
from api.cli.shared import print_diagnostics, width_cut
from engine import Location, Ranking, RuleSet, municipality_clashes, rank, rankable


def cmd_rank(args: argparse.Namespace) -> int:
    """`utvalg rank`: evaluate, then rank per county with capacity."""
    rulesets, apps, decisions = evaluate_files(args.files, args.rules)
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
    ranking = rank([rankable(a, d) for a, d in zip(apps, decisions, strict=True)], ruleset)
    if args.format == "json":
        print(json.dumps(ranking.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(format_ranking(ranking, ruleset), end="")
    return 0


def format_ranking(ranking: Ranking, ruleset: RuleSet) -> str:
    """Each county's ranking with the capacity line drawn after the last place within it."""
    out: list[str] = []
    labels = ruleset.labels.outcome
    for county in ranking.counties:
        name = ruleset.counties[county.county].name
        out.append(f"Fylke {county.county} {name} – kapasitet {county.capacity}")
        out.append(f"  {'Nr.':<4} {'Søknad':<28} {'Utfall':<15} {'Poeng':>5}  Innenfor")
        last_within = max((e.rank for e in county.ranking if e.within_capacity), default=0)
        for entry in county.ranking:
            mark = "ja" if entry.within_capacity else ""
            out.append(
                f"  {entry.rank:<4} {width_cut(entry.application_id, 28):<28} "
                f"{labels[entry.outcome]:<15} {entry.score:>5}  {mark}"
            )
            if entry.rank == last_within:
                out.append("  " + "-" * 20 + " kapasitetsgrense " + "-" * 20)
        out.append("")
    return "\n".join(out).rstrip() + "\n"
