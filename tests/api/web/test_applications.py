"""`/soknader` and its export (api/web/pages/applications.py): ranking, filters, files."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from engine import evaluate, load_application_file, load_ruleset, rank, rankable
from tests.api.web.conftest import ROOT, upload
from tests.api.web.html_checks import check_page, visible_text
from tests.builders import baseline

EXAMPLES = ROOT / "examples" / "pulje-5"
RULES = load_ruleset(ROOT / "rules" / "pulje-5")


def _expected_ranking(county: str) -> list[str]:
    apps = [load_application_file(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    pairs = [rankable(a, evaluate(a, RULES)) for a in apps if a.county == county]
    return [e.application_id for e in rank(pairs, RULES).counties[0].ranking]


def _ranked_rows(html: str) -> list[tuple[str, str]]:
    """(rank or 'LINE', application id) in table order."""
    out = []
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html.split("<tbody>", 1)[1], flags=re.S):
        if "capacity-line" in row:
            out.append(("LINE", ""))
        else:
            rank_no = re.search(r'data-rank="(\d+)"', row)
            app = re.search(r'<a href="/vurderinger/[^"]+">([^<]+)</a>', row)
            assert rank_no and app
            out.append((rank_no.group(1), app.group(1)))
    return out


def test_the_county_is_ranked_with_the_capacity_line_after_the_last_within(
    open_client: TestClient,
) -> None:
    r = open_client.get("/soknader?fylke=50")
    assert r.status_code == 200
    check_page(r.text)
    rows = _ranked_rows(r.text)
    expected = _expected_ranking("50")
    assert [a for n, a in rows if n != "LINE"] == expected
    assert rows[2] == ("LINE", "")  # capacity 2: after the second
    assert rows[:2] == [("1", "trondheim-2020"), ("2", "steinkjer-2020")]
    r = open_client.get("/soknader?fylke=18")
    rows = _ranked_rows(r.text)
    assert rows[1] == ("LINE", "") and rows[0] == ("1", "rana-2020")  # Nordland: capacity 1


def test_the_outcome_filter_keeps_the_county_ranks(open_client: TestClient) -> None:
    r = open_client.get("/soknader?fylke=50&utfall=incomplete")
    rows = _ranked_rows(r.text)
    assert rows == [("4", "malvik-2020"), ("5", "namsos-2020")]
    assert "Kapasitetsgrensen går etter rang 2" in r.text


def test_no_county_chosen_asks_for_one(open_client: TestClient) -> None:
    r = open_client.get("/soknader")
    assert r.status_code == 200 and "Velg et fylke" in r.text
    check_page(r.text)


def test_csv_export_has_a_row_per_application(open_client: TestClient) -> None:
    r = open_client.get("/soknader.csv?fylke=50")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:9] == [
        "Rang", "Søknad", "Kommunenr.", "Kommune", "Fylke", "Mottatt", "Utfall", "Poeng",
        "Innenfor kapasitet",
    ]  # fmt: skip
    assert [h.split()[0] for h in header[9:]] == [c.id for c in RULES.criteria]
    assert [line.split(";")[1] for line in lines[1:]] == _expected_ranking("50")
    first = lines[1].split(";")
    assert first[6:9] == ["Anbefalt", "8", "Ja"]


def test_xlsx_export_opens_with_a_row_per_application(open_client: TestClient) -> None:
    r = open_client.get("/soknader.xlsx?fylke=18")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Rang" and rows[0][8] == "Innenfor kapasitet"
    assert [row[1] for row in rows[1:]] == _expected_ranking("18")
    assert rows[1][6:9] == ("Anbefalt", 6, "Ja") and rows[2][8] == "Nei"
    k6 = rows[0].index("K6 " + RULES.criterion("K6").title)
    by_id = {row[1]: row for row in rows[1:]}
    assert by_id["narvik-2020"][k6] == "ikke oppfylt"


def test_export_needs_a_county(open_client: TestClient) -> None:
    assert open_client.get("/soknader.xlsx").status_code == 422


def test_one_application_is_counted_in_the_singular(
    open_client: TestClient, tmp_path: Path
) -> None:
    text = (EXAMPLES / "trondheim-2020.yaml").read_text(encoding="utf-8")
    # Agder (42), which no other test of this folder ranks (the app is shared by the folder)
    text = text.replace('county: "50"', 'county: "42"').replace('number: "5001"', 'number: "4204"')
    text = text.replace("name: Trondheim", "name: Kristiansand").replace(
        "id: trondheim-2020", "id: kristiansand-2020"
    )
    path = tmp_path / "kristiansand-2020.yaml"
    path.write_text(text, encoding="utf-8")
    upload(open_client, path)
    page = visible_text(open_client.get("/soknader?fylke=42").text)
    assert "1 sak." in page and "1 saker" not in page
    assert "Kapasitet: 2 kommuner" in page


def test_a_withdrawn_case_leaves_the_ranking(open_client: TestClient) -> None:
    # Vestfold (38), which no other test of this folder ranks
    data = baseline()
    data.update(county="38", id="larvik-2020")
    data["municipality"] = dict(data["municipality"], number="3805", name="Larvik")
    for received in ("2020-01-20", "2020-01-22"):  # two versions, one case
        assert (
            open_client.post("/v1/evaluations", json=dict(data, received=received)).status_code
            == 201
        )
    page = open_client.get("/soknader?fylke=38").text
    assert page.count("data-rank=") == 1 and "Larvik" in page
    r = open_client.post("/v1/cases/pulje-5:3805:withdraw", json={"reason": "Trukket i brev."})
    assert r.status_code == 200
    assert "Larvik" not in open_client.get("/soknader?fylke=38").text
