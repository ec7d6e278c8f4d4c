"""`utvalg evaluate` (CONTRACT section 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli.main import main
from tests.builders import ROOT

EXAMPLES = sorted(str(p) for p in (ROOT / "examples" / "pulje-5").glob("*.yaml"))
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
    trondheim = str(ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml")
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


def test_invalid_rules_folder_refuses_evaluation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "evaluate", "--rules", str(tmp_path), EXAMPLES[0])
    assert code == 2 and out == "" and "MISSING_FILE" in err


def test_without_rules_the_round_of_each_application_is_found_anywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UTVALG_RULES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # the project's rules/ is found from anywhere
    code, out, err = run(capsys, "evaluate", "--format", "json", EXAMPLES[0])
    assert code == 0, err
    [decision] = json.loads(out)
    assert decision["ruleset"]["id"] == "pulje-5"


@pytest.mark.parametrize("columns", [80, 120, 70])
def test_evaluate_text_wraps_to_the_terminal_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    malvik = str(ROOT / "examples" / "pulje-5" / "malvik-2020.yaml")
    code, out, _ = run(capsys, "evaluate", "--rules", RULES, "--format", "json", malvik)
    decision = json.loads(out)[0]
    code, out, _ = run(capsys, "evaluate", "--rules", RULES, malvik)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= columns
    words = " ".join(out.split())
    for criterion in decision["criteria"]:
        assert " ".join(criterion["explanation"].split()) in words
    assert "8,7 %" in out  # a figure keeps its per cent sign on its line
