"""Facts about Elevundersøkelsen: years with a high share of bullied pupils."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.facts.core import Derived, FactContext, fact, field_title, years_in
from engine.memo import IdentityMemo
from engine.text import format_number, join_list


def _dec(value: float | int) -> Decimal:
    # Decimal from the shortest repr: 6.6 + 3.0 is exactly 9.6, so a figure on the
    # threshold counts as high (floats would give 9.600000000000001 for some pairs).
    return Decimal(str(value))


_Thresholds = tuple[tuple[int, Decimal, float], ...]


def _make_thresholds(params: Mapping[str, Any], survey: Any) -> _Thresholds:
    margin = _dec(params["margin"])
    made = []
    for year in years_in(params):
        threshold = _dec(survey.national_average[year]) + margin
        made.append((year, threshold, float(threshold)))
    return tuple(made)


_thresholds_of: IdentityMemo[_Thresholds] = IdentityMemo(_make_thresholds)


def _thresholds(params: Mapping[str, Any], survey: Any) -> _Thresholds:
    """(year, threshold, the threshold as a float) for each of the criterion's years.

    The same for every school under one ruleset: made once per parameters and survey section.
    """
    return _thresholds_of.get(params, survey)


def _survey_rows(ctx: FactContext) -> tuple[list[dict[str, Any]], str | None]:
    """Each survey year's status: high, not high, or unknown (with why)."""
    school = ctx.subject
    surveys, source = school.bullying, None
    if surveys is None and ctx.survey_lookup is not None:
        found = ctx.survey_lookup(school.org_number)
        if found is not None:
            surveys, source = list(found.surveys), found.label
    by_year = {s.year: s for s in surveys or []}
    minimum = ctx.ruleset.survey.min_respondents
    rows = []
    for year, threshold, shown in _thresholds(ctx.params, ctx.ruleset.survey):
        row: dict[str, Any] = {"year": year, "threshold": shown, "percent": None}
        s = by_year.get(year)
        if s is None:
            row.update(status="unknown", reason="mangler")
        elif s.suppressed:
            row.update(status="unknown", reason="skjermet")
        elif s.percent is None:
            row.update(status="unknown", reason="ingen prosentandel")
        elif s.respondents is not None and s.respondents < minimum:
            row.update(status="unknown", reason=f"færre enn {minimum} svar", percent=s.percent)
        else:
            high = _dec(s.percent) >= threshold
            row.update(status="high" if high else "not_high", percent=s.percent)
        if s is not None:
            row["respondents"] = s.respondents
        rows.append(row)
    return rows, source


def _survey_fact(
    count: Callable[[list[dict[str, Any]]], int], unknown_counts: bool
) -> Callable[[FactContext], Derived]:
    def compute(ctx: FactContext) -> Derived:
        found = ctx.memo.get("survey")
        if found is None:  # the criterion's other survey fact has not read the rows yet
            found = ctx.memo["survey"] = _survey_summary(ctx)
        rows, evidence, texts, missing = found
        return Derived(count(rows), evidence, texts, missing if unknown_counts else [])

    return compute


def _survey_summary(
    ctx: FactContext,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], list[tuple[str, str]]]:
    """The rows, evidence, texts and missing items both survey facts of a criterion share."""
    rows, source = _survey_rows(ctx)
    described = []
    for r in rows:
        threshold = format_number(r["threshold"])
        if r["status"] == "unknown":
            described.append(f"{r['year']}: ukjent ({r['reason']})")
        else:
            mark = "høyt" if r["status"] == "high" else "ikke høyt"
            described.append(
                f"{r['year']}: {format_number(r['percent'])} % (terskel {threshold} %, {mark})"
            )
    path = f"{ctx.path}.bullying"
    missing = [
        (
            f"{path}[year={r['year']}]",
            f"{field_title(ctx.subject, 'bullying')} for {r['year']}"
            + ("" if r["reason"] == "mangler" else f" ({r['reason']})"),
        )
        for r in rows
        if r["status"] == "unknown"
    ]
    texts: dict[str, Any] = {
        "survey_figures": join_list(described) + (f" (kilde: {source})" if source else ""),
        "unknown_survey_years": sum(r["status"] == "unknown" for r in rows),
    }
    evidence: dict[str, Any] = {"survey": rows}
    if source:
        evidence["survey_source"] = source
    return rows, evidence, texts, missing


fact(
    "high_survey_years",
    ["school"],
    "int",
    "Antall år i «years» der publisert mobbeandel er minst landssnittet + «margin».",
    params={"years": "survey_years", "margin": "number"},
    texts=("survey_figures", "unknown_survey_years"),
)(_survey_fact(lambda rows: sum(r["status"] == "high" for r in rows), unknown_counts=True))

fact(
    "possible_high_survey_years",
    ["school"],
    "int",
    "Antall høye år pluss antall år uten publisert tall (det høyeste antallet som er mulig).",
    params={"years": "survey_years", "margin": "number"},
    texts=("survey_figures", "unknown_survey_years"),
)(_survey_fact(lambda rows: sum(r["status"] != "not_high" for r in rows), unknown_counts=True))
