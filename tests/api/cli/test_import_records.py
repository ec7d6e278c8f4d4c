"""`utvalg import-records FILE`, and `utvalg evaluate` using the office's records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli.main import main
from tests.builders import RULES, SCHOOL_A, baseline


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "utvalg.db"
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_imported_records_fill_k2_in_evaluate(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "saker.csv"
    sheet.write_text(f"Type;Organisasjonsnummer;År\nklagesak;{SCHOOL_A};2018\n", encoding="utf-8")
    assert main(["import-records", str(sheet)]) == 0
    assert "saker.csv: 1 rad registrert (id 1–1)." in capsys.readouterr().out
    data = baseline()
    del data["schools"][0]["cases"]
    application = tmp_path / "soknad.yaml"
    application.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["evaluate", "--rules", str(RULES), "--format", "json", str(application)]) == 0
    (decision,) = json.loads(capsys.readouterr().out)
    k2 = next(
        c for c in decision["criteria"] if c["criterion"] == "K2" and c["subject"]["id"] == SCHOOL_A
    )
    assert k2["status"] == "met" and "Kilde: embetets egne opplysninger" in k2["explanation"]


def test_a_bad_sheet_registers_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "saker.csv"
    sheet.write_text("Type;Organisasjonsnummer;År\nklage;123;2018\n", encoding="utf-8")
    assert main(["import-records", str(sheet)]) == 2
    err = capsys.readouterr().err
    assert "saker.csv:2:" in err and "BAD_VALUE" in err and "Ingenting ble registrert" in err
