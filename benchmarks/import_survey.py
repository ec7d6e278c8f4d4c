"""Benchmark: import a national Elevundersøkelsen export into a fresh SQLite database.

Writes a synthetic export like Udir's (2,800 schools × 4 school years × 10 indicators,
plus country and county rows: about 112,500 rows, semicolon CSV with a BOM, decimal
commas, non-breaking-space thousands separators and some suppressed values) to a
temporary folder, then parses it and imports it into a temporary SQLite database.
Prints rows/s, seconds per phase and peak memory; then imports the same file again
(nothing changes) and a newer file with changed figures. Goal: < 5 s, < 200 MB.

    .venv/bin/python benchmarks/import_survey.py [--xlsx] [--tracemalloc]

`--xlsx` writes the same table as an Excel workbook (shared strings, numbers as
numbers, as Excel saves it) instead of CSV.

`--tracemalloc` measures the peak of Python allocations in a second, untimed run
(tracemalloc slows everything down); the timed run reports the process's peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.store.db import make_engine, migrate  # noqa: E402
from api.survey.parse import file_checksum, parse_survey_file  # noqa: E402
from api.survey.store import figure_count, find_import, import_survey  # noqa: E402
from engine import load_ruleset  # noqa: E402
from engine.text import format_fixed  # noqa: E402

SCHOOLS = 2800
YEARS = (2016, 2017, 2018, 2019)
INDICATORS = ("EUIndeks_1398", *(f"EUIndeks_{1400 + i}" for i in range(9)))
COUNTIES = ("03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54")
NATIONAL = {2016: 6.9, 2017: 6.6, 2018: 6.1, 2019: 6.0}
HEADER = (
    "Skoleaarnavn;Fylkekode;Kommunekode;Organisasjonsnummer;EnhetNavn;EnhetNivaa;"
    "Spoersmaalkode;AndelMobbet;AntallBesvart;Kjoenn"
)
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_numbers(n: int) -> list[str]:
    """n valid organisation numbers (mod-11 check digit), from 970000000 upwards."""
    out, base = [], 97000000
    while len(out) < n:
        digits = [int(c) for c in f"{base:08d}"]
        rest = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            out.append(f"{base:08d}{check}")
        base += 3
    return out


def _number(value: float) -> str:
    return format_fixed(value, 1)


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")  # thousands separator as Udir writes it


def rows(seed: int, shift: float = 0.0) -> Iterator[str]:
    """The export's lines after the header; `shift` moves some school figures (a newer file)."""
    rng = random.Random(seed)
    schools = org_numbers(SCHOOLS)
    for year in YEARS:
        school_year = f"{year}-{(year + 1) % 100:02d}"
        for indicator in INDICATORS:
            level = NATIONAL[year] if indicator == "EUIndeks_1398" else 80.0
            yield (
                f"{school_year};;;;Nasjonalt;1;{indicator};{_number(level)};{_count(400_000)};Alle"
            )
            for county in COUNTIES:
                yield (
                    f"{school_year};{county};;;Fylke {county};2;{indicator};"
                    f"{_number(level + rng.uniform(-1, 1))};{_count(30_000)};Alle"
                )
            for i, org in enumerate(schools):
                respondents = rng.randint(3, 900)
                if respondents < 10 or rng.random() < 0.03:
                    percent, answered = "*", "*"
                else:
                    value = max(0.0, rng.gauss(level, 3.0))
                    if shift and (i + year) % 5 == 0:  # every fifth school changes
                        value = min(100.0, value + shift)
                    percent, answered = _number(min(100.0, value)), _count(respondents)
                yield (
                    f"{school_year};{COUNTIES[i % 11]};{COUNTIES[i % 11]}01;{org};"
                    f"Skole {i} skole;3;{indicator};{percent};{answered};Alle"
                )


