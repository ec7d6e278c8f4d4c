"""Rulesets over HTTP, health, and reloads that keep the last good rules."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.registry import RulesRegistry
from engine import Diagnostic, InvalidRules, load_ruleset
from tests.api.conftest import unique_id
from tests.builders import RULES, application, baseline, ruleset

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy


def digest_in_use(client: TestClient) -> str:
    """The pulje-5 digest named by /readyz."""
    body = client.get("/readyz").json()
    (rs,) = body["rulesets"]
    digest: str = rs["digest"]
    return digest


def wait_for(predicate: Any, what: str, limit: float = 60.0) -> None:
    """Poll until `predicate()` holds (bounded; not a timing assertion)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"ventet forgjeves på: {what}")


def bump_version(rules: Path, version: str) -> None:
    """Change only the version string of the copied ruleset."""
    path = rules / "pulje-5" / "ruleset.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('version: "2020.1"', f'version: "{version}"'), encoding="utf-8")


def k1_file(rules: Path) -> Path:
    """The K1 criterion file of the copied rules."""
    return rules / "pulje-5" / "criteria" / "k1-hoye-mobbetall.yaml"


def passing_gate(folders: list[Path]) -> list[Diagnostic]:
    """A test double of the reload gate that passes every folder, for tests about other things.

    The real gate (scenarios and examples in a process of their own, ~4 s) runs on this path,
    POST /v1/rulesets:reload, in test_a_valid_change_is_loaded_and_old_decisions_stay (passes)
    and test_rules_that_fail_a_scenario_are_refused (refuses).
    """
    return []


def use_passing_gate(client: TestClient) -> None:
    """Gate the reloads of the client's app by `passing_gate`."""
    client.app.state.services.rules.gate = passing_gate  # type: ignore[attr-defined]


def test_rulesets_list_and_detail(api: TestClient) -> None:
    rs = ruleset()
    listed = api.get("/v1/rulesets").json()["rulesets"]
    assert [(r["id"], r["version"], r["digest"]) for r in listed] == [
        (rs.id, rs.version, rs.digest)
    ]
    detail = api.get("/v1/rulesets/pulje-5").json()
    assert detail["digest"] == rs.digest
    criteria = {c["id"]: c for c in detail["criteria"]}
    assert list(criteria) == [c.id for c in rs.criteria]
    assert {"FRIST", "K1", "K2", "K3", "K4", "K5", "K6"} <= set(criteria)
    assert criteria["K1"]["title"] == "Høye mobbetall over tid"
    assert criteria["K1"]["parameters"]["margin"] == 3.0
    assert criteria["K1"]["roles"] == {"school": "need"}
    assert criteria["K1"]["weight"] == 3
    assert criteria["K4"]["roles"]["municipality"] == "requirement"
    counties = {c["number"]: c for c in detail["counties"]}
    assert counties["18"]["capacity"] == 1 and counties["18"]["deadline"] == "2020-02-14"
    assert counties["50"]["capacity"] == 2
    assert detail["round"]["startup_gathering"] == "2020-04-21"


def test_health_and_readiness(api: TestClient) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz").json()
    assert ready["status"] == "ready" and ready["database"] == "ok"
    assert ready["workers"] == 2
    assert ready["rulesets"][0]["digest"] == ruleset().digest


def test_readiness_fails_with_a_problem_when_the_database_is_gone(
    client_factory: Any, tmp_path: Path
) -> None:
    client = client_factory()
    client.app.state.services.log.engine.dispose()
    services = client.app.state.services

    def broken() -> None:
        raise OSError("borte")

    services.log.ping = broken
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["code"] == "DATABASE_UNREACHABLE"


