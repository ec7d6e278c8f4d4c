"""`utvalg rank`: per county with capacity (CONTRACT section 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli.parallel import PARALLEL_FROM
from benchmarks.national_data import generate_country
from engine import evaluate, load_application_file, load_ruleset, rank, rankable
from tests.api.cli.test_evaluate import EXAMPLES, RULES, run
from tests.api.cli.test_main import utvalg
from tests.builders import ROOT


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


def _country_files(folder: Path, count: int) -> list[str]:
    """`count` generated applications (each its own municipality) written as JSON files."""
    files = []
    for application in generate_country()[:count]:
        path = folder / f"{application['id']}.json"
        path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    return files


def test_many_files_are_ranked_in_workers_exactly_as_in_one_process(tmp_path: Path) -> None:
    files = _country_files(tmp_path, PARALLEL_FROM + 8)
    rules = {"UTVALG_RULES_DIR": str(ROOT / "rules")}
    both = [
        utvalg(tmp_path, "rank", "--format", "json", *files, UTVALG_WORKERS=n, **rules)
        for n in ("2", "1")  # two workers; one, which evaluates in the command's own process
    ]
    assert [done.returncode for done in both] == [0, 0], both[0].stderr + both[1].stderr
    assert both[0].stdout == both[1].stdout
    ruleset = load_ruleset(RULES)
    rounds = {ruleset.id: list(ruleset.counties)}
    apps = [load_application_file(name, rounds=rounds) for name in files]
    expected = rank([rankable(a, evaluate(a, ruleset)) for a in apps], ruleset)
    assert json.loads(both[0].stdout) == expected.model_dump(mode="json")


def test_an_invalid_file_among_many_stops_the_ranking_and_is_named(tmp_path: Path) -> None:
    files = _country_files(tmp_path, PARALLEL_FROM + 8)
    broken = Path(files[-3])
    broken.write_text(broken.read_text().replace('"county": "', '"county": "x', 1))
    done = utvalg(
        tmp_path, "rank", *files, UTVALG_WORKERS="2", UTVALG_RULES_DIR=str(ROOT / "rules")
    )
    assert done.returncode == 2 and done.stdout == ""
    assert str(broken) in done.stderr and "Ingen søknader ble vurdert" in done.stderr
    assert [name for name in files if name in done.stderr] == [str(broken)]