def write_csv(path: Path, seed: int, shift: float = 0.0) -> int:
    """Write the export as CSV with a BOM; returns the number of data rows."""
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER + "\r\n")
        for line in rows(seed, shift):
            out.write(line + "\r\n")
            n += 1
    return n


def write_xlsx(path: Path, seed: int) -> int:
    """Write the export as an .xlsx sheet the way Excel does (shared strings, numbers)."""
    from tests.survey_export import write_excel_xlsx

    def typed(cells: list[str]) -> list[Any]:
        out: list[Any] = list(cells)
        out[5] = int(cells[5])
        if cells[7] != "*":
            out[7] = float(cells[7].replace(",", "."))
        if cells[8] != "*":
            out[8] = int(cells[8].replace("\u00a0", ""))
        return out

    count = 0

    def table() -> Iterator[list[Any]]:
        nonlocal count
        yield HEADER.split(";")
        for line in rows(seed):
            count += 1
            yield typed(line.split(";"))

    write_excel_xlsx(path, table())
    return count


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Generate, parse, import; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", action="store_true", help="the .xlsx export instead of CSV")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python heap")
    args = parser.parse_args()
    ruleset = load_ruleset(ROOT / "rules" / "pulje-5")
    averages = {ruleset.id: ruleset.survey.national_average}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / ("elevundersokelsen.xlsx" if args.xlsx else "elevundersokelsen.csv")
        started = time.perf_counter()
        count = (write_xlsx if args.xlsx else write_csv)(export, 5)
        print(
            f"Fil: {export.name}, {count} rader, {export.stat().st_size / 1e6:.1f} MB "
            f"(laget på {time.perf_counter() - started:.1f} s)"
        )
        engine = make_engine(f"sqlite:///{folder / 'utvalg.db'}")
        migrate(engine)
        rss_before = _rss_mb()

        t0 = time.perf_counter()
        parsed = parse_survey_file(str(export), name=export.name)
        t1 = time.perf_counter()
        report = import_survey(engine, parsed, national_averages=averages)
        t2 = time.perf_counter()
        total = t2 - t0
        print(
            f"Import: {parsed.rows_read} rader lest, {report.imported} skoletall lagret "
            f"({report.suppressed} skjermet), {report.skipped} hoppet over, "
            f"{len(report.national)} landstall, {len(report.warnings)} advarsler"
        )
        print(f"  lesing {t1 - t0:.2f} s, lagring {t2 - t1:.2f} s, totalt {total:.2f} s")
        print(f"  {parsed.rows_read / total:,.0f} rader/s".replace(",", " "))
        print(f"  høyeste minne (RSS): {_rss_mb():.0f} MB (før importen: {rss_before:.0f} MB)")
        assert figure_count(engine) == report.imported
        del parsed

        t0 = time.perf_counter()
        with export.open("rb") as stream:  # as `utvalg import-survey` and the API do it
            again = find_import(engine, file_checksum(stream))
        assert again is not None and again.already_imported
        print(f"Samme fil igjen: {time.perf_counter() - t0:.2f} s, ingenting endret")

        if not args.xlsx:
            newer = folder / "elevundersokelsen-ny.csv"
            write_csv(newer, 5, shift=2.5)
            t0 = time.perf_counter()
            update = import_survey(
                engine,
                parse_survey_file(str(newer), name=newer.name),
                national_averages=averages,
                now=dt.datetime.now(dt.UTC),
            )
            print(
                f"Nyere fil: {time.perf_counter() - t0:.2f} s, {update.updated} endret, "
                f"{update.inserted} nye, {update.unchanged} uendret"
            )
        engine.dispose()

        if args.tracemalloc:
            engine = make_engine(f"sqlite:///{folder / 'heap.db'}")
            migrate(engine)
            tracemalloc.start()
            import_survey(engine, parse_survey_file(str(export), name=export.name))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            engine.dispose()
            print(f"Høyeste Python-minne under import (tracemalloc): {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
