"""`/kriterier` (api/web/pages/criteria.py): the rulesets in force."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from engine import load_ruleset
from tests.api.web.conftest import ROOT
from tests.api.web.html_checks import check_page, visible_text

RULES = load_ruleset(ROOT / "rules" / "pulje-5")


def test_criteria_page_shows_the_ruleset_in_force(open_client: TestClient) -> None:
    r = open_client.get("/kriterier")
    assert r.status_code == 200
    check_page(r.text)
    text = visible_text(r.text)
    assert f"versjon {RULES.version}" in text
    assert RULES.digest in text
    assert "21. april 2020" in text  # the start-up gathering
    assert "1. september 2020 – 30. juni 2022" in text
    # every county with its deadline and capacity; Nordland's own deadline and capacity 1
    assert re.search(r"18 Nordland 14\. februar 2020 1 ", text)
    assert re.search(r"50 Trøndelag 1\. februar 2020 2 ", text)
    for c in RULES.criteria:
        assert c.title in text and c.source[0] in text
    assert "margin : 3,0" in text  # K1's parameter, as the rules say it
    assert "opplæringslova § 9 A-6".lower() in text.lower()
    # the outcome policy is read from the roles in the rules, not written into the page
    assert "Et krav (FRIST, K4 for kommunen og K6) som ikke er oppfylt" in text
    assert "Er et behov (K1, K2 og K3) oppfylt" in text
