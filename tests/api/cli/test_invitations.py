"""`utvalg import-register` and `utvalg invitations --county 50 [--format text|json]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli.main import main
from tests.builders import RULES
from tests.survey_national import schools, write_export, write_register


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "utvalg.db"
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_invitations_from_an_export_without_columns_and_a_register(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_export(tmp_path / "eu.csv", with_municipality=False)
    register = write_register(tmp_path / "nsr.csv", leave_out=1)
    assert main(["import-survey", "--rules", str(RULES), str(export)]) == 0
    assert main(["import-register", str(register)]) == 0
    assert "skoleregisteret er importert" in capsys.readouterr().out
    assert main(["invitations", "--county", "03", "--rules", str(RULES)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Fylke 03: 1 kommune med skoler")
    assert "0301 Oslo:" in text and "oppfyller K1" in text
    assert "1 skole uten kommune" in text and schools()[-1].org_number in text
    assert main(["invitations", "--county", "50", "--format", "json", "--rules", str(RULES)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["county"] == "50"
    assert {m["municipality"]["number"] for m in listed["municipalities"]} == {
        "5001",
        "5006",
        "5007",
    }


def test_an_unknown_county_exits_2_in_norwegian(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invitations", "--county", "99", "--rules", str(RULES)]) == 2
    err = capsys.readouterr().err
    assert "fylket «99» er ikke med i regelsettet" in err


def test_a_bad_register_imports_nothing_and_exits_2(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "nsr.csv"
    bad.write_text("Organisasjonsnummer;Navn;Kommunenummer;ErAktiv\n123;X;5001;Ja\n")
    assert main(["import-register", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "nsr.csv:2:" in err and "BAD_ORG_NUMBER" in err
    assert "Ingen filer ble importert" in err
