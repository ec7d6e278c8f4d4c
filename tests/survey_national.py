"""A generated national Elevundersøkelsen export: many schools in several counties, plus NSR.

Deterministic: each school's figures follow from its number, so tests can recompute K1
on the same figures. Some years are suppressed (`*`), some have under 10 respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.builders import org_number
from tests.survey_export import COLUMNS, national_rows, row, write_csv

# (kommunenummer, kommunenavn): three in Trøndelag (50), two in Nordland (18), Oslo (03).
MUNICIPALITIES = [
    ("5001", "Trondheim"),
    ("5006", "Steinkjer"),
    ("5007", "Namsos"),
    ("1804", "Bodø"),
    ("1806", "Narvik"),
    ("0301", "Oslo"),
]
SCHOOLS_PER_MUNICIPALITY = 5
YEARS = (2017, 2018, 2019)
# The register's columns (NSR), with one the importer must ignore.
REGISTER_COLUMNS = [
    "Organisasjonsnummer",
    "Navn",
    "Kommunenummer",
    "Kommunenavn",
    "ErAktiv",
    "ErOffentligSkole",
    "Epost",
]


@dataclass(frozen=True)
class GenSchool:
    """A generated school with its figures per year as the export writes them."""

    org_number: str
    name: str
    municipality: str
    municipality_name: str
    figures: dict[int, tuple[str, str]]  # year → (AndelMobbet, AntallBesvart)


def schools() -> list[GenSchool]:
    """Every generated school, municipality by municipality."""
    out = []
    n = 100
    for m_index, (number, name) in enumerate(MUNICIPALITIES):
        for s in range(SCHOOLS_PER_MUNICIPALITY):
            n += 1
            figures: dict[int, tuple[str, str]] = {}
            for y_index, year in enumerate(YEARS):
                code = (n * 7 + y_index * 3 + m_index) % 11
                if code == 0:
                    figures[year] = ("*", "*")  # suppressed
                elif code == 1:
                    figures[year] = ("14,0", "8")  # under 10 respondents: unknown
                else:
                    percent = 3.0 + code * 0.9 + (m_index % 3)  # 4,8 … 14,0
                    figures[year] = (f"{percent:.1f}".replace(".", ","), f"{20 + code * 30}")
            out.append(GenSchool(org_number(n), f"{name} skole {s + 1}", number, name, figures))
    return out


def export_rows(*, with_municipality: bool = True) -> list[dict[str, Any]]:
    """The export's rows: country averages, then each school's three years."""
    rows = national_rows({2017: "6,6", 2018: "6,1", 2019: "6,0"})
    for school in schools():
        for year, (percent, respondents) in school.figures.items():
            r = row(year, school.org_number, percent, respondents, name=school.name)
            r["Kommunenummer"] = school.municipality if with_municipality else None
            r["Kommunenavn"] = school.municipality_name if with_municipality else None
            rows.append(r)
    return rows


def write_export(path: Path, *, with_municipality: bool = True) -> Path:
    """Write the national export as Udir's CSV (BOM, semicolons, decimal commas)."""
    columns = [c for c in COLUMNS if c != "Kommunekode"]
    if with_municipality:
        columns += ["Kommunenummer", "Kommunenavn"]
    return write_csv(path, export_rows(with_municipality=with_municipality), columns=columns)


def register_rows(*, leave_out: int = 0) -> list[dict[str, Any]]:
    """NSR rows for the generated schools (the last `leave_out` left out, as if merged)."""
    every = schools()
    kept = every[: len(every) - leave_out] if leave_out else every
    return [
        {
            "Organisasjonsnummer": s.org_number,
            "Navn": s.name,
            "Kommunenummer": s.municipality,
            "Kommunenavn": s.municipality_name,
            "ErAktiv": "Ja",
            "ErOffentligSkole": "Ja",
            "Epost": "post@example.no",
        }
        for s in kept
    ]


def write_register(path: Path, *, leave_out: int = 0) -> Path:
    """Write the register as semicolon CSV with a BOM."""
    return write_csv(path, register_rows(leave_out=leave_out), columns=REGISTER_COLUMNS)
