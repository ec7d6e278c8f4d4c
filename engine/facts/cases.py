"""Facts about the office's learning-environment cases (klagesaker and others) per school."""

from __future__ import annotations

from typing import Any

from engine.facts.core import Derived, FactContext, fact, field_title, years_in
from engine.text import join_list


@fact(
    "qualifying_cases",
    ["school"],
    "int",
    "Antall saker i årene «years» som er klagesaker, komplekse, "
    "eller åpne minst «min_months_open» måneder.",
    params={"years": "year_list", "min_months_open": "int"},
    texts=("case_list", "cases_total"),
)
def qualifying_cases(ctx: FactContext) -> Derived:
    """Cases within the years that are complaints, complex, or long-running."""
    cases, source = ctx.from_records("cases")
    if cases is None:
        return Derived(None, {}, {}, [(f"{ctx.path}.cases", field_title(ctx.subject, "cases"))])
    years = years_in(ctx.params)
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
    evidence: dict[str, Any] = {
        "cases": [
            {"year": c.year, "kind": c.kind, "complex": c.complex, "months_open": c.months_open}
            for c, _ in found
        ]
    }
    texts = {
        "case_list": join_list(f"{c.year}: {', '.join(r)}" for c, r in found),
        "cases_total": len(cases),
    }
    if source:
        evidence["cases_source"] = source
    return Derived(len(found), evidence, texts, source=source)
