"""What a scenario builds and sees: draft applications, the decision, the refusal, the ranking.

The column names of every table (and of «…» satt til «…») are defined here once, per subject,
so the README in features/ can list them and a new scenario needs no Python.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.livingdocs.steps import values as v
from api.livingdocs.steps.values import StepProblem
from engine import Decision, Diagnostic, Ranking, RuleSet


@dataclass(frozen=True)
class Column:
    """One table column: where its value goes in the application and how the cell is read."""

    path: tuple[str, ...]
    read: Callable[[str], Any]
    omit_when_empty: bool = False  # an empty cell leaves the field out (the contract's default)


APPLICATION_COLUMNS = {
    "id": Column(("id",), v.text),
    "runde": Column(("round",), v.text),
    "fylke": Column(("county",), v.text),
    "mottatt": Column(("received",), v.date),
    "skoleeier deltar": Column(("participants", "school_owner"), v.yes_no),
    "barnehageeier deltar": Column(("participants", "kindergarten_owner"), v.yes_no),
    "ppt deltar": Column(("participants", "ppt"), v.yes_no),
}
MUNICIPALITY_COLUMNS = {
    "navn": Column(("name",), v.text),
    "kommunenummer": Column(("number",), v.text),
    "motivert": Column(("motivated",), v.yes_no),
    "tilsyn": Column(("supervision",), v.list_marker),
}
_OWNER_COLUMNS = {
    "eier": Column(("owner", "name"), v.text),
    "privat eier": Column(("owner", "private"), v.yes_no),
    "eier deltar": Column(("owner", "participates"), v.yes_no),
}
SCHOOL_COLUMNS = {
    "skole": Column(("name",), v.text),
    "org.nr": Column(("org_number",), v.text),
    "motivert": Column(("motivated",), v.yes_no),
    "mobbetall": Column(("bullying",), v.list_marker),
    "saker": Column(("cases",), v.list_marker),
    "tilsyn": Column(("supervision",), v.list_marker),
    **_OWNER_COLUMNS,
}
KINDERGARTEN_COLUMNS = {
    "barnehage": Column(("name",), v.text),
    "org.nr": Column(("org_number",), v.text),
    "motivert": Column(("motivated",), v.yes_no),
    "tilsyn": Column(("supervision",), v.list_marker),
    "sender barn til": Column(("feeds_schools",), v.names),
    "kjente utfordringer": Column(("known_challenges",), v.yes_no),
    **_OWNER_COLUMNS,
}
SURVEY_COLUMNS = {
    "år": Column(("year",), v.integer),
    "prosent": Column(("percent",), v.number),
    "svar": Column(("respondents",), v.integer),
    "skjermet": Column(("suppressed",), v.yes_no, omit_when_empty=True),
}
CASE_COLUMNS = {
    "år": Column(("year",), v.integer),
    "type": Column(("kind",), v.case_kind),
    "kompleks": Column(("complex",), v.yes_no, omit_when_empty=True),
    "måneder åpen": Column(("months_open",), v.integer),
}
SUPERVISION_COLUMNS = {
    "år": Column(("year",), v.integer),
    "avvik": Column(("deficiencies",), v.deficiencies),
}
COLUMNS = {
    "application": APPLICATION_COLUMNS,
    "municipality": MUNICIPALITY_COLUMNS,
    "school": SCHOOL_COLUMNS,
    "kindergarten": KINDERGARTEN_COLUMNS,
}
# Other ways of writing a column name.
ALIASES = {
    "skoleeier": "skoleeier deltar",
    "barnehageeier": "barnehageeier deltar",
    "ppt": "ppt deltar",
    "privat": "privat eier",
    "organisasjonsnummer": "org.nr",
    "orgnr": "org.nr",
    "mottaksdato": "mottatt",
}
KIND_NOUN = {
    "application": "søknaden",
    "municipality": "kommunen",
    "school": "skolen",
    "kindergarten": "barnehagen",
}
SUBJECT = r"(?P<subject>søknaden|kommunen|skolen «[^»]+»|barnehagen «[^»]+»)"


def column_key(name: str) -> str:
    """A column name as looked up: lower case, single spaces, aliases resolved."""
    key = " ".join(name.lower().split())
    return ALIASES.get(key, key)


def rows_of(datatable: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """A Gherkin table (first row = column names) as one dict per row."""
    if not datatable:
        raise StepProblem("Tabellen er tom: første rad skal være kolonnenavnene.")
    header = [cell.strip() for cell in datatable[0]]
    return [dict(zip(header, row, strict=True)) for row in datatable[1:]]


def _lookup(columns: dict[str, Column], name: str, where: str) -> Column:
    col = columns.get(column_key(name))
    if col is None:
        known = ", ".join(f"«{c}»" for c in columns)
        raise StepProblem(f"Ukjent kolonne «{name}» for {where}. Kjente kolonner: {known}.")
    return col


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = target[part] = {}
        target = inner
    target[path[-1]] = value


def fill(
    target: dict[str, Any], columns: dict[str, Column], row: dict[str, str], where: str
) -> None:
    """Write one table row into a subject's data, column by column."""
    ordered = sorted(row.items(), key=lambda kv: column_key(kv[0]) != "eier")  # owner name first
    municipal = False  # the municipality owns the unit: empty owner cells mean nothing
    for name, cell in ordered:
        col = _lookup(columns, name, where)
        if col.omit_when_empty and not cell.strip():
            continue
        if municipal and col.path[0] == "owner" and not cell.strip():
            continue
        value = col.read(cell)
        if col.path == ("owner", "name") and (value is None or str(value).lower() == "kommunen"):
            target.pop("owner", None)
            municipal = True
            continue
        _put(target, col.path, value)


