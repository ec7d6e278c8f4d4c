"""`utvalg evaluate` (CONTRACT section 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import evaluate as evaluate_cli
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


@pytest.mark.parametrize(
    ("url", "surely_none"),
    [
        ("sqlite://", True),
        ("sqlite:///:memory:", True),
        ("sqlite:///does/not/exist.db", True),
        ("sqlite+pysqlite:////no/such/file.db", True),
        ("sqlite:///{here}", False),
        ("sqlite:///file:x.db?mode=ro&uri=true", False),
        ("postgresql://u@localhost/utvalg", False),
    ],
)
def test_a_missing_sqlite_file_is_seen_without_sqlalchemy(
    url: str, surely_none: bool, tmp_path: Path
) -> None:
    here = tmp_path / "utvalg.db"
    here.write_bytes(b"")
    assert evaluate_cli._no_sqlite_file(url.format(here=here)) is surely_none


def test_evaluate_and_rank_import_no_database_code_without_a_database(tmp_path: Path) -> None:
    example = str(ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml")
    script = (
        "import sys\n"
        "from api.cli.main import main\n"
        f"assert main(['evaluate', {example!r}]) == 0\n"
        f"assert main(['rank', {example!r}]) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
