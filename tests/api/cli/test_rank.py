"""`utvalg rank`: per county with capacity (CONTRACT section 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.cli.test_evaluate import EXAMPLES, RULES, run


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


def test_rank_refuses_two_applications_from_one_municipality(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    trondheim = next(p for p in EXAMPLES if p.endswith("trondheim-2020.yaml"))
    again = tmp_path / "trondheim-igjen.yaml"
    again.write_text(Path(trondheim).read_text().replace("id: trondheim-2020", "id: trondheim-b"))
    code, out, err = run(capsys, "rank", "--rules", RULES, trondheim, str(again), EXAMPLES[0])
    assert code == 2 and out == ""
    assert "DUPLICATE_MUNICIPALITY" in err
    assert str(again) in err and trondheim in err and "5001" in err
    assert "trondheim-2020" in err and "trondheim-b" in err


def test_rank_text_names_municipality_and_received_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rank", "--rules", RULES, *EXAMPLES)
    assert code == 0
    rows = {line.split()[-1]: line for line in out.splitlines() if line.endswith("-2020")}
    # Rana and Bodø are both recommended with 6 points: the received date decides
    assert rows["rana-2020"].split()[:6] == ["1", "1833", "Rana", "15.01.2020", "Anbefalt", "6"]
    assert rows["rana-2020"].split()[6] == "ja"
    assert rows["bodo-2020"].split()[1:4] == ["1804", "Bodø", "10.02.2020"]
    assert rows["bodo-2020"].split()[6] == "nei"
    assert "mangler" in rows["vestvagoy-2020"]  # no received date
    assert "Kommune" in out and "Mottatt" in out
