"""`/v1/evaluations` and `/v1/rankings` over HTTP: contract shapes, storage, listing, replay."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.schemas import EvaluatedDecision
from api.survey.parse import parse_survey_file
from api.survey.store import import_survey
from api.workers import Evaluated
from engine import evaluate, parse_application
from tests.api.conftest import unique_id
from tests.builders import SCHOOL_A, baseline, changed, ruleset
from tests.survey_export import sample_rows, write_csv


def app_with_id(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An application (the baseline unless given) with a fresh id."""
    out = dict(data if data is not None else baseline())
    out["id"] = unique_id()
    return out


def high_k1() -> dict[str, Any]:
    """An application whose first school has high bullying figures: recommended."""
    figures = [
        {"year": 2017, "percent": 12.0, "respondents": 100},
        {"year": 2018, "percent": 11.0, "respondents": 100},
        {"year": 2019, "percent": 3.0, "respondents": 100},
    ]
    return app_with_id(changed(**{"schools.0.bullying": figures}))


def test_post_returns_201_with_the_contract_decision_and_stores_it(api: TestClient) -> None:
    data = high_k1()
    r = api.post("/v1/evaluations", json=data)
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    EvaluatedDecision.model_validate(body)  # the contract's shape and evaluation_id, no more
    ev_id = r.headers["utvalg-evaluation-id"]
    expected = evaluate(parse_application(data), ruleset()).model_dump(mode="json")
    assert body == {
        "evaluation_id": ev_id,
        "case_id": "pulje-5:5001",
        "case_version": body["case_version"],
        **expected,
    }
    assert list(body)[:3] == ["evaluation_id", "case_id", "case_version"]
    assert body["outcome"] == "recommended"

    assert ev_id.startswith("ev-") and r.headers["location"] == f"/v1/evaluations/{ev_id}"
    assert ruleset().digest in r.headers["utvalg-ruleset"]

    again = api.get(r.headers["location"])
    assert again.status_code == 200 and again.json() == body
    by_app = api.get(f"/v1/evaluations/{data['id']}")
    assert by_app.status_code == 200 and by_app.json() == body
    assert by_app.headers["utvalg-evaluation-id"] == ev_id


def test_every_201_of_concurrent_posts_is_in_the_log_with_its_decision(api: TestClient) -> None:
    # each request writes its own transaction (no group writer): what was answered is stored
    municipalities = [("5001", "Trondheim"), ("5014", "Frøya"), ("5007", "Namsos")]
    sent = []
    for n in range(12):
        number, name = municipalities[n % 3]
        data = app_with_id()
        data["municipality"] = dict(data["municipality"], number=number, name=name)
        sent.append(data)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda d: api.post("/v1/evaluations", json=d), sent))
    assert [r.status_code for r in answers] == [201] * len(sent)
    for data, r in zip(sent, answers, strict=True):
        stored = api.get(f"/v1/evaluations/{r.headers['utvalg-evaluation-id']}")
        assert stored.status_code == 200 and stored.json() == r.json()
        assert stored.json()["application_id"] == data["id"]


def test_resubmitting_an_application_id_keeps_the_old_evaluation(api: TestClient) -> None:
    first = high_k1()
    r1 = api.post("/v1/evaluations", json=first)
    second = dict(baseline(), id=first["id"])  # same id, now without needs
    r2 = api.post("/v1/evaluations", json=second)
    assert r1.status_code == r2.status_code == 201
    id1, id2 = r1.headers["utvalg-evaluation-id"], r2.headers["utvalg-evaluation-id"]
    assert id1 != id2
    assert api.get(f"/v1/evaluations/{id1}").json()["outcome"] == "recommended"
    assert api.get(f"/v1/evaluations/{id2}").json()["outcome"] == "not_recommended"
    assert api.get(f"/v1/evaluations/{first['id']}").json()["outcome"] == "not_recommended"
    listed = api.get("/v1/evaluations", params={"application_id": first["id"]}).json()
    assert [i["evaluation_id"] for i in listed["items"]] == [id2, id1]


def test_an_application_without_id_gets_one_from_its_content(api: TestClient) -> None:
    data = baseline()
    del data["id"]
    data["municipality"] = dict(data["municipality"], name=unique_id("Uten-id"))
    r1 = api.post("/v1/evaluations", json=data)
    r2 = api.post("/v1/evaluations", json=data)
    assert r1.status_code == 201
    assert r1.json()["application_id"].startswith("s-")
    assert r1.json()["application_id"] == r2.json()["application_id"]


