"""Browser tests: the pages in Debian's Chromium (Playwright), against a real server process.

Each test saves a screenshot under var/screenshots/ (ignored by git) to look at.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import BrowserContext, FloatRect, Locator, Page, sync_playwright
from pypdf import PdfReader

from api.store.db import make_engine
from api.survey.parse import parse_survey_file
from api.survey.store import import_survey
from tests.api.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.api.web.conftest import CASEWORKER_KEY, KEYS, ROOT
from tests.survey_national import schools, write_export

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

SHOTS = ROOT / "var" / "screenshots"

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} mangler: kjør `make browser` (installerer Debians chromium) først.",
        pytrace=False,
    )


def _box(locator: Locator) -> FloatRect:
    """Where an element is drawn (it must be drawn)."""
    box = locator.bounding_box()
    assert box is not None, "the element is not drawn"
    return box


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`utvalg serve` with keys, the examples in its log and the generated national
    Elevundersøkelsen export in its database (for «Invitasjoner»); its base URL."""
    folder = tmp_path_factory.mktemp("server")
    with running_server(ROOT, folder, KEYS) as base:
        engine = make_engine(f"sqlite:///{folder / 'utvalg.db'}")
        export = write_export(folder / "eu.csv")
        import_survey(engine, parse_survey_file(str(export), name="eu.csv"))
        engine.dispose()
        yield base


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[BrowserContext]:
    """Chromium with a new, empty profile and JavaScript off, signed in through the form."""
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="nb-NO",
            java_script_enabled=False,  # the pages work without it (and have none)
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
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new tab; a full-page screenshot of it is saved when the test ends."""
    tab = context.new_page()
    try:
        yield tab
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
        tab.close()


def test_upload_an_example_and_see_it_recommended(page: Page, server: str) -> None:
    page.goto(server + "/vurdering")
    page.get_by_label("Søknadsfil (YAML eller JSON)").set_input_files(
        str(ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml")
    )
    page.get_by_role("button", name="Vurder filen").click()
    page.wait_for_url(re.compile(r".*/vurderinger/ev-"))
    outcome = page.locator("#utfall")
    assert outcome.inner_text().strip().endswith("Anbefalt")
    body = page.locator("main").inner_text()
    assert "Søknaden anbefales: alle krav er oppfylt" in body
    assert "Lade skole har høye mobbetall i 2 av årene 2017, 2018 og 2019" in body
    assert "9,6 % (terskel 9,6 %, høyt)" in body
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    assert _box(charts.first)["width"] > 100
    assert page.title().startswith("Anbefalt: Trondheim")


def test_an_invalid_form_shows_the_field_error_and_keeps_the_typed_values(
    page: Page, server: str
) -> None:
    page.goto(server + "/vurdering")
    page.get_by_label("Fylkesmannens embete (fylke)").select_option("50")
    page.get_by_label("Kommunenummer", exact=True).fill("50O1")
    page.get_by_label("Kommunens navn").fill("Trondheim")
    school = page.locator("#skole-0")
    school.get_by_label("Organisasjonsnummer", exact=True).fill("998145422")
    school.get_by_label("Skolens navn").fill("Lade skole")
    school.get_by_label("Andel mobbet 2017 (%) for skole 1").fill("9,6")
    school.get_by_label("Andel mobbet 2018 (%) for skole 1").fill("mye")
    # Enter in a field submits for evaluation (not an «add row» button)
    with page.expect_navigation():
        school.get_by_label("Andel mobbet 2018 (%) for skole 1").press("Enter")
    number = page.get_by_label("Kommunenummer", exact=True)
    assert number.input_value() == "50O1"
    assert number.get_attribute("aria-invalid") == "true"
    error = page.locator("#f-municipality-number-feil")
    assert "fire sifre" in error.inner_text()
    # the error is shown next to the field: just above it
    assert 0 < _box(number)["y"] - _box(error)["y"] < 80
    assert school.get_by_label("Andel mobbet 2018 (%) for skole 1").input_value() == "mye"
    assert "må være et tall" in page.locator("#f-schools-0-bullying-2018-percent-feil").inner_text()
    assert school.get_by_label("Andel mobbet 2017 (%) for skole 1").input_value() == "9,6"
    assert school.get_by_label("Skolens navn").input_value() == "Lade skole"
    assert page.get_by_label("Fylkesmannens embete (fylke)").input_value() == "50"
    summary = page.get_by_role("alert")
    assert "Søknaden ble ikke vurdert" in summary.inner_text()
    # the summary's link takes the keyboard to the field
    summary.get_by_role("link", name=re.compile("fire sifre")).click()
    assert page.evaluate("document.activeElement.id") == "f-municipality-number"
    page.locator("#feil-tittel").scroll_into_view_if_needed()


def test_rank_a_county_and_see_the_capacity_line(page: Page, server: str) -> None:
    page.goto(server + "/soknader")
    page.get_by_label("Fylke", exact=True).select_option("50")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r".*fylke=50.*"))
    rows = page.locator("table.ranking tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    line = [i for i, t in enumerate(texts) if t.startswith("Kapasitetsgrense")]
    assert line == [2], texts  # Trøndelag has capacity 2: the line follows rank 2
    assert texts[0].split()[0] == "1" and "Trondheim" in texts[0]
    assert texts[1].split()[0] == "2" and "Steinkjer" in texts[1]
    assert texts[3].split()[0] == "3" and "Orkland" in texts[3] and "Anbefalt" in texts[3]
    # the line is drawn, between the rows, across the table
    box = _box(page.locator("tr.capacity-line span"))
    assert box["width"] > 500
    assert _box(rows.nth(1))["y"] < box["y"] < _box(rows.nth(3))["y"]


def test_download_the_xlsx_and_read_its_rows(page: Page, server: str, tmp_path: Path) -> None:
    page.goto(server + "/soknader?fylke=18")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
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


def test_invitations_filter_chart_and_export(page: Page, server: str, tmp_path: Path) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name="Invitasjoner").click()
    page.get_by_label("Fylke").select_option("18")
    page.get_by_role("button", name="Vis").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Invitasjoner i Nordland"
    municipalities = page.locator("section.municipality h2")
    assert municipalities.count() == 2
    charts = page.locator("svg.chart")
    assert charts.count() == 10
    assert _box(charts.first)["width"] > 100  # drawn, not only present
    page.get_by_label("Skoler").select_option("met")
    page.get_by_role("button", name="Vis").click()
    statuses = page.locator("tr[data-status]")
    assert {statuses.nth(i).get_attribute("data-status") for i in range(statuses.count())} == {
        "met"
    }
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    download = info.value
    assert download.suggested_filename == "invitasjoner-pulje-5-fylke-18-met.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Kommunenr.", "Kommune", "Skoler som oppfyller K1", "Org.nr.", "Skole", "K1",
    )  # fmt: skip
    nordland = {s.org_number for s in schools() if s.municipality.startswith("18")}
    assert len(rows) - 1 == statuses.count()
    assert all(r[3] in nordland and r[5] == "oppfylt" for r in rows[1:])


def test_the_pages_work_with_the_keyboard(page: Page, server: str) -> None:
    page.goto(server + "/kriterier")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Hopp til innholdet"
    page.keyboard.press("Enter")
    assert page.url.endswith("#innhold")
    # the next stops are the menu links, in order
    page.goto(server + "/kriterier")
    stops = []
    for _ in range(4):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert stops == ["Hopp til innholdet", "Utvalg", "Kriterier", "Ny vurdering"]


def test_a_municipality_twice_is_one_case_judged_and_withdrawn(
    page: Page, server: str, tmp_path: Path
) -> None:
    # Vestland (46), which no other browser test ranks; the second file has no id
    text = (ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml").read_text(encoding="utf-8")
    text = text.replace('county: "50"', 'county: "46"').replace('number: "5001"', 'number: "4601"')
    text = text.replace("name: Trondheim", "name: Bergen")
    first, second = tmp_path / "bergen-1.yaml", tmp_path / "bergen-2.yaml"
    first.write_text(text.replace("id: trondheim-2020", "id: bergen-2020"), encoding="utf-8")
    second.write_text(text.replace("id: trondheim-2020\n", ""), encoding="utf-8")
    for path in (first, second):
        page.goto(server + "/vurdering")
        page.get_by_label("Søknadsfil (YAML eller JSON)").set_input_files(str(path))
        page.get_by_role("button", name="Vurder filen").click()
        page.wait_for_url(re.compile(r".*/vurderinger/ev-"))
    page.goto(server + "/soknader?fylke=46")
    assert page.locator("table.ranking tbody tr[data-rank]").count() == 1
    page.get_by_role("link", name="Bergen").click()
    page.wait_for_url(re.compile(r".*/saker/pulje-5:4601"))
    assert "2 versjoner" in page.locator("main").inner_text()

    page.get_by_label("Foreslås ikke").check()  # Bergen is recommended: this departs
    page.get_by_role("button", name="Registrer skjønn").click()
    error = page.locator("#feil-justification")
    assert error.inner_text() == "Skriv en begrunnelse for skjønnet."
    assert (
        page.get_by_label("Begrunnelse", exact=True).first.get_attribute("aria-invalid") == "true"
    )

    # with a justification: shown on the case page, in its PDF and beside it in the ranking
    why = "Embetet kjenner til at kommunen allerede har et tilsvarende tiltak."
    page.get_by_label("Foreslås ikke").check()
    page.get_by_label("Begrunnelse", exact=True).first.fill(why)
    page.get_by_role("button", name="Registrer skjønn").click()
    page.wait_for_url(re.compile(r".*/saker/pulje-5:4601#skjonn$"))
    judged = page.locator("#gjeldende-skjonn").inner_text()
    assert "Foreslås ikke" in judged and why in judged and "avviker" in judged
    pdf = page.request.get(server + "/saker/pulje-5:4601/dokument.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert why in " ".join(extracted.split())
    page.goto(server + "/soknader?fylke=46")
    assert "Foreslås ikke" in page.locator("table.ranking tbody tr[data-rank]").inner_text()
    page.get_by_role("link", name="Bergen").click()

    page.get_by_label("Trukket").check()
    page.locator("#f-reason").fill("Kommunen trakk søknaden i brev.")
    page.get_by_role("button", name="Lagre status").click()
    assert "Saken er trukket" in page.locator("main").inner_text()
    page.goto(server + "/soknader?fylke=46")
    assert "Bergen" not in page.locator("main").inner_text()
