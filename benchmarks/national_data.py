"""A synthetic country of pulje-5 applications, for benchmarks and load tests.

`generate_country(seed)` returns 356 applications, one for each municipality of the
eleven pulje-5 counties (2020 county numbering and the 2020 number of municipalities
per county), with about 2,800 schools and 5,700 kindergartens in total. Every
application is valid per CONTRACT section 1: plain JSON types only (`received` is an
ISO date string), valid and country-wide unique org numbers, unique municipality
numbers that start with the county number.

The data are invented: names are built from Norwegian-sounding parts, survey figures
are drawn around the national averages (most schools 5–12 % bullied, some years
suppressed or with few respondents), and cases, supervisions, motivation and
participation flags are mixed so that every outcome and every unit status occurs.
Generation is deterministic for a given seed (a private `random.Random`, never the
global generator) and takes well under a second.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

# County -> (number of municipalities in 2020, lowest and highest municipality suffix).
COUNTIES: dict[str, tuple[int, int, int]] = {
    "03": (1, 1, 1),  # Oslo: only 0301
    "11": (23, 1, 60),  # Rogaland
    "15": (26, 5, 80),  # Møre og Romsdal
    "18": (41, 4, 75),  # Nordland
    "30": (51, 1, 54),  # Viken
    "34": (46, 1, 54),  # Innlandet
    "38": (23, 1, 25),  # Vestfold og Telemark
    "42": (25, 1, 28),  # Agder
    "46": (43, 1, 51),  # Vestland
    "50": (38, 1, 61),  # Trøndelag
    "54": (39, 1, 44),  # Troms og Finnmark
}
DEADLINES = {"18": dt.date(2020, 2, 14)}
DEFAULT_DEADLINE = dt.date(2020, 2, 1)

TARGET_SCHOOLS = 2800
TARGET_KINDERGARTENS = 5700
OSLO_SCHOOLS = 180
OSLO_KINDERGARTENS = 650

SURVEY_YEARS = (2017, 2018, 2019)
# Relative level of bullying per year (national averages 6.6, 6.1 and 6.0 %).
YEAR_FACTOR = {2017: 1.0, 2018: 0.93, 2019: 0.91}
DEFICIENCIES = ("practice", "routines", "system")

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_PREFIXES = (
    "Nord", "Sør", "Vest", "Øst", "Fjell", "Sand", "Stein", "Lyng", "Berg", "Elve",
    "Sjø", "Skog", "Fjord", "Li", "Hol", "Ny", "Gran", "Bjørke", "Rogn", "Hage",
    "Mo", "Strand", "Ås", "Bekke", "Furu", "Lunde", "Kvern", "Myr", "Hov", "Røn",
)  # fmt: skip
_SUFFIXES = (
    "vik", "dal", "ås", "berg", "øy", "fjord", "nes", "stad", "heim", "sund",
    "land", "bø", "mo", "haug", "li", "lund", "seter", "eng", "vang", "bakken",
)  # fmt: skip
_SCHOOL_KINDS = ("skole", "skole", "skole", "barneskole", "ungdomsskole", "oppvekstsenter")
_KINDERGARTEN_KINDS = ("barnehage", "barnehage", "barnehage", "naturbarnehage", "gårdsbarnehage")


class _Country:
    """The state of one generation run: the random generator and the org numbers used."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.org_numbers: set[str] = set()
        self.municipality_names: set[str] = set()

    # --- small helpers -------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def tristate(self, p_true: float, p_null: float) -> bool | None:
        """True with p_true, None with p_null, otherwise False."""
        x = self.rng.random()
        if x < p_true:
            return True
        if x < p_true + p_null:
            return None
        return False

    def org_number(self) -> str:
        """A new 9-digit org number with a valid mod-11 check digit, unique in the country."""
        while True:
            first = self.rng.choice("89") + f"{self.rng.randrange(10**7):07d}"
            r = sum(int(d) * w for d, w in zip(first, _ORG_WEIGHTS, strict=True)) % 11
            check = 0 if r == 0 else 11 - r
            if check == 10:
                continue
            number = first + str(check)
            if number not in self.org_numbers:
                self.org_numbers.add(number)
                return number

    def name(self, used: set[str], kinds: tuple[str, ...] = ("",)) -> str:
        """A Norwegian-sounding name ("Nordvik skole") not yet in `used` (which is updated)."""
        name = "Nyby"
        for _ in range(100):
            prefix, suffix = self.rng.choice(_PREFIXES), self.rng.choice(_SUFFIXES)
            if prefix.lower() == suffix:
                continue  # no "Åsås"
            place = prefix + suffix
            name = f"{place} {self.rng.choice(kinds)}".strip()
            if name not in used:
                break
        else:
            name = f"{name} {len(used) + 1}"
        used.add(name)
        return name

    # --- the parts of an application -----------------------------------------------

    def supervision(self, p_null: float, p_empty: float) -> list[dict[str, Any]] | None:
        x = self.rng.random()
        if x < p_null:
            return None
        if x < p_null + p_empty:
            return []
        result = []
        for _ in range(self.rng.choice((1, 1, 1, 2))):
            found = [d for d in DEFICIENCIES if self.chance(0.35)]
            result.append({"year": self.rng.randint(2014, 2020), "deficiencies": found})
        return result

    def survey(self, size: int) -> list[dict[str, Any]]:
        rate = min(0.6, self.rng.lognormvariate(math.log(0.065), 0.35))
        figures = []
        for year in SURVEY_YEARS:
            respondents = max(0, round(size * self.rng.uniform(0.9, 1.1)))
            figure: dict[str, Any] = {"year": year, "percent": None, "respondents": respondents}
            if respondents < 10 and self.chance(0.6):
                figure["suppressed"] = True
                figure["respondents"] = None if self.chance(0.5) else respondents
            elif self.chance(0.02):
                figure["respondents"] = None  # no figure at all that year
            elif respondents > 0:
                p = rate * YEAR_FACTOR[year]
                spread = math.sqrt(respondents * p * (1 - p))
                bullied = min(respondents, max(0, round(self.rng.gauss(respondents * p, spread))))
                figure["percent"] = round(100 * bullied / respondents, 1)
                if self.chance(0.1):
                    figure["respondents"] = None  # figure published without a count
            figures.append(figure)
        return figures

    def cases(self) -> list[dict[str, Any]] | None:
        x = self.rng.random()
        if x < 0.15:
            return None
        if x < 0.65:
            return []
        result = []
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            case: dict[str, Any] = {
                "year": self.rng.randint(2014, 2020),
                "kind": "complaint" if self.chance(0.4) else "other",
            }
            if self.chance(0.2):
                case["complex"] = True
            elif self.chance(0.5):
                case["complex"] = False
            case["months_open"] = None if self.chance(0.15) else self.rng.randint(0, 24)
            result.append(case)
        return result

    def owner(self, unit_name: str, p_private: float) -> dict[str, Any] | None:
        if not self.chance(p_private):
            return None
        suffix = self.rng.choice(("AS", "SA", "stiftelse"))
        name = f"Stiftelsen {unit_name}" if suffix == "stiftelse" else f"{unit_name} {suffix}"
        owner: dict[str, Any] = {"name": name, "private": True}
        if self.chance(0.9):
            owner["org_number"] = self.org_number()
        owner["participates"] = self.tristate(0.97, 0.02)
        return owner

    def school(self, used: set[str]) -> dict[str, Any]:
        name = self.name(used, _SCHOOL_KINDS)
        school: dict[str, Any] = {
            "org_number": self.org_number(),
            "name": name,
            "motivated": self.tristate(0.9, 0.05),
        }
        owner = self.owner(name, 0.05)
        if owner is not None:
            school["owner"] = owner
        # Pupils answering (grades 5-10): mostly 40-300, but some small rural schools.
        median = 18 if self.chance(0.12) else 110
        size = max(0, round(self.rng.lognormvariate(math.log(median), 0.7)))
        school["bullying"] = self.survey(size)
        school["cases"] = self.cases()
        school["supervision"] = self.supervision(0.4, 0.4)
        return school

    def kindergarten(self, used: set[str], schools: list[dict[str, Any]]) -> dict[str, Any]:
        name = self.name(used, _KINDERGARTEN_KINDS)
        kindergarten: dict[str, Any] = {
            "org_number": self.org_number(),
            "name": name,
            "motivated": self.tristate(0.9, 0.05),
        }
        owner = self.owner(name, 0.45)
        if owner is not None:
            kindergarten["owner"] = owner
        kindergarten["supervision"] = self.supervision(0.4, 0.4)
        x = self.rng.random()
        if x < 0.1 or not schools:
            feeds: list[str] | None = None
        elif x < 0.15:
            feeds = []
        else:
            picked = self.rng.sample(schools, min(len(schools), self.rng.choice((1, 1, 2))))
            feeds = [s["org_number"] for s in picked]
        kindergarten["feeds_schools"] = feeds
        kindergarten["known_challenges"] = self.tristate(0.1, 0.2)
        return kindergarten

    def received(self, county: str) -> str | None:
        if self.chance(0.02):
            return None
        deadline = DEADLINES.get(county, DEFAULT_DEADLINE)
        if self.chance(0.08):
            offset = self.rng.randint(1, 10)  # late
        else:
            offset = -min(40, int(abs(self.rng.gauss(0, 8))))
        return (deadline + dt.timedelta(days=offset)).isoformat()

    def application(
        self, county: str, number: str, n_schools: int, n_kindergartens: int
    ) -> dict[str, Any]:
        names: set[str] = set()
        municipality_name = self.name(self.municipality_names)
        schools = [self.school(names) for _ in range(n_schools)]
        kindergartens = [self.kindergarten(names, schools) for _ in range(n_kindergartens)]
        application: dict[str, Any] = {
            "id": f"k{number}-2020",
            "round": "pulje-5",
            "county": county,
        }
        received = self.received(county)
        if received is not None:
            application["received"] = received
        application["municipality"] = {
            "number": number,
            "name": municipality_name,
            "motivated": self.tristate(0.93, 0.04),
            "supervision": self.supervision(0.2, 0.3),
        }
        application["participants"] = {
            "school_owner": self.tristate(0.95, 0.03),
            "kindergarten_owner": self.tristate(0.95, 0.03),
            "ppt": self.tristate(0.95, 0.03),
        }
        application["schools"] = schools
        application["kindergartens"] = kindergartens
        return application


