"""`POST /v1/rankings`: a county with nothing stored is still answered with its capacity."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders import ruleset


def test_a_county_with_no_stored_applications_has_its_capacity_and_no_ranking(
    api: TestClient,
) -> None:
    r = api.post("/v1/rankings", json={"county": "03"})
    assert r.status_code == 200, r.text
    capacity = ruleset().counties["03"].capacity
    assert r.json() == {"counties": [{"county": "03", "capacity": capacity, "ranking": []}]}
