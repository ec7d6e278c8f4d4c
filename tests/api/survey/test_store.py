"""Storing imported survey figures: idempotence, updates, all-or-nothing, and use in K1."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.store.db import make_engine, migrate
from api.survey.parse import parse_survey_file
from api.survey.store import (
    SurveyFigure,
    SurveyImport,
    figure_count,
    import_survey,
    source_label,
    stored_figures,
    survey_lookup_for,
)
from engine import evaluate, parse_application
from tests.builders import SCHOOL_A, SCHOOL_B, baseline, ruleset
from tests.survey_export import national_rows, row, sample_rows, write_csv

AVERAGES = {2017: 6.6, 2018: 6.1, 2019: 6.0}
JAN_15 = dt.datetime(2020, 1, 15, 9, 30, tzinfo=dt.UTC)
FEB_20 = dt.datetime(2020, 2, 20, 23, 30, tzinfo=dt.UTC)  # 21 February in Oslo


def _import(engine: Engine, path: Path, when: dt.datetime = JAN_15) -> Any:
    parsed = parse_survey_file(str(path), name=path.name)
    return import_survey(
        engine, parsed, national_averages={"pulje-5": AVERAGES}, imported_by="test", now=when
    )


def _state(engine: Engine) -> tuple[list[tuple[Any, ...]], int]:
    with Session(engine) as session:
        figures = session.execute(
            select(
                SurveyFigure.org_number,
                SurveyFigure.year,
                SurveyFigure.indicator,
                SurveyFigure.percent,
                SurveyFigure.respondents,
                SurveyFigure.suppressed,
                SurveyFigure.import_id,
            ).order_by(SurveyFigure.org_number, SurveyFigure.year, SurveyFigure.import_id)
        ).all()
        imports = session.scalar(select(func.count()).select_from(SurveyImport)) or 0
    return [tuple(f) for f in figures], imports


def test_import_reports_counts_and_stores_school_figures(
    survey_engine: Engine, tmp_path: Path
) -> None:
    report = _import(survey_engine, write_csv(tmp_path / "elevundersokelsen.csv", sample_rows()))
    assert not report.already_imported
    assert (report.rows_read, report.imported, report.suppressed) == (16, 7, 1)
    assert (report.skipped, report.county_rows, len(report.national)) == (3, 3, 3)
    assert (report.inserted, report.updated, report.unchanged) == (7, 0, 0)
    assert report.warnings == []
    figures = stored_figures(survey_engine, [SCHOOL_A, SCHOOL_B, "999999999"])
    assert sorted(figures) == [SCHOOL_A, SCHOOL_B]
    a = {f.year: (f.percent, f.respondents, f.suppressed) for f in figures[SCHOOL_A]}
    assert a == {
        2016: (9.9, 101, False),
        2017: (10.4, 1234, False),
        2018: (None, None, True),
        2019: (9.1, 97, False),
    }
    assert {f.file_name for f in figures[SCHOOL_A]} == {"elevundersokelsen.csv"}
    assert "Rader lest: 16" in "\n".join(report.lines())


def test_the_same_file_again_changes_nothing(survey_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eu.csv", sample_rows())
    first = _import(survey_engine, path)
    before = _state(survey_engine)
    again = _import(survey_engine, path, when=FEB_20)
    assert again.already_imported
    assert again.import_id == first.import_id
    assert again.imported_at == first.imported_at
    assert (again.inserted, again.updated) == (0, 0)
    assert _state(survey_engine) == before
    assert "allerede importert" in again.lines()[0]


def test_a_newer_file_updates_its_figures_and_keeps_the_rest(
    survey_engine: Engine, tmp_path: Path
) -> None:
    first = _import(survey_engine, write_csv(tmp_path / "eu-2019.csv", sample_rows()))
    newer = [
        *national_rows({2019: "6,0", 2020: "5,8"}),
        row(2019, SCHOOL_A, "9,3", "99"),  # corrected
        row(2018, SCHOOL_A, "*", "*"),  # the same as before
        row(2020, SCHOOL_A, "11,0", "95"),  # a new year
    ]
    second = _import(survey_engine, write_csv(tmp_path / "eu-2020.csv", newer), when=FEB_20)
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 1)
    assert second.import_id != first.import_id
    figures, imports = _state(survey_engine)
    assert imports == 2
    # every import's figure stays; the newest import's is the one in use
    assert [f[3:] for f in figures if f[0] == SCHOOL_A and f[1] == 2019] == [
        (9.1, 97, False, first.import_id),
        (9.3, 99, False, second.import_id),
    ]
    assert figure_count(survey_engine) == 8  # 7 from the first file, 1 new year
    in_use = {f.year: f.percent for f in stored_figures(survey_engine, [SCHOOL_A])[SCHOOL_A]}
    assert in_use == {2016: 9.9, 2017: 10.4, 2018: None, 2019: 9.3, 2020: 11.0}
    by_year = {f[1]: f for f in figures if f[0] == SCHOOL_A}  # the last row per year: newest
    assert by_year[2017][3:] == (10.4, 1234, False, first.import_id)
    assert by_year[2018][3:] == (None, None, True, first.import_id)
    assert by_year[2019][3:] == (9.3, 99, False, second.import_id)
    assert by_year[2020][3:] == (11.0, 95, False, second.import_id)
    source = survey_lookup_for(survey_engine, [_application(typed_in=False)])(SCHOOL_A)
    assert source is not None
    assert source.label == (
        "Elevundersøkelsen, import 2020-01-15 av fil eu-2019.csv "
        "og import 2020-02-21 av fil eu-2020.csv"
    )


def test_a_failing_import_leaves_nothing_behind(survey_engine: Engine, tmp_path: Path) -> None:
    _import(survey_engine, write_csv(tmp_path / "eu.csv", sample_rows()))
    before = _state(survey_engine)
    good = parse_survey_file(str(write_csv(tmp_path / "ny.csv", sample_rows(), bom=False)))
    changed = [dataclasses.replace(f, percent=1.0) for f in good.schools]
    # The parser never yields this; the database's own check refuses it at the very end.
    broken = dataclasses.replace(changed[-1], org_number="974760673", percent=250.0)
    parsed = dataclasses.replace(good, schools=[*changed, broken])
    with pytest.raises(IntegrityError):
        import_survey(survey_engine, parsed)
    assert _state(survey_engine) == before


def test_national_figures_that_differ_from_the_ruleset_give_a_warning(
    survey_engine: Engine, tmp_path: Path
) -> None:
    rows = [*national_rows({2018: "6,1", 2019: "6,4"}), row(2019, SCHOOL_A, "7,0")]
    report = _import(survey_engine, write_csv(tmp_path / "eu.csv", rows))
    [warning] = report.warnings
    assert "2019" in warning and "6,4 %" in warning and "6,0 %" in warning
    assert report.national == [
        {"year": 2018, "indicator": "EUIndeks_1398", "percent": 6.1, "respondents": 120000,
         "suppressed": False},
        {"year": 2019, "indicator": "EUIndeks_1398", "percent": 6.4, "respondents": 120000,
         "suppressed": False},
    ]  # fmt: skip
    assert any(line.startswith("  Advarsel: ") for line in report.lines())


def test_source_label_uses_the_date_in_norway() -> None:
    assert source_label("a.csv", FEB_20) == "Elevundersøkelsen, import 2020-02-21 av fil a.csv"


# --- use in decisions -------------------------------------------------------------------

TYPED_IN = {
    SCHOOL_A: [
        {"year": 2016, "percent": 9.9, "respondents": 101},
        {"year": 2017, "percent": 10.4, "respondents": 1234},
        {"year": 2018, "suppressed": True},
        {"year": 2019, "percent": 9.1, "respondents": 97},
    ],
    SCHOOL_B: [
        {"year": 2017, "percent": 3.0, "respondents": 40},
        {"year": 2018, "percent": 2.5, "respondents": 41},
        {"year": 2019, "percent": 12.0, "respondents": 8},
    ],
}


def _application(*, typed_in: bool) -> Any:
    data = baseline()
    for school in data["schools"]:
        if typed_in:
            school["bullying"] = TYPED_IN[school["org_number"]]
        else:
            del school["bullying"]
    return parse_application(data)


def _k1(decision: Any) -> dict[str, Any]:
    return {r.subject.id: r for r in decision.criteria if r.criterion == "K1"}


def test_imported_figures_decide_k1_like_typed_in_figures(
    survey_engine: Engine, tmp_path: Path
) -> None:
    _import(survey_engine, write_csv(tmp_path / "elevundersokelsen.csv", sample_rows()))
    rules = ruleset()
    app = _application(typed_in=False)
    imported = _k1(evaluate(app, rules, survey_lookup=survey_lookup_for(survey_engine, [app])))
    typed = _k1(evaluate(_application(typed_in=True), rules))
    label = "Elevundersøkelsen, import 2020-01-15 av fil elevundersokelsen.csv"
    assert imported[SCHOOL_A].status == typed[SCHOOL_A].status == "met"
    assert imported[SCHOOL_B].status == typed[SCHOOL_B].status == "not_met"
    for org in (SCHOOL_A, SCHOOL_B):
        evidence = dict(imported[org].evidence)
        assert evidence.pop("survey_source") == label
        assert evidence == typed[org].evidence
        assert "survey_source" not in typed[org].evidence
        assert imported[org].missing == typed[org].missing
        assert f"(kilde: {label})" in imported[org].explanation
        assert imported[org].explanation.replace(f" (kilde: {label})", "") == (
            typed[org].explanation
        )


def test_figures_in_the_application_take_precedence(survey_engine: Engine, tmp_path: Path) -> None:
    _import(survey_engine, write_csv(tmp_path / "eu.csv", sample_rows()))
    app = parse_application(baseline())  # low figures typed in for both schools
    lookup = survey_lookup_for(survey_engine, [app])
    assert lookup.sources == {}  # nothing fetched: every school has its own figures
    decision = evaluate(app, ruleset(), survey_lookup=lookup)
    for result in _k1(decision).values():
        assert result.status == "not_met"
        assert "survey_source" not in result.evidence


def test_a_school_without_imported_figures_stays_unknown(survey_engine: Engine) -> None:
    app = _application(typed_in=False)
    lookup = survey_lookup_for(survey_engine, [app])
    assert lookup(SCHOOL_A) is None
    result = _k1(evaluate(app, ruleset(), survey_lookup=lookup))[SCHOOL_A]
    assert result.status == "unknown"
    assert "survey_source" not in result.evidence


def test_without_a_ruleset_there_is_nothing_to_compare_with(
    survey_engine: Engine, tmp_path: Path
) -> None:
    rows = [*national_rows({2019: "9,9"}), row(2019, SCHOOL_A, "7,0")]
    parsed = parse_survey_file(str(write_csv(tmp_path / "eu.csv", rows)))
    report = import_survey(survey_engine, parsed)
    assert report.warnings == []
    assert report.national[0]["percent"] == 9.9


@pytest.fixture
def survey_engine(database_url: str) -> Iterator[Engine]:
    """A fresh, migrated database: SQLite, then PostgreSQL (`database_url` in conftest)."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
