"""Browser test: a named user who types a wrong password five times is locked out for a while.

Against a real `utvalg serve` (no keys, one user in its database) in Debian's Chromium; the
screenshot is saved under var/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from api.store.db import make_engine, migrate
from api.store.users import USER_LIMIT, UserStore
from tests.api.web.browser import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.api.web.conftest import ROOT, USER_PASSWORD

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

SHOTS = ROOT / "var" / "screenshots"

if not CHROMIUM.exists():
    pytest.fail(
        f"{CHROMIUM} mangler: kjør `make browser` (installerer Debians chromium) først.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`utvalg serve` without keys and with the user «kari» in its database; its base URL."""
    folder = tmp_path_factory.mktemp("users-server")
    engine = make_engine(f"sqlite:///{folder / 'utvalg.db'}")
    migrate(engine)
    # a cheap hash: argon2 verifies with the parameters stored in the hash itself
    UserStore(engine, cheap_hashes=True).add("kari", "caseworker", USER_PASSWORD, "test")
    engine.dispose()
    with running_server(ROOT, folder, "") as base:
        yield base


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab in a new Chromium without JavaScript; a screenshot is saved when the test ends."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        tab = browser.new_context(locale="nb-NO", java_script_enabled=False).new_page()
        try:
            yield tab
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
            browser.close()


def _try(page: Page, password: str) -> None:
    page.get_by_label("Brukernavn").fill("kari")
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn", exact=True).click()


def test_wrong_password_five_times_locks_the_user_out(page: Page, server: str) -> None:
    page.goto(server + "/vurdering")
    assert "/logg-inn" in page.url  # sent to sign in first
    for attempt in range(USER_LIMIT - 1):
        _try(page, f"feil-passord-{attempt}")
        assert (
            page.locator("#f-passord-feil").inner_text().endswith("Feil brukernavn eller passord.")
        )
    _try(page, "feil-passord-igjen")
    error = page.locator("#f-passord-feil")
    assert "For mange mislykkede innlogginger for denne brukeren." in error.inner_text()
    assert "Prøv igjen om 15 minutter." in error.inner_text()
    _try(page, USER_PASSWORD)  # the right password does not open the lock
    assert "/logg-inn" in page.url
    assert "Prøv igjen om" in page.locator("#f-passord-feil").inner_text()
    assert page.get_by_label("Brukernavn").input_value() == "kari"