def test_the_record_holds_the_application_as_received_and_who_asked(api: TestClient) -> None:
    data = high_k1()
    text = json.dumps(data, indent=3)  # the stored text is the body as sent
    r = api.post("/v1/evaluations", content=text, headers={"content-type": "application/json"})
    record = api.get(f"/v1/evaluations/{r.headers['utvalg-evaluation-id']}/record").json()
    assert record["application"] == data
    place = {k: r.json()[k] for k in ("case_id", "case_version")}
    assert {"evaluation_id": record["evaluation_id"], **place, **record["decision"]} == r.json()
    assert record["ruleset"] == r.json()["ruleset"]
    assert record["api_key"] is None  # the test server runs without keys
    assert record["county"] == "50" and record["municipality"]["number"] == "5001"
    assert record["created_at"].endswith(("Z", "+00:00"))


def test_batch_returns_decisions_in_order_and_stores_all(api: TestClient) -> None:
    apps = [high_k1(), app_with_id(), high_k1()]
    r = api.post("/v1/evaluations:batch", json={"applications": apps})
    assert r.status_code == 200
    body = r.json()
    assert [d["application_id"] for d in body] == [a["id"] for a in apps]
    assert [d["outcome"] for d in body] == ["recommended", "not_recommended", "recommended"]
    ids = [d["evaluation_id"] for d in body]
    assert len(set(ids)) == 3 and all(i.startswith("ev-") for i in ids)
    for a, d in zip(apps, body, strict=True):
        again = api.get(f"/v1/evaluations/{d['evaluation_id']}")
        assert again.status_code == 200 and again.json() == d
        assert api.get(f"/v1/evaluations/{a['id']}").json()["evaluation_id"] == d["evaluation_id"]


def test_batch_with_one_invalid_application_stores_nothing(api: TestClient) -> None:
    good, bad = app_with_id(), app_with_id(changed(county="99", **{"schools.0.org_number": "1"}))
    r = api.post("/v1/evaluations:batch", json={"applications": [good, bad]})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["applications", 1, "county"] in locs
    assert ["applications", 1, "schools", 0, "org_number"] in locs
    assert api.get(f"/v1/evaluations/{good['id']}").status_code == 404


def test_list_filters_by_county_outcome_and_round_with_pages(api: TestClient) -> None:
    nordland = changed(county="18", **{"municipality.number": "1804", "municipality.name": "Bodø"})
    ids = []
    for _ in range(3):
        d = app_with_id(nordland)
        ids.append(d["id"])
        assert api.post("/v1/evaluations", json=d).status_code == 201
    page = api.get("/v1/evaluations", params={"county": "18", "limit": 2}).json()
    assert [i["application_id"] for i in page["items"]] == ids[::-1][:2]
    assert all(i["county"] == "18" for i in page["items"])
    assert page["next_cursor"] and "cursor=" in page["next"]
    rest = api.get(page["next"]).json()
    assert rest["items"][0]["application_id"] == ids[0]

    assert api.post("/v1/evaluations", json=high_k1()).status_code == 201
    recommended = api.get("/v1/evaluations", params={"outcome": "recommended"}).json()
    assert recommended["items"] and all(i["outcome"] == "recommended" for i in recommended["items"])
    other_round = api.get("/v1/evaluations", params={"round": "pulje-4"}).json()
    assert other_round["items"] == [] and other_round["next"] is None


def test_list_refuses_bad_parameters_with_problems(api: TestClient) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"outcome": "maybe"}, {"cursor": "abc"}):
        r = api.get("/v1/evaluations", params=params)
        assert r.status_code == 422, params
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["loc"][0] == "query"


def test_unknown_evaluation_is_404_problem(api: TestClient) -> None:
    for path in ("/v1/evaluations/finnes-ikke", "/v1/evaluations/finnes-ikke/record"):
        r = api.get(path)
        assert r.status_code == 404
        assert r.json()["errors"][0]["code"] == "EVALUATION_NOT_FOUND"
    assert api.post("/v1/evaluations/finnes-ikke:replay").status_code == 404


def test_replay_under_unchanged_rules_is_the_same(api: TestClient) -> None:
    data = high_k1()
    ev_id = api.post("/v1/evaluations", json=data).headers["utvalg-evaluation-id"]
    r = api.post(f"/v1/evaluations/{ev_id}:replay")
    assert r.status_code == 200
    body = r.json()
    assert body["same"] is True and body["differences"] == []
    assert body["stored"] == body["current"]


def in_municipality(data: dict[str, Any], number: str) -> dict[str, Any]:
    """The application as if from another municipality of its county."""
    return dict(data, municipality=dict(data["municipality"], number=number))


