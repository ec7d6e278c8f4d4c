"""Browser test: judge a county's cases, lock its submission, see it in «Nasjonal oversikt»,
download the national workbook; a reader cannot lock.

Against a real `utvalg serve` (keys for an approver and a reader, the examples seeded) in
Debian's Chromium without JavaScript; screenshots are saved under var/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, sync_playwright

from tests.api.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.api.web.conftest import ROOT

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

SHOTS = ROOT / "var" / "screenshots"
APPROVER_KEY = "godkjenner-nokkel-0123456789abcdef"
READER_KEY = "leser-nokkel-0123456789abcdef"
KEYS = f"godkjenner:approver:{APPROVER_KEY},leser:reader:{READER_KEY}"
WHY = "Embetet har vurdert søknaden og kjenner kommunens arbeid godt."

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} mangler: kjør `make browser` (installerer Debians chromium) først.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`utvalg serve` with an approver's and a reader's key and the examples; its base URL."""
    folder = tmp_path_factory.mktemp("submissions-server")
    with running_server(ROOT, folder, KEYS) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright."""
    with sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield found
        finally:
            found.close()


def _signed_in(browser: Browser, server: str, key: str) -> Page:
    """A tab of a new context (its own cookies) signed in with `key` through the form."""
    context = browser.new_context(
        locale="nb-NO",
        java_script_enabled=False,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.goto(server + "/innstilling")
    assert "/logg-inn" in page.url
    page.get_by_label("API-nøkkel").fill(key)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(server + "/innstilling")
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _judge_from_the_blockers(page: Page) -> int:
    """Judge every case the «Innstilling» page lists as blocking, by its link; how many."""
    back = page.url
    judged = 0
    while page.locator("#hindrer li a").count():
        page.locator("#hindrer li a").first.click()
        page.wait_for_url(re.compile(r".*/saker/pulje-5:\d{4}$"))
        computed = page.locator("#skjonn form strong").first.inner_text()
        page.get_by_label(
            "Foreslås ikke" if computed != "Anbefalt" else "Foreslås", exact=True
        ).check()
        page.get_by_label("Begrunnelse", exact=True).first.fill(WHY)
        page.get_by_role("button", name="Registrer skjønn").click()
        page.wait_for_url(re.compile(r".*#skjonn$"))
        assert WHY in page.locator("#gjeldende-skjonn").inner_text()
        page.goto(back)
        judged += 1
    return judged


def test_judge_lock_see_it_nationally_and_download_the_workbook(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    page = _signed_in(browser, server, APPROVER_KEY)
    page.get_by_label("Fylke").select_option("18")
    page.get_by_role("button", name="Vis").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Innstilling fra Nordland"
    assert page.locator("#hindrer li").count() == 6  # the seeded examples, none judged

    # a lock now is refused, and the page says which cases block it
    page.get_by_label("Merknad til Utdanningsdirektoratet").fill("For tidlig.")
    page.get_by_role("button", name="Lås innstillingen").click()
    assert "Innstillingen ble ikke låst: 6 saker" in page.locator("#avvist").inner_text()

    page.goto(server + "/innstilling?fylke=18&runde=pulje-5")
    assert _judge_from_the_blockers(page) == 6
    assert page.locator("#hindrer").count() == 0
    listed = page.locator("#listen tbody tr")
    assert listed.count() == 6
    within = page.locator("#listen tbody tr.within")
    assert within.count() == 1  # Nordland's capacity: 1
    first = listed.first.get_attribute("data-case")

    note = "Nordlands innstilling etter embetets samlede vurdering."
    page.get_by_label("Merknad til Utdanningsdirektoratet").fill(note)
    page.get_by_role("button", name="Lås innstillingen").click()
    page.wait_for_url(re.compile(r".*/innstilling\?fylke=18&runde=pulje-5#innstilling-\d+$"))
    earlier = page.locator("#tidligere li").first.inner_text()
    assert "godkjent av godkjenner" in earlier and "gjeldende" in earlier and note in earlier
    _shot(page, "innstilling-nordland")

    page.get_by_role("link", name="Nasjonal oversikt").click()
    page.wait_for_url(re.compile(r".*/nasjonal$"))
    nordland = page.locator("#fylke-18")
    assert "Kapasitet: 1 kommune." in nordland.inner_text()
    assert nordland.locator("li[data-case]").first.get_attribute("data-case") == first
    assert page.locator("#fylke-50").inner_text().endswith("Ingen innstilling er låst ennå.")
    _shot(page, "nasjonal-oversikt")

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx), ett ark per fylke").click()
    download = info.value
    assert download.suggested_filename == "innstillinger-pulje-5.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["18 Nordland"]
    sheet = book["18 Nordland"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    # the rows are the submission's entries, in its order, one per unit
    api = page.request.get(
        server + "/v1/submissions?round=pulje-5", headers={"X-API-Key": READER_KEY}
    )
    (sub,) = api.json()["submissions"]
    expected = [
        (e["rank"], e["case_id"], u["org_number"] if u else None, e["within_capacity"])
        for e in sub["entries"]
        for u in (e["units"] or [None])
    ]
    got = [
        (r[col["Rang"]], r[col["Sak"]], r[col["Org.nr."]], r[col["Innenfor kapasitet"]] == "Ja")
        for r in rows[1:]
    ]
    assert got == expected
    assert rows[1][col["Sak"]] == first
    assert all(r[col["Fylke"]] == "Nordland" and isinstance(r[col["Poeng"]], int) for r in rows[1:])
    page.context.close()


def test_a_reader_sees_the_submission_but_cannot_lock(browser: Browser, server: str) -> None:
    page = _signed_in(browser, server, READER_KEY)
    page.goto(server + "/innstilling?fylke=18&runde=pulje-5")
    assert page.get_by_role("button", name="Lås innstillingen").count() == 0
    assert "Bare en godkjenner kan låse innstillingen." in page.locator("#las").inner_text()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        server + "/innstilling",
        form={"csrf_token": token or "", "fylke": "18", "runde": "pulje-5", "note": "Forfalsket"},
    )
    assert forged.status == 403
    page.goto(server + "/nasjonal")
    assert "Forfalsket" not in page.locator("main").inner_text()
    _shot(page, "innstilling-leser")
    page.context.close()