def list_rows(
    datatable: Sequence[Sequence[str]], columns: dict[str, Column], what: str
) -> list[Any]:
    """The rows of a mobbetall/saker/tilsyn table as contract-shaped dicts."""
    out: list[Any] = []
    for row in rows_of(datatable):
        item: dict[str, Any] = {}
        fill(item, columns, row, what)
        out.append(item)
    return out


@dataclass
class Draft:
    """One application as the Gitt steps write it; school names resolve at evaluation."""

    data: dict[str, Any]

    @property
    def label(self) -> str:
        """`Trondheim kommune`: how a scenario names this application."""
        return f"{self.data['municipality']['name']} kommune"

    def units(self, kind: str) -> list[dict[str, Any]]:
        """The schools or kindergartens written so far."""
        key = "schools" if kind == "school" else "kindergartens"
        units = self.data.setdefault(key, [])
        assert isinstance(units, list)
        return units

    def unit(self, kind: str, name: str) -> dict[str, Any]:
        """The first school or kindergarten with this name."""
        for unit in self.units(kind):
            if unit.get("name") == name:
                return unit
        known = ", ".join(f"«{u.get('name')}»" for u in self.units(kind)) or "ingen"
        noun = "skole" if kind == "school" else "barnehage"
        raise StepProblem(f"Søknaden har ingen {noun} som heter «{name}». Den har: {known}.")

    def subject(self, phrase: str) -> tuple[str, dict[str, Any]]:
        """`kommunen`, `skolen «Nordby skole»` … -> (kind, the subject's data)."""
        if phrase == "søknaden":
            return "application", self.data
        if phrase == "kommunen":
            return "municipality", self.data["municipality"]
        match = re.fullmatch(r"(skolen|barnehagen) «([^»]+)»", phrase)
        if match is None:
            raise StepProblem(
                f"Forstår ikke «{phrase}»: skriv søknaden, kommunen, skolen «navn» "
                "eller barnehagen «navn»."
            )
        kind = "school" if match.group(1) == "skolen" else "kindergarten"
        return kind, self.unit(kind, match.group(2))

    def add_unit(self, kind: str, row: dict[str, str]) -> None:
        """Add a school or kindergarten from a table row (the name gives its org number)."""
        noun = "skole" if kind == "school" else "barnehage"
        name_col = next((c for c in row if column_key(c) in (noun, "navn")), None)
        if name_col is None or v.is_unknown(row[name_col]):
            raise StepProblem(f"Tabellen over {noun}r må ha kolonnen «{noun}» med navnet.")
        name = row[name_col].strip()
        unit: dict[str, Any] = {"org_number": v.org_number_for(name), "name": name}
        rest = {c: cell for c, cell in row.items() if c != name_col}
        fill(unit, COLUMNS[kind], rest, f"{KIND_NOUN[kind]} «{name}»")
        self.units(kind).append(unit)

    def resolved(self) -> dict[str, Any]:
        """The application data with the schools a kindergarten names turned into org numbers."""
        data = copy.deepcopy(self.data)
        schools = {s.get("name"): s.get("org_number") for s in data.get("schools", [])}
        for kg in data.get("kindergartens", []):
            feeds = kg.get("feeds_schools")
            if isinstance(feeds, list):
                kg["feeds_schools"] = [
                    n
                    if re.fullmatch(r"[0-9]{9}", str(n))
                    else schools.get(n) or v.org_number_for(n)
                    for n in feeds
                ]
        return data


