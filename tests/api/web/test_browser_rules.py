"""Browser test of the rules page: a rule change from the form to a new decision, and back.

Its own server: publishing changes the rules in force. A screenshot is saved under
var/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.api.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.api.web.conftest import ROOT

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

SHOTS = ROOT / "var" / "screenshots"
ADMIN_KEY = "admin-nokkel-0123456789abcdef"
KEYS = f"regelansvarlig:admin:{ADMIN_KEY}"
MARGIN = "criteria/k1-hoye-mobbetall.yaml|parameters.margin"

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} mangler: kjør `make browser` (installerer Debians chromium) først.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`utvalg serve` with an admin key and the examples as cases; its base URL."""
    with running_server(ROOT, tmp_path_factory.mktemp("server"), KEYS) as base:
        yield base


@pytest.fixture
def page(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[Page]:
    """A signed-in tab of Chromium without JavaScript; a screenshot when the test ends."""
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            locale="nb-NO",
            java_script_enabled=False,
        )
        # checking a draft runs the round's scenarios in a process of their own: on a busy
        # machine that can take longer than Playwright's default 30 seconds
        ctx.set_default_timeout(180_000)
        tab = ctx.new_page()
        tab.goto(server + "/regler")
        tab.get_by_label("API-nøkkel").fill(ADMIN_KEY)
        tab.get_by_role("button", name="Logg inn").click()
        tab.wait_for_url(server + "/regler")
        try:
            yield tab
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SHOTS / "rules_page.png"), full_page=True)
            ctx.close()


def test_change_k1s_margin_publish_it_and_roll_back(page: Page, server: str) -> None:
    page.get_by_role("link", name="Regler").click()
    page.get_by_role("button", name="Ny utgave").click()
    page.wait_for_url(re.compile(r".*/regler/utkast/[0-9a-f]+$"))
    margin = page.locator(f'[name="{MARGIN}"]')
    assert margin.input_value() == "3,0"
    margin.fill("2,5")
    page.get_by_label("Vis virkningen på sakene i fylke").select_option("18")
    page.get_by_role("button", name="Lagre og kontroller").first.click()
    # the failing scenarios, and the case whose decision changes
    failures = page.locator("ul.scenario-failures > li")
    assert failures.count() == 2
    assert "ikke oppfylt" in failures.first.inner_text()
    changes = page.locator("table.changes tbody tr")
    assert changes.count() == 1
    assert "1870 Sortland" in changes.first.inner_text()
    assert "6 → 9" in changes.first.inner_text()
    assert changes.first.get_by_role("link").get_attribute("href") == "/saker/pulje-5:1870"
    # the change is meant: update the failing scenarios' expected values in the draft
    # (a scenario's later step runs only when the one before passes: check again after)
    for left in (2, 1):
        assert page.locator("ul.scenario-failures > li").count() == left
        page.get_by_role("button", name="Endre de valgte scenarioene").click()
        assert "er endret i utkastet" in page.get_by_role("status").inner_text()
        page.get_by_role("button", name="Lagre og kontroller").first.click()
    assert "består med utkastet" in page.locator("#scenarioer-ok").inner_text()
    # publish with a version and a note
    page.get_by_label("Nytt versjonsnummer").fill("2020.2")
    page.get_by_label("Endringsnotat").fill("K1: margin 2,5 prosentpoeng over landssnittet.")
    page.get_by_role("button", name="Ta i bruk").click()
    page.wait_for_url(re.compile(r".*/regler\?melding=.*"))
    assert "Versjon 2020.2 av pulje-5 er i bruk" in page.get_by_role("status").inner_text()
    assert "K1: margin 2,5" in page.locator('tr[data-version="2020.2"]').inner_text()
    page.goto(server + "/kriterier")
    assert "versjon 2020.2" in page.locator("main").inner_text()
    # a new decision is made under the new version
    page.goto(server + "/vurdering")
    page.get_by_label("Søknadsfil (YAML eller JSON)").set_input_files(
        str(ROOT / "examples" / "pulje-5" / "sortland-2020.yaml")
    )
    page.get_by_role("button", name="Vurder filen").click()
    page.wait_for_url(re.compile(r".*/vurderinger/ev-"))
    assert "pulje-5 versjon 2020.2" in page.locator("main").inner_text()
    # roll back to the files' version with a note
    page.goto(server + "/regler")
    row = page.locator('tr[data-version="2020.1"]')
    row.get_by_label("Hvorfor").fill("Tilbake til 3,0 til saken er drøftet.")
    row.get_by_role("button", name="Ta i bruk versjon 2020.1").click()
    assert "Versjon 2020.1 av pulje-5 er i bruk igjen" in page.get_by_role("status").inner_text()
    page.goto(server + "/kriterier")
    assert "versjon 2020.1" in page.locator("footer").inner_text()
