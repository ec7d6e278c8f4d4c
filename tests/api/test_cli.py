"""The `utvalg` command line: evaluate, rank and check (CONTRACT section 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
RULES = str(ROOT / "rules" / "pulje-5")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse and refusals exit
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_json_keeps_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    files = [EXAMPLES[3], EXAMPLES[0], EXAMPLES[5]]
    code, out, err = run(capsys, "evaluate", "--rules", RULES, "--format", "json", *files)
    assert code == 0, err
    decisions = json.loads(out)
    ids = [Path(f).stem for f in files]
    assert [d["application_id"] for d in decisions] == ids
    assert all(d["ruleset"]["id"] == "pulje-5" for d in decisions)


def test_evaluate_text_shows_table(capsys: pytest.CaptureFixture[str]) -> None:
    trondheim = str(ROOT / "examples" / "trondheim-2020.yaml")
    code, out, _ = run(capsys, "evaluate", "--rules", RULES, trondheim)
    assert code == 0
    assert "ANBEFALT" in out and "K1" in out and "Lade skole" in out and "Prioritert" in out


def test_invalid_file_exits_2_with_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('round: pulje-5\ncounty: "99"\nmunicipality: {number: "5001", name: X}\n')
    code, out, err = run(capsys, "evaluate", "--rules", RULES, EXAMPLES[0], str(bad))
    assert code == 2
    assert out == ""
    assert f"{bad}:2:" in err and "UNKNOWN_COUNTY" in err


def test_rank_json_per_county_with_capacity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rank", "--rules", RULES, "--format", "json", *EXAMPLES)
    assert code == 0
    counties = {c["county"]: c for c in json.loads(out)["counties"]}
    assert counties["18"]["capacity"] == 1 and counties["50"]["capacity"] == 2
    for county in counties.values():
        within = [e for e in county["ranking"] if e["within_capacity"]]
        assert len(within) <= county["capacity"]
        assert all(e["outcome"] == "recommended" for e in within)
        assert [e["rank"] for e in county["ranking"]] == list(range(1, len(county["ranking"]) + 1))
        assert set(county["ranking"][0]) == {
            "rank", "application_id", "outcome", "score", "within_capacity",
        }  # fmt: skip


def test_rank_text_draws_capacity_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rank", "--rules", RULES, *EXAMPLES)
    assert code == 0
    assert "kapasitetsgrense" in out and "Nordland" in out


def test_check_valid_and_invalid_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "pulje-5"
    shutil.copytree(RULES, rules)
    k2 = rules / "criteria" / "k2-klagesaker.yaml"
    k2.write_text(k2.read_text(encoding="utf-8").replace("weight: 2", "weight: 2\nwight: 1"))
    code, out, _ = run(capsys, "check", str(rules))
    assert code == 2
    assert f"{k2}:13:1: UNKNOWN_KEY" in out


def test_invalid_rules_folder_refuses_evaluation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "evaluate", "--rules", str(tmp_path), EXAMPLES[0])
    assert code == 2 and out == "" and "MISSING_FILE" in err
