"""The SVG survey chart: well-formed, one bar per year, the threshold marked, a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from api.web.chart import survey_chart

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    {"year": 2017, "threshold": 9.6, "percent": 9.6, "status": "high", "respondents": 212},
    {"year": 2018, "threshold": 9.1, "percent": 4.8, "status": "not_high", "respondents": 171},
    {"year": 2019, "threshold": 9.0, "percent": None, "status": "unknown", "reason": "skjermet"},
]


def test_the_chart_is_svg_with_a_bar_and_a_threshold_per_year() -> None:
    root = ET.fromstring(survey_chart(ROWS, "Lade skole", "998145422"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    bars = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
    assert [b.get("class") for b in bars] == ["bar high", "bar not_high", "bar unknown"]
    thresholds = [line for line in root.iter(f"{SVG}line") if line.get("class") == "threshold"]
    assert len(thresholds) == 3
    # a figure exactly on its threshold reaches the threshold mark
    high, threshold_2017 = bars[0], thresholds[0]
    assert float(high.get("y") or 0) == float(threshold_2017.get("y1") or 1)
    # the lower figure's bar is lower than its threshold (y grows downwards)
    assert float(bars[1].get("y") or 0) > float(thresholds[1].get("y1") or 0)
    assert bars[2].get("fill") == "none"  # unknown: an outline, not a figure


def test_the_chart_tells_its_figures_in_text() -> None:
    root = ET.fromstring(survey_chart(ROWS, "Lade skole", "998145422"))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Mobbetall for Lade skole per år mot terskelen"
    assert desc is not None and desc.text is not None
    assert "2017: 9,6 %, terskel 9,6 % (høyt)" in desc.text
    assert "2019: ukjent (skjermet)" in desc.text
    assert root.get("aria-labelledby") == "diagram-998145422-t diagram-998145422-d"


def test_names_are_escaped() -> None:
    svg = survey_chart(ROWS, "<Skole & co>", "1")
    ET.fromstring(svg)
    assert "<Skole" not in svg


def test_no_rows_no_chart() -> None:
    assert survey_chart([], "Skole", "1") == ""
