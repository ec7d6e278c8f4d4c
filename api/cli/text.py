"""Plain-text rendering of decisions and rankings for the terminal (Norwegian)."""

from __future__ import annotations

from engine import Decision, Ranking, RuleSet


def _width_cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_decision(decision: Decision, ruleset: RuleSet) -> str:
    """One application as a small table: outcome, score, a line per criterion and unit."""
    status_label = ruleset.labels.status
    lines = [
        f"Søknad {decision.application_id}: {decision.label.upper()} (poeng {decision.score})",
        f"  {decision.summary}",
        f"  Regelsett {decision.ruleset.id} {decision.ruleset.version} "
        f"({decision.ruleset.digest[:19]})",
        "",
        f"  {'Krit.':<6} {'Gjelder':<34} {'Status':<13} Forklaring",
    ]
    for r in decision.criteria:
        lines.append(
            f"  {r.criterion:<6} {_width_cut(r.subject.name, 34):<34} "
            f"{status_label[r.status]:<13} {r.explanation}"
        )
    if decision.units:
        lines += ["", f"  {'Enhet':<40} {'Org.nr.':<10} Status"]
        for u in decision.units:
            lines.append(f"  {_width_cut(u.name, 40):<40} {u.org_number:<10} {u.label}")
    for w in decision.warnings:
        lines.append(f"  Merk: {w}")
    return "\n".join(lines)


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
                f"  {entry.rank:<4} {_width_cut(entry.application_id, 28):<28} "
                f"{labels[entry.outcome]:<15} {entry.score:>5}  {mark}"
            )
            if entry.rank == last_within:
                out.append("  " + "-" * 20 + " kapasitetsgrense " + "-" * 20)
        out.append("")
    return "\n".join(out).rstrip() + "\n"