def _sizes(rng: random.Random, n: int, total: int) -> list[int]:
    """n positive sizes (lognormal, so a few large municipalities) summing to about total."""
    weights = [rng.lognormvariate(0, 0.9) for _ in range(n)]
    scale = total / sum(weights)
    return [max(1, round(w * scale)) for w in weights]


def generate_country(seed: int = 2020) -> list[dict[str, Any]]:
    """Generate the 356 applications of a synthetic country, deterministically from `seed`."""
    country = _Country(seed)
    rng = country.rng
    municipalities: list[tuple[str, str]] = []
    for county, (count, low, high) in COUNTIES.items():
        suffixes = sorted(rng.sample(range(low, high + 1), count))
        municipalities.extend((county, f"{county}{s:02d}") for s in suffixes)
    others = len(municipalities) - 1
    school_sizes = _sizes(rng, others, TARGET_SCHOOLS - OSLO_SCHOOLS)
    ratios = [rng.uniform(1.4, 2.6) for _ in range(others)]
    kindergarten_raw = [s * r for s, r in zip(school_sizes, ratios, strict=True)]
    scale = (TARGET_KINDERGARTENS - OSLO_KINDERGARTENS) / sum(kindergarten_raw)
    kindergarten_sizes = [max(1, round(k * scale)) for k in kindergarten_raw]
    applications = []
    i = 0
    for county, number in municipalities:
        if county == "03":
            n_schools, n_kindergartens = OSLO_SCHOOLS, OSLO_KINDERGARTENS
        else:
            n_schools, n_kindergartens = school_sizes[i], kindergarten_sizes[i]
            i += 1
            if rng.random() < 0.01:
                n_kindergartens = 0  # a municipality applying with schools only
        applications.append(country.application(county, number, n_schools, n_kindergartens))
    return applications


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    country = generate_country()
    elapsed = time.perf_counter() - started
    print(f"applications:  {len(country)}")
    print(f"schools:       {sum(len(a['schools']) for a in country)}")
    print(f"kindergartens: {sum(len(a['kindergartens']) for a in country)}")
    print(f"generated in {elapsed:.3f} s")
