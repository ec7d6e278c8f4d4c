"""`utvalg import-survey`, and `utvalg evaluate` using the imported figures."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.cli.import_survey import ProgressBar
from api.cli.main import main
from tests.builders import RULES, SCHOOL_A, baseline
from tests.survey_export import national_rows, row, sample_rows, write_csv, write_xlsx


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """UTVALG_DATABASE_URL pointing at a SQLite file in the test's folder."""
    path = tmp_path / "var" / "utvalg.db"
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{path}")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def _application_file(tmp_path: Path) -> Path:
    data = baseline()
    for school in data["schools"]:
        del school["bullying"]
    path = tmp_path / "soknad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _imports(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT count(*) FROM survey_imports").fetchone()[0])


def _k1(decisions: list[dict[str, Any]], org: str) -> dict[str, Any]:
    [found] = [
        c for c in decisions[0]["criteria"] if c["criterion"] == "K1" and c["subject"]["id"] == org
    ]
    return found


def test_import_then_evaluate_uses_the_imported_figures(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv(tmp_path / "elevundersokelsen.csv", sample_rows())
    code, out, err = _run(capsys, "import-survey", "--rules", str(RULES), str(export))
    assert code == 0, err
    assert "Rader lest: 16" in out and "Hoppet over (andre indikatorer): 3" in out
    assert "Landstall funnet: 3" in out and "Advarsel" not in out
    assert err == ""  # no progress bar when stderr is not a terminal
    code, out, err = _run(capsys, "evaluate", "--format", "json", str(_application_file(tmp_path)))
    assert code == 0, err
    k1 = _k1(json.loads(out), SCHOOL_A)
    assert k1["status"] == "met"
    assert k1["evidence"]["survey_source"].endswith("av fil elevundersokelsen.csv")
    assert "(kilde: Elevundersøkelsen, import " in k1["explanation"]


def test_evaluate_without_a_database_leaves_k1_unknown(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "evaluate", "--format", "json", str(_application_file(tmp_path)))
    assert code == 0
    assert _k1(json.loads(out), SCHOOL_A)["status"] == "unknown"
    assert not database.exists()  # evaluating does not create a database


def test_importing_the_same_file_twice_says_so(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_xlsx(tmp_path / "eu.xlsx", sample_rows())
    assert _run(capsys, "import-survey", str(export))[0] == 0
    code, out, _ = _run(capsys, "import-survey", "--format", "json", str(export), str(export))
    assert code == 0
    reports = json.loads(out)
    assert [(r["already_imported"], r["import_id"]) for r in reports] == [(True, 1), (True, 1)]
    assert _imports(database) == 1


def test_a_broken_file_stops_every_file_from_being_imported(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "god.csv", sample_rows())
    bad = write_csv(
        tmp_path / "feil.csv", [*national_rows({2019: "6,0"}), row(2019, SCHOOL_A, "sju")]
    )
    code, out, err = _run(capsys, "import-survey", str(good), str(bad))
    assert code == 2
    assert out == ""
    assert f"{bad}:3:1: BAD_NUMBER AndelMobbet: " in err
    assert "Ingen filer ble importert" in err
    assert _imports(database) == 0


def test_national_figures_unlike_the_ruleset_are_warned_about(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv(
        tmp_path / "eu.csv", [*national_rows({2019: "6,5"}), row(2019, SCHOOL_A, "7,0")]
    )
    code, out, _ = _run(capsys, "import-survey", str(export))
    assert code == 0
    assert "Advarsel: Landssnittet for «Mobbing på skolen» 2019 er 6,5 %" in out


def test_a_missing_file_is_refused(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "import-survey", str(tmp_path / "finnes-ikke.csv"))
    assert code == 2 and "UNREADABLE_FILE" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal = _Terminal()
    bar = ProgressBar("Leser eu.csv", terminal, width=10)
    bar(50, 100)
    bar(100, 100)
    bar.close()
    assert terminal.getvalue().endswith("\rLeser eu.csv [##########] 100,0 %\n")
    assert "[#####.....]  50,0 %" in terminal.getvalue()
    quiet = io.StringIO()
    silent = ProgressBar("Leser eu.csv", quiet)
    silent(50, 100)
    silent.close()
    assert quiet.getvalue() == ""