def test_a_broken_rules_folder_is_refused_and_the_old_rules_keep_serving(
    client_factory: Any, rules_copy: Path
) -> None:
    client = client_factory(rules_dir=rules_copy)
    before = digest_in_use(client)
    path = k1_file(rules_copy)
    path.write_text(path.read_text(encoding="utf-8") + "\nterskel: 4\n", encoding="utf-8")

    r = client.post("/v1/rulesets:reload")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert "UNKNOWN_KEY" in [e["code"] for e in body["errors"]]
    assert any(e.get("file", "").endswith("k1-hoye-mobbetall.yaml") for e in body["errors"])
    assert before in body["detail"]

    assert digest_in_use(client) == before
    decision = client.post("/v1/evaluations", json=dict(baseline(), id=unique_id())).json()
    assert decision["ruleset"]["digest"] == before


def test_rules_that_fail_a_scenario_are_refused(client_factory: Any, rules_copy: Path) -> None:
    client = client_factory(rules_dir=rules_copy)
    before = digest_in_use(client)
    path = k1_file(rules_copy)
    path.write_text(
        path.read_text(encoding="utf-8").replace("margin: 3.0", "margin: 0.5"), encoding="utf-8"
    )
    load_ruleset(rules_copy / "pulje-5")  # valid rules ...
    r = client.post("/v1/rulesets:reload")
    assert r.status_code == 422  # ... but the K1 scenarios no longer hold
    codes = {e["code"] for e in r.json()["errors"]}
    assert codes == {"SCENARIO_FAILED"}
    assert digest_in_use(client) == before


def test_a_reload_whose_gate_crashes_is_refused_and_the_old_rules_keep_serving(
    client_factory: Any, rules_copy: Path, crashing_gate_process: pytest.MonkeyPatch
) -> None:
    client = client_factory(rules_dir=rules_copy)
    before = digest_in_use(client)
    bump_version(rules_copy, "2020.7")  # valid rules, so the reload gets to the gate
    r = client.post("/v1/rulesets:reload")
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["RULES_CRASHED"]
    assert "signal 11 (SIGSEGV)" in r.json()["errors"][0]["msg"]
    assert digest_in_use(client) == before


def test_a_valid_change_is_loaded_and_old_decisions_stay(
    client_factory: Any, rules_copy: Path
) -> None:
    client = client_factory(rules_dir=rules_copy)
    before = digest_in_use(client)
    data = dict(baseline(), id=unique_id())
    old = client.post("/v1/evaluations", json=data)
    old_id = old.headers["utvalg-evaluation-id"]

    bump_version(rules_copy, "2020.1-test")
    r = client.post("/v1/rulesets:reload")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["changed"] is True
    after = body["rulesets"][0]["digest"]
    assert after != before and body["previous"][0]["digest"] == before
    assert digest_in_use(client) == after

    new = client.post("/v1/evaluations", json=data).json()
    assert new["ruleset"] == {"id": "pulje-5", "version": "2020.1-test", "digest": after}
    assert client.get(f"/v1/evaluations/{old_id}").json() == old.json()  # never changed

    replay = client.post(f"/v1/evaluations/{old_id}:replay").json()
    assert replay["same"] is False
    assert {tuple(d["loc"]) for d in replay["differences"]} == {
        ("ruleset", "version"),
        ("ruleset", "digest"),
    }
    # the replay compares decisions as stored; the evaluation id stands beside them
    place = {k: old.json()[k] for k in ("case_id", "case_version")}
    assert {"evaluation_id": replay["evaluation_id"], **place, **replay["stored"]} == old.json()

    again = client.post("/v1/rulesets:reload").json()
    assert again["changed"] is False and again["rulesets"][0]["digest"] == after


def test_ranking_a_county_refuses_decisions_made_under_other_rules(
    client_factory: Any, rules_copy: Path
) -> None:
    client = client_factory(rules_dir=rules_copy)
    use_passing_gate(client)
    first = dict(baseline(), id=unique_id())
    frøya = dict(baseline()["municipality"], number="5014", name="Frøya")
    second = dict(baseline(), id=unique_id(), municipality=frøya)
    for data in (first, second):
        assert client.post("/v1/evaluations", json=data).status_code == 201
    assert client.post("/v1/rankings", json={"county": "50"}).status_code == 200

    bump_version(rules_copy, "2020.1-ny")
    assert client.post("/v1/rulesets:reload").status_code == 200
    assert client.post("/v1/evaluations", json=first).status_code == 201  # under the new rules
    r = client.post("/v1/rankings", json={"county": "50"})
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    (error,) = r.json()["errors"]
    assert error["code"] == "STALE_CASE" and "pulje-5:5014" in error["msg"]

    assert client.post("/v1/evaluations", json=second).status_code == 201
    ranked = client.post("/v1/rankings", json={"county": "50"}).json()
    ids = {e["application_id"] for e in ranked["counties"][0]["ranking"]}
    assert ids == {first["id"], second["id"]}