def test_ranking_of_given_applications_is_not_stored(api: TestClient) -> None:
    apps = [app_with_id(), in_municipality(high_k1(), "5006"), in_municipality(high_k1(), "5031")]
    r = api.post("/v1/rankings", json={"applications": apps})
    assert r.status_code == 200
    (county,) = r.json()["counties"]
    assert county["county"] == "50" and county["capacity"] == 2
    ranks = county["ranking"]
    assert [e["outcome"] for e in ranks] == ["recommended", "recommended", "not_recommended"]
    assert [e["within_capacity"] for e in ranks] == [True, True, False]
    assert ranks[2]["application_id"] == apps[0]["id"]
    assert api.get(f"/v1/evaluations/{apps[1]['id']}").status_code == 404


def test_ranking_takes_outcome_and_score_from_the_workers_without_reading_decisions(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    real = pool.evaluate

    async def without_decisions(*args: Any) -> list[Evaluated]:
        # only outcome and score are left: a route that parsed the decision would fail
        return [dataclasses.replace(r, decision_json="") for r in await real(*args)]

    monkeypatch.setattr(pool, "evaluate", without_decisions)
    apps = [app_with_id(), in_municipality(high_k1(), "5006")]
    r = api.post("/v1/rankings", json={"applications": apps})
    assert r.status_code == 200
    (county,) = r.json()["counties"]
    rs = ruleset()
    expected = [evaluate(parse_application(apps[i]), rs) for i in (1, 0)]
    assert [(e["application_id"], e["outcome"], e["score"]) for e in county["ranking"]] == [
        (d.application_id, d.outcome, d.score) for d in expected
    ]
    assert [d.outcome for d in expected] == ["recommended", "not_recommended"]


def test_ranking_refuses_two_applications_from_one_municipality(api: TestClient) -> None:
    apps = [app_with_id(), in_municipality(high_k1(), "5006"), high_k1()]
    r = api.post("/v1/rankings", json={"applications": apps})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    (err,) = r.json()["errors"]
    assert err["code"] == "DUPLICATE_MUNICIPALITY"
    assert err["loc"] == ["applications", 2, "municipality", "number"]
    assert "applications[2]" in err["msg"] and "applications[0]" in err["msg"]
    assert apps[0]["id"] in err["msg"] and apps[2]["id"] in err["msg"] and "5001" in err["msg"]
    assert api.get(f"/v1/evaluations/{apps[1]['id']}").status_code == 404


def test_ranking_refuses_mixed_rounds_and_bad_bodies(api: TestClient) -> None:
    r = api.post("/v1/rankings", json={"applications": []})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "EMPTY_LIST"
    r = api.post("/v1/rankings", json={"county": "99"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "UNKNOWN_COUNTY"
    r = api.post("/v1/rankings", json={"county": "50", "extra": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "UNKNOWN_FIELD"


def test_ranking_of_a_county_ranks_each_case_once_by_its_newest_version(
    client_factory: Any,
) -> None:
    client = client_factory()
    troms = {"county": "54", "municipality.number": "5401", "municipality.name": "Tromsø"}
    strong = high_k1()
    strong.update(county="54", municipality=dict(strong["municipality"], number="5401"))
    weak = app_with_id(changed(**troms))
    for d in (strong, weak):
        assert client.post("/v1/evaluations", json=d).status_code == 201
    # both are Tromsø's: one case, two versions; the strong one is sent again without needs
    # and its reference: the newest version counts, and Tromsø takes one place
    assert client.post("/v1/evaluations", json=dict(weak, id=strong["id"])).status_code == 201
    r = client.post("/v1/rankings", json={"county": "54"})
    assert r.status_code == 200
    (county,) = r.json()["counties"]
    assert [
        (e["case_id"], e["version"], e["application_id"], e["outcome"]) for e in county["ranking"]
    ] == [("pulje-5:5401", 3, strong["id"], "not_recommended")]


def test_imported_survey_figures_reach_the_workers(client_factory: Any, tmp_path: Any) -> None:
    client = client_factory()
    engine = client.app.state.services.log.engine
    path = write_csv(tmp_path / "elevundersokelsen.csv", sample_rows())
    import_survey(engine, parse_survey_file(str(path), name=path.name))

    data = app_with_id()
    del data["schools"][0]["bullying"]  # no figures in the application: use the imported ones
    r = client.post("/v1/evaluations", json=data)
    assert r.status_code == 201
    (k1,) = [
        c for c in r.json()["criteria"] if c["criterion"] == "K1" and c["subject"]["id"] == SCHOOL_A
    ]
    assert k1["status"] == "met"
    assert "elevundersokelsen.csv" in k1["evidence"]["survey_source"]
    assert r.json()["outcome"] == "recommended"