def set_raw(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a contract path like `municipality.motivated` or `schools[0].name` in raw data."""
    parts: list[str | int] = []
    for piece in dotted.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[[0-9]+\])*)", piece)
        if match is None:
            raise StepProblem(f"Forstår ikke feltstien «{dotted}».")
        parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[([0-9]+)\]", match.group(2))]
    target: Any = data
    for part, nxt in zip(parts, parts[1:], strict=False):
        if isinstance(part, int):
            target = target[part]
        else:
            if part not in target or target[part] is None:
                target[part] = [] if isinstance(nxt, int) else {}
            target = target[part]
    target[parts[-1]] = value


@dataclass
class ScenarioLog:
    """Appends what a scenario reached (criterion statuses, outcomes, unit statuses) to a file.

    The file is named by UTVALG_SCENARIO_LOG; `utvalg check --coverage` counts it up.
    """

    path: Path | None

    def write(self, entry: dict[str, Any]) -> None:
        """Append one JSON line (nothing when no log file was asked for)."""
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def hit(self, test: str, what: str, key: str, status: str = "") -> None:
        """Record that a scenario checked `key` (a criterion, `outcome` or `unit`) at a status."""
        self.write({"type": "hit", "test": test, "what": what, "key": key, "status": status})


@dataclass
class World:
    """Everything one scenario has built and seen."""

    ruleset: RuleSet
    log: ScenarioLog
    test: str
    drafts: list[Draft] = field(default_factory=list)
    decision: Decision | None = None
    refusal: list[Diagnostic] | None = None
    refused: str = ""  # which application was refused, e.g. "Trondheim kommune"
    labels: dict[str, str] = field(default_factory=dict)  # application id -> "Trondheim kommune"
    ranking: Ranking | None = None

    @property
    def draft(self) -> Draft:
        """The application the last «Gitt en søknad …» started."""
        if not self.drafts:
            raise StepProblem("Ingen søknad ennå: begynn med «Gitt en søknad fra … kommune …».")
        return self.drafts[-1]

    def draft_named(self, municipality: str) -> Draft:
        """The application from a municipality, named as in the scenario."""
        for draft in self.drafts:
            if draft.data["municipality"]["name"] == municipality:
                return draft
        known = ", ".join(f"«{d.label}»" for d in self.drafts) or "ingen"
        raise StepProblem(f"Ingen søknad fra {municipality} kommune. Søknadene er: {known}.")