def test_a_request_keeps_the_rules_it_started_with(client_factory: Any, rules_copy: Path) -> None:
    client = client_factory(rules_dir=rules_copy)
    use_passing_gate(client)
    services = client.app.state.services
    started_with = services.rules.current  # what a request in flight holds
    bump_version(rules_copy, "2020.1-neste")
    assert client.post("/v1/rulesets:reload").status_code == 200
    assert services.rules.current.digests() != started_with.digests()

    old_rules = started_with.rulesets["pulje-5"]
    app = application(dict(baseline(), id=unique_id()), old_rules)
    (result,) = services.pool.evaluate_sync(old_rules, [app])
    assert result.decision()["ruleset"]["digest"] == old_rules.digest


def test_requests_during_a_reload_all_succeed_on_one_ruleset_or_the_other(
    client_factory: Any, rules_copy: Path
) -> None:
    client = client_factory(rules_dir=rules_copy)
    before = digest_in_use(client)
    results: list[tuple[int, str]] = []
    stop = threading.Event()

    def post() -> None:
        while not stop.is_set():
            r = client.post("/v1/evaluations", json=dict(baseline(), id=unique_id()))
            results.append((r.status_code, r.json().get("ruleset", {}).get("version", "")))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    wait_for(lambda: len(results) >= 5, "svar før omlastingen")
    bump_version(rules_copy, "2020.1-under-last")
    assert client.post("/v1/rulesets:reload").status_code == 200
    count = len(results)
    wait_for(lambda: len(results) >= count + 5, "svar etter omlastingen")
    stop.set()
    for t in threads:
        t.join()
    assert {status for status, _ in results} == {201}
    versions = [v for _, v in results]
    assert set(versions) == {"2020.1", "2020.1-under-last"}
    first_new = versions.index("2020.1-under-last")
    assert versions[:first_new] == ["2020.1"] * first_new
    assert digest_in_use(client) != before


def test_watch_reloads_valid_changes_and_ignores_broken_ones(
    client_factory: Any, rules_copy: Path
) -> None:
    client = client_factory(rules_dir=rules_copy, watch=True, watch_interval_seconds=0.1)
    use_passing_gate(client)
    services = client.app.state.services
    before = digest_in_use(client)

    bump_version(rules_copy, "2020.1-fulgt")
    wait_for(lambda: digest_in_use(client) != before, "ny digest etter endring")
    loaded = digest_in_use(client)
    reloads = services.watcher.reloads

    path = k1_file(rules_copy)
    path.write_text("id: K1\nikke: [gyldig\n", encoding="utf-8")
    wait_for(lambda: services.watcher.reloads > reloads, "omlastingsforsøk")
    report = services.rules.last_report
    assert report is not None and not report.ok and report.problems
    assert digest_in_use(client) == loaded
    r = client.post("/v1/evaluations", json=dict(baseline(), id=unique_id()))
    assert r.status_code == 201 and r.json()["ruleset"]["version"] == "2020.1-fulgt"


def test_registry_refuses_a_folder_without_rulesets(tmp_path: Path) -> None:
    registry = RulesRegistry(tmp_path, gate=lambda folders: [])
    with pytest.raises(InvalidRules) as caught:
        registry.load()
    assert [d.code for d in caught.value.diagnostics] == ["NO_RULESETS"]
    registry = RulesRegistry(RULES, gate=lambda folders: [])
    assert list(registry.load().rulesets) == ["pulje-5"]
