"""`utvalg rules list|export` and `utvalg simulate DRAFT` over the configured database's cases."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import load_ruleset
from tests.api.cli.test_evaluate import run
from tests.builders import RULES, changed

SELECTION = "Udir velger kommunene i april 2020."


@pytest.fixture
def database(
    client_factory: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    """An app on a SQLite file that the command line reads too (UTVALG_DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'felles.db'}"
    monkeypatch.setenv("UTVALG_DATABASE_URL", url)
    return client_factory(database_url=url)


def test_list_and_export_round_trip(
    capsys: pytest.CaptureFixture[str],
    database: TestClient,
    tmp_path: Path,
    passing_publish_gate: None,
) -> None:
    code, out, err = run(capsys, "rules", "list")
    assert code == 0, err
    assert "* 2020.1  fra filene i regelmappen" in out
    r = database.post(
        "/v1/rulesets/pulje-5/versions",
        json={
            "version": "2020.2",
            "note": "Ny tekst om utvalget.",
            "parameters": {"ruleset": {"round.selection": SELECTION}},
        },
    )
    assert r.status_code == 201, r.text
    digest = r.json()["version"]["digest"]
    code, out, err = run(capsys, "rules", "list", "--round", "pulje-5")
    assert code == 0, err
    assert "  2020.1  " in out and "* 2020.2  " in out and "Ny tekst om utvalget." in out

    code, out, err = run(capsys, "rules", "export", "2020.2", str(tmp_path / "ut"))
    assert code == 0, err
    exported = tmp_path / "ut" / "rules" / "pulje-5"
    assert load_ruleset(exported).digest == digest
    assert (tmp_path / "ut" / "features" / "pulje-5" / "k1-hoye-mobbetall.feature").is_file()
    code, out, err = run(capsys, "check", str(exported))
    assert code == 0, out + err
    code, _, err = run(capsys, "rules", "export", "2020.2", str(tmp_path / "ut"))
    assert code == 2 and "ikke tom" in err
    code, _, err = run(capsys, "rules", "export", "1999.1", str(tmp_path / "annen"))
    assert code == 2 and "ingen versjon «1999.1»" in err


def test_simulate_without_files_uses_the_stored_cases(
    capsys: pytest.CaptureFixture[str], database: TestClient, tmp_path: Path
) -> None:
    borderline = [
        {"year": 2017, "percent": 9.3, "respondents": 100},
        {"year": 2018, "percent": 8.8, "respondents": 100},
    ]
    body = changed(**{"id": "grense", "schools.0.bullying": borderline})
    assert database.post("/v1/evaluations", json=body).status_code == 201
    other = changed(
        **{"id": "lav", "municipality.number": "5006", "municipality.name": "Steinkjer"}
    )
    assert database.post("/v1/evaluations", json=other).status_code == 201
    draft = tmp_path / "utkast"
    shutil.copytree(RULES, draft)
    k1 = draft / "criteria" / "k1-hoye-mobbetall.yaml"
    k1.write_text(k1.read_text(encoding="utf-8").replace("margin: 3.0", "margin: 2.5"), "utf-8")
    code, out, err = run(
        capsys, "simulate", str(draft), "--county", "50", "--no-scenarios", "--format", "json"
    )
    assert code == 0, err
    (county,) = json.loads(out)["counties"]
    assert {e["case_id"] for e in county["before"]} == {"pulje-5:5001", "pulje-5:5006"}
    (change,) = county["changes"]
    assert change["case_id"] == "pulje-5:5001" and change["after"]["outcome"] == "recommended"
