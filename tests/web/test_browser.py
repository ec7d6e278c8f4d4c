"""Browser tests: the pages in Debian's Chromium (Playwright), against a real server process.

Each test saves a screenshot under var/screenshots/ (ignored by git) to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.web.conftest import CASEWORKER_KEY, KEYS, ROOT

playwright_api = pytest.importorskip("playwright.sync_api")
SHOTS = ROOT / "var" / "screenshots"

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} mangler: kjør `make browser` (installerer Debians chromium) først.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`utvalg serve` with keys, the examples in its log; its base URL."""
    with running_server(ROOT, tmp_path_factory.mktemp("server"), KEYS) as base:
        yield base


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[object]:
    """Chromium with a new, empty profile, signed in as a caseworker through the form."""
    with playwright_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="nb-NO",
        )
        page = ctx.new_page()
        page.goto(server + "/kriterier")
        assert "/logg-inn" in page.url  # sent to sign in first
        page.get_by_label("API-nøkkel").fill(CASEWORKER_KEY)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(server + "/kriterier")
        page.close()
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def page(context: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A new tab; a full-page screenshot of it is saved when the test ends."""
    tab = context.new_page()  # type: ignore[attr-defined]
    try:
        yield tab
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
        tab.close()


def test_upload_an_example_and_see_it_recommended(page: object, server: str) -> None:
    p = page
    p.goto(server + "/vurdering")  # type: ignore[attr-defined]
    p.get_by_label("Søknadsfil (YAML eller JSON)").set_input_files(  # type: ignore[attr-defined]
        str(ROOT / "examples" / "trondheim-2020.yaml")
    )
    p.get_by_role("button", name="Vurder filen").click()  # type: ignore[attr-defined]
    p.wait_for_url(re.compile(r".*/vurderinger/ev-"))  # type: ignore[attr-defined]
    outcome = p.locator("#utfall")  # type: ignore[attr-defined]
    assert outcome.inner_text().strip().endswith("Anbefalt")
    body = p.locator("main").inner_text()  # type: ignore[attr-defined]
    assert "Søknaden anbefales: alle krav er oppfylt" in body
    assert "Lade skole har høye mobbetall i 2 av årene 2017, 2018 og 2019" in body
    assert "9,6 % (terskel 9,6 %, høyt)" in body
    charts = p.locator("svg.chart")  # type: ignore[attr-defined]
    assert charts.count() == 3
    assert charts.first.bounding_box()["width"] > 100
    assert p.title().startswith("Anbefalt: Trondheim")  # type: ignore[attr-defined]


def test_an_invalid_form_shows_the_field_error_and_keeps_the_typed_values(
    page: object, server: str
) -> None:
    p = page
    p.goto(server + "/vurdering")  # type: ignore[attr-defined]
    p.get_by_label("Statsforvalterens embete (fylke)").select_option("50")  # type: ignore[attr-defined]
    p.get_by_label("Kommunenummer", exact=True).fill("50O1")  # type: ignore[attr-defined]
    p.get_by_label("Kommunens navn").fill("Trondheim")  # type: ignore[attr-defined]
    school = p.locator("#skole-0")  # type: ignore[attr-defined]
    school.get_by_label("Organisasjonsnummer", exact=True).fill("998145422")
    school.get_by_label("Skolens navn").fill("Lade skole")
    school.get_by_label("Andel mobbet 2017 (%) for skole 1").fill("9,6")
    school.get_by_label("Andel mobbet 2018 (%) for skole 1").fill("mye")
    # Enter in a field submits for evaluation (not an «add row» button)
    school.get_by_label("Andel mobbet 2018 (%) for skole 1").press("Enter")
    p.wait_for_load_state()  # type: ignore[attr-defined]
    number = p.get_by_label("Kommunenummer", exact=True)  # type: ignore[attr-defined]
    assert number.input_value() == "50O1"
    assert number.get_attribute("aria-invalid") == "true"
    error = p.locator("#f-municipality-number-feil")  # type: ignore[attr-defined]
    assert "fire sifre" in error.inner_text()
    # the error is shown next to the field: just above it
    assert 0 < number.bounding_box()["y"] - error.bounding_box()["y"] < 80
    assert school.get_by_label("Andel mobbet 2018 (%) for skole 1").input_value() == "mye"
    assert "må være et tall" in p.locator("#f-schools-0-bullying-2018-percent-feil").inner_text()  # type: ignore[attr-defined]
    assert school.get_by_label("Andel mobbet 2017 (%) for skole 1").input_value() == "9,6"
    assert school.get_by_label("Skolens navn").input_value() == "Lade skole"
    assert p.get_by_label("Statsforvalterens embete (fylke)").input_value() == "50"  # type: ignore[attr-defined]
    summary = p.get_by_role("alert")  # type: ignore[attr-defined]
    assert "Søknaden ble ikke vurdert" in summary.inner_text()
    # the summary's link takes the keyboard to the field
    summary.get_by_role("link", name=re.compile("fire sifre")).click()
    assert p.evaluate("document.activeElement.id") == "f-municipality-number"  # type: ignore[attr-defined]
    p.locator("#feil-tittel").scroll_into_view_if_needed()  # type: ignore[attr-defined]


def test_rank_a_county_and_see_the_capacity_line(page: object, server: str) -> None:
    p = page
    p.goto(server + "/soknader")  # type: ignore[attr-defined]
    p.get_by_label("Fylke", exact=True).select_option("50")  # type: ignore[attr-defined]
    p.get_by_role("button", name="Vis").click()  # type: ignore[attr-defined]
    p.wait_for_url(re.compile(r".*fylke=50.*"))  # type: ignore[attr-defined]
    rows = p.locator("table.ranking tbody tr")  # type: ignore[attr-defined]
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    line = [i for i, t in enumerate(texts) if t.startswith("Kapasitetsgrense")]
    assert line == [2], texts  # Trøndelag has capacity 2: the line follows rank 2
    assert texts[0].split()[0] == "1" and "Trondheim" in texts[0]
    assert texts[1].split()[0] == "2" and "Steinkjer" in texts[1]
    assert texts[3].split()[0] == "3" and "Orkland" in texts[3] and "Anbefalt" in texts[3]
    # the line is drawn, between the rows, across the table
    box = p.locator("tr.capacity-line span").bounding_box()  # type: ignore[attr-defined]
    assert box["width"] > 500
    assert rows.nth(1).bounding_box()["y"] < box["y"] < rows.nth(3).bounding_box()["y"]


def test_download_the_xlsx_and_read_its_rows(page: object, server: str, tmp_path: Path) -> None:
    p = page
    p.goto(server + "/soknader?fylke=18")  # type: ignore[attr-defined]
    with p.expect_download() as info:  # type: ignore[attr-defined]
        p.get_by_role("link", name="Excel (.xlsx)").click()  # type: ignore[attr-defined]
    download = info.value
    assert download.suggested_filename == "soknader-pulje-5-fylke-18.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:9] == (
        "Rang", "Søknad", "Kommunenr.", "Kommune", "Fylke", "Mottatt", "Utfall", "Poeng",
        "Innenfor kapasitet",
    )  # fmt: skip
    assert [r[1] for r in rows[1:]] == [
        "rana-2020",
        "bodo-2020",
        "sortland-2020",
        "vestvagoy-2020",
        "vefsn-2020",
        "narvik-2020",
    ]
    assert rows[1][:9] == (1, "rana-2020", "1833", "Rana", "18", "2020-01-15", "Anbefalt", 6, "Ja")
    assert [r[8] for r in rows[2:]] == ["Nei"] * 5
    assert len(rows[0]) == 9 + 7  # one column per criterion: FRIST, K1–K6


def test_the_pages_work_with_the_keyboard(page: object, server: str) -> None:
    p = page
    p.goto(server + "/kriterier")  # type: ignore[attr-defined]
    p.keyboard.press("Tab")  # type: ignore[attr-defined]
    skip = p.locator(":focus")  # type: ignore[attr-defined]
    assert skip.inner_text() == "Hopp til innholdet"
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert p.url.endswith("#innhold")  # type: ignore[attr-defined]
    # the next stops are the menu links, in order
    p.goto(server + "/kriterier")  # type: ignore[attr-defined]
    stops = []
    for _ in range(4):
        p.keyboard.press("Tab")  # type: ignore[attr-defined]
        stops.append(p.evaluate("document.activeElement.textContent.trim()"))  # type: ignore[attr-defined]
    assert stops == ["Hopp til innholdet", "Utvalg", "Kriterier", "Ny vurdering"]
