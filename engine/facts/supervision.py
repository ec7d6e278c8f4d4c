"""Facts about supervisions (tilsyn) and the deficiencies they found."""

from __future__ import annotations

from typing import Any

from engine.facts.core import Derived, FactContext, fact, field_title, years_in
from engine.text import join_list

_DEFICIENCY_NAMES = {"practice": "praksis", "routines": "rutiner", "system": "system"}


@fact(
    "deficient_supervisions",
    ["municipality", "school", "kindergarten"],
    "int",
    "Antall tilsyn i årene «years» som fant avvik (praksis, rutiner eller system).",
    params={"years": "year_list"},
    texts=("supervision_list", "supervisions_total"),
)
def deficient_supervisions(ctx: FactContext) -> Derived:
    """Supervisions within the years that found at least one deficiency."""
    supervisions, source = ctx.from_records("supervision")
    if supervisions is None:
        return Derived(
            None, {}, {}, [(f"{ctx.path}.supervision", field_title(ctx.subject, "supervision"))]
        )
    years = years_in(ctx.params)
    found = [s for s in supervisions if s.year in years and s.deficiencies]
    listed = [
        f"{s.year} ({join_list(_DEFICIENCY_NAMES[d] for d in dict.fromkeys(s.deficiencies))})"
        for s in found
    ]
    evidence: dict[str, Any] = {
        "supervisions": [
            {"year": s.year, "deficiencies": list(dict.fromkeys(s.deficiencies))} for s in found
        ]
    }
    texts = {"supervision_list": join_list(listed), "supervisions_total": len(supervisions)}
    if source:
        evidence["supervision_source"] = source
    return Derived(len(found), evidence, texts, source=source)
