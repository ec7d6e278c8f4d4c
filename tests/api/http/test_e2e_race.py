"""Two real `utvalg serve` processes on one PostgreSQL database race for one new case.

CONTRACT section 6 / issue 13 item 8: versions of the same new municipality reach both
instances at the same moment; the database constraints (one case per round and
municipality, one row per case and version number) make exactly one case with every version.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import CASEWORKER, KEYS, READER, auth
from tests.api.http.test_e2e_serve import environment, serving
from tests.builders import baseline

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

VERSIONS = 8  # per instance: 4, all sent at once


def test_two_instances_make_one_case_with_every_version(postgres_url: str, tmp_path: Path) -> None:
    env = environment(
        tmp_path,
        UTVALG_API_KEYS=KEYS,
        UTVALG_DATABASE_URL=postgres_url,
    )
    bodies = []
    for i in range(VERSIONS):
        data = baseline()
        # each a different application (received differs): each a new version
        data.update(county="11", id=f"karmoy-{i}", received=f"2020-01-{10 + i:02d}")
        data["municipality"] = dict(data["municipality"], number="1149", name="Karmøy")
        bodies.append(data)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with serving(["--no-access-log", "--workers", "1"], env, logs) as bases:
        barrier = threading.Barrier(VERSIONS)
        answers: list[httpx.Response | BaseException] = [RuntimeError("not sent")] * VERSIONS

        def send(i: int) -> None:
            with httpx.Client(base_url=bases[i % 2], timeout=60) as http:
                http.get("/readyz")  # the connection is open before the race starts
                barrier.wait()
                try:
                    answers[i] = http.post(
                        "/v1/evaluations", json=bodies[i], headers=auth(CASEWORKER)
                    )
                except httpx.HTTPError as e:
                    answers[i] = e

        threads = [threading.Thread(target=send, args=(i,)) for i in range(VERSIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = [a.status_code if isinstance(a, httpx.Response) else repr(a) for a in answers]
        assert statuses == [201] * VERSIONS, [
            a.text if isinstance(a, httpx.Response) else a for a in answers
        ]
        decisions = [a.json() for a in answers if isinstance(a, httpx.Response)]
        assert {d["case_id"] for d in decisions} == {"pulje-5:1149"}
        assert sorted(d["case_version"] for d in decisions) == list(range(1, VERSIONS + 1))

        with httpx.Client(base_url=bases[0], timeout=60) as http:
            listed = http.get("/v1/cases", params={"county": "11"}, headers=auth(READER))
            assert [c["id"] for c in listed.json()["items"]] == ["pulje-5:1149"]
            case = http.get("/v1/cases/pulje-5:1149", headers=auth(READER)).json()
    assert [v["version"] for v in case["versions"]] == list(range(1, VERSIONS + 1))
    assert sorted(v["application_id"] for v in case["versions"]) == sorted(b["id"] for b in bodies)
    assert len(case["evaluations"]) == VERSIONS
