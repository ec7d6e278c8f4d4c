"""`utvalg new-round`: a copied round passes `check` at once, and stands alone when changed.

The test the issue names: the project's rules, features and examples are copied to a
temporary folder, pulje-6 is made from pulje-5, K5 and its scenarios are taken out of
pulje-6, and then `utvalg check` passes for both rounds, a server started on that folder
decides each application by its own round's rules, and its reload gate takes pulje-6.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from gherkin.parser import Parser

from api.app import create_app
from api.cli.main import main
from api.settings import Settings
from tests.builders import ROOT

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # refusals exit
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the project's rules, features and examples, configured as the rules root."""
    for name in ("rules", "features", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("UTVALG_FEATURES_DIR", "UTVALG_EXAMPLES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UTVALG_RULES_DIR", str(tmp_path / "rules"))
    yield tmp_path


def drop_criterion(project: Path, round_id: str, criterion: str) -> None:
    """Take a criterion out of a round: its rules file, its feature, scenarios tagged with it."""
    for path in (project / "rules" / round_id / "criteria").glob("*.yaml"):
        if yaml.safe_load(path.read_text(encoding="utf-8"))["id"] == criterion:
            path.unlink()
    for path in (project / "features" / round_id).glob("*.feature"):
        doc = Parser().parse(path.read_text(encoding="utf-8"))
        if f"@{criterion}" in {t["name"] for t in doc["feature"]["tags"]}:
            path.unlink()
        else:
            path.write_text(without_scenarios_tagged(path, criterion), encoding="utf-8")


def without_scenarios_tagged(path: Path, tag: str) -> str:
    """The feature file's text without the scenarios tagged @tag (tag line to next scenario)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    starts: list[tuple[int, dict[str, Any]]] = []
    for child in Parser().parse(text)["feature"]["children"]:
        node = child.get("scenario") or child.get("background") or child.get("rule") or {}
        tag_lines = [t["location"]["line"] for t in node.get("tags", [])]
        starts.append((min([*tag_lines, node["location"]["line"]]), child))
    for i in reversed(range(len(starts))):
        first, child = starts[i]
        tags = {t["name"] for t in child.get("scenario", {}).get("tags", [])}
        if f"@{tag}" in tags:
            end = starts[i + 1][0] if i + 1 < len(starts) else len(lines) + 1
            del lines[first - 1 : end - 1]
    return "".join(lines)


def test_a_new_round_copies_rules_features_and_examples_with_its_own_id(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "new-round", "pulje-6", "--from", "pulje-5", "--version", "2021.0")
    assert code == 0, err
    assert "Ny runde pulje-6 (versjon 2021.0)" in out and "utvalg check" in out
    old = (project / "rules" / "pulje-5" / "ruleset.yaml").read_text(encoding="utf-8")
    new = (project / "rules" / "pulje-6" / "ruleset.yaml").read_text(encoding="utf-8")
    assert new.splitlines() == [
        {"id: pulje-5": "id: pulje-6", 'version: "2020.1"': 'version: "2021.0"'}.get(line, line)
        for line in old.splitlines()
    ]  # the comments stay, only id and version change
    examples = sorted((project / "examples" / "pulje-6").glob("*.yaml"))
    assert len(examples) == len(list((project / "examples" / "pulje-5").glob("*.yaml"))) > 0
    assert all(
        yaml.safe_load(p.read_text(encoding="utf-8"))["round"] == "pulje-6" for p in examples
    )
    assert sorted(p.name for p in (project / "features" / "pulje-6").glob("*.feature")) == sorted(
        p.name for p in (project / "features" / "pulje-5").glob("*.feature")
    )


def test_a_new_round_is_refused_when_it_exists_or_the_old_one_does_not(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "new-round", "pulje-5", "--from", "pulje-5")
    assert code == 2 and "Runden «pulje-5» finnes fra før" in err
    code, _, err = run(capsys, "new-round", "pulje-7", "--from", "pulje-4")
    assert code == 2 and "Fant ikke runden «pulje-4»" in err and "pulje-5" in err
    code, _, err = run(capsys, "new-round", "Pulje 7", "--from", "pulje-5")
    assert code == 2 and "BAD_FORMAT" in err
    assert sorted(p.name for p in (project / "rules").iterdir() if p.is_dir()) == ["pulje-5"]
    assert not (project / "features" / "Pulje 7").exists()


def test_a_round_without_k5_passes_check_and_is_served_beside_the_old_one(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    code, _, err = run(capsys, "new-round", "pulje-6", "--from", "pulje-5", "--version", "2021.0")
    assert code == 0, err
    drop_criterion(project, "pulje-6", "K5")
    assert not list((project / "features" / "pulje-6").glob("k5-*.feature"))

    code, out, _ = run(capsys, "check")
    assert code == 0, out
    for round_id in ("pulje-5", "pulje-6"):
        assert f"scenarioer kjørt mot {project / 'rules' / round_id}:" in out
    assert "SCENARIO_FAILED" not in out and " 0 feilet." in out

    files = [str(project / "examples" / r / "trondheim-2020.yaml") for r in ("pulje-5", "pulje-6")]
    code, out, err = run(capsys, "evaluate", "--format", "json", *files)
    assert code == 0, err
    by_cli = {d["ruleset"]["id"]: {c["criterion"] for c in d["criteria"]} for d in json.loads(out)}
    assert "K5" in by_cli["pulje-5"] and "K5" not in by_cli["pulje-6"]
    code, _, err = run(capsys, "rank", *files)
    assert code == 2 and "flere runder" in err

    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('server') / 'utvalg.db'}",
        workers=1,
        api_keys="",
        bind_host="testserver",  # the TestClient's host
    )
    assert settings.rules_dir == project / "rules"
    with TestClient(create_app(settings)) as client:
        listed = client.get("/v1/rulesets").json()["rulesets"]
        assert sorted(r["id"] for r in listed) == ["pulje-5", "pulje-6"]
        decided = {}
        for path in files:
            application = json.loads(
                json.dumps(yaml.safe_load(Path(path).read_text()), default=str)
            )
            application["id"] = f"trondheim-{application['round']}"
            r = client.post("/v1/evaluations", json=application)
            assert r.status_code == 201, r.text
            decided[r.json()["ruleset"]["id"]] = {c["criterion"] for c in r.json()["criteria"]}
        assert decided == by_cli
        # the reload gate runs each round's own scenarios and examples: pulje-6 passes it
        ruleset_file = project / "rules" / "pulje-6" / "ruleset.yaml"
        text = ruleset_file.read_text(encoding="utf-8")
        ruleset_file.write_text(text.replace('"2021.0"', '"2021.1"'), encoding="utf-8")
        r = client.post("/v1/rulesets:reload")
        assert r.status_code == 200 and r.json()["changed"] is True, r.text
