"""The application form: from typed fields to an application, and errors back to the fields.

Field names follow the data: `municipality.number`, `schools.0.name`,
`schools.0.bullying.2017.percent`, `schools.0.cases.1.year`. The form is rebuilt from what
was typed after every submit, so nothing typed is lost; how many rows each list shows is
kept in hidden `count.*` fields and grows with the «Legg til …» buttons (no JavaScript).

Validation is the engine's (`engine.parse_application`): the form only turns text into
numbers where it can and leaves the rest as typed, so the engine's Norwegian message
says what is wrong; each diagnostic's data path is mapped back to the field it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine import Application, Diagnostic
from engine.text import format_figure

Loc = tuple[str | int, ...]

TRI = {"ja": True, "nei": False}
DEFICIENCIES = {"practice": "praksis", "routines": "rutiner", "system": "system"}
CASE_KINDS = {
    "": "Velg type",
    "complaint": "Klagesak til statsforvalteren (§ 9 A-6)",
    "other": "Annen sak",
}
# Selects that must be chosen when their row is filled; the engine's message names the
# data values (complaint/other, true/false), so the form says it in its own words.
_CHOOSE = {
    "county": "Velg fylke.",
    "kind": "Velg type sak.",
    "owner.private": "Velg om eieren er privat.",
}
# The engine's messages name the data fields for file authors («number», null); a form
# shows the message next to the field, so those asides are left out.
_DATA_ASIDES = (
    (re.compile(r" \(«[A-Za-z_]+»\)"), ""),
    (re.compile(r" \(eller null\)"), ""),
    (re.compile(r" \(null\)"), ""),
    (re.compile(r", men er tekst «»"), ""),  # the field is empty: it is plain to see
)
# the lists that may be unknown (null), empty, or listed row by row
LIST_STATES = {"": "Ukjent (ikke oppgitt)", "none": "Ingen", "listed": "Som oppgitt nedenfor"}
_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class FormState:
    """What the form shows: typed values, rows per list, and errors per field."""

    values: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    # (field, what is missing) shown before an application with gaps is evaluated
    missing: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str:
        """The typed value of a field ('' when empty)."""
        return self.values.get(name, "")

    def checked(self, name: str, value: str = "on") -> bool:
        """Whether a checkbox (or one value of a checkbox group) is ticked."""
        return value in self.multi.get(name, []) or self.values.get(name) == value

    def count(self, prefix: str, minimum: int = 1) -> int:
        """How many rows the list under `prefix` shows."""
        return max(minimum, self.counts.get(prefix, minimum))

    def field_errors(self, name: str) -> list[str]:
        """The messages to show next to a field."""
        return self.errors.get(name, [])

    @property
    def has_errors(self) -> bool:
        """True when any field or the form as a whole has an error."""
        return bool(self.errors or self.general)

    def error_list(self) -> list[tuple[str, str]]:
        """(field, «where: message») for the summary at the top, in form order."""
        return [
            (name, f"{self.where(name)}: {msg}")
            for name, msgs in self.errors.items()
            for msg in msgs
        ]

    def where(self, name: str) -> str:
        """Which part of the form a field is in, in Norwegian (for the error summary)."""
        parts = name.split(".")
        unit = {"schools": "Skole", "kindergartens": "Barnehage"}.get(parts[0])
        if unit is None:
            text = {"municipality": "Kommunen", "participants": "Parter"}.get(parts[0], "Søknaden")
            rest = parts[1:]
        else:
            text = f"{unit} {int(parts[1]) + 1}" if parts[1:2] and parts[1].isdigit() else unit
            typed = self.value(".".join(parts[:2]) + ".name").strip()
            if typed:
                text += f" ({typed})"
            rest = parts[2:]
        if rest[:1] == ["bullying"] and len(rest) > 1:
            text += f", Elevundersøkelsen {rest[1]}"
        elif rest[:1] in (["cases"], ["supervision"]) and len(rest) > 1 and rest[1].isdigit():
            text += f", {'sak' if rest[0] == 'cases' else 'tilsyn'} {int(rest[1]) + 1}"
        elif rest[:1] == ["owner"]:
            text += ", eier"
        return text


def field_id(name: str) -> str:
    """The HTML id of a field, from its name."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


# --- reading a submitted form ---------------------------------------------------------

MULTI_SUFFIX = ".deficiencies"

# Bounds on what one page shows, so a small post cannot ask for a page of hundreds of
# megabytes (200 schools × 2,000 survey years). A municipality with more units than this
# sends its application as a file (/vurdering/fil), which has no such page.
MAX_UNITS = 100  # rows of schools, and of kindergartens
MAX_ROWS = 20  # rows of cases or supervisions under one unit or the municipality
MAX_YEARS = 10  # survey years shown per school
MAX_INPUTS = 6_000  # input fields on the whole page (about 60 per fully filled school)
_UNIT_INPUTS, _ROW_INPUTS, _YEAR_INPUTS = 10, 5, 4


def row_limit(prefix: str) -> int:
    """How many rows the list under `prefix` may show (`schools`, `schools.0.cases` …)."""
    return MAX_UNITS if prefix in ("schools", "kindergartens") else MAX_ROWS


def input_count(state: FormState) -> int:
    """About how many input fields the page for `state` has (each row shows at least one)."""
    sub_rows = sum(
        state.count(prefix) for prefix in state.counts if prefix not in ("schools", "kindergartens")
    )
    schools, kindergartens = state.count("schools"), state.count("kindergartens")
    units = schools + kindergartens
    # every unit shows at least one supervision row, every school one case row
    minimum_rows = units + schools
    return (
        units * _UNIT_INPUTS
        + schools * len(state.years) * _YEAR_INPUTS
        + max(sub_rows, minimum_rows) * _ROW_INPUTS
    )


def _count(value: str) -> int | None:
    text = value.strip()
    # isdigit() alone accepts «²» and other digits int() refuses
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _year(token: str) -> int | None:
    return int(token) if token.isascii() and token.isdigit() and len(token) == 4 else None


def from_form(items: Iterable[tuple[str, str]], default_years: Sequence[int]) -> FormState:
    """A FormState from submitted (name, value) pairs; a form error for rows beyond the bounds."""
    state = FormState()
    too_many: set[str] = set()
    for name, value in items:
        if name.startswith("count."):
            prefix, count = name.removeprefix("count."), _count(value)
            if count is None:
                continue
            if count > row_limit(prefix):
                too_many.add(prefix)
                count = row_limit(prefix)
            state.counts[prefix] = count
        elif name.endswith(MULTI_SUFFIX):
            state.multi.setdefault(name, []).append(value)
        elif name not in ("csrf_token", "action"):
            state.values[name] = value
    tokens = [t for t in _SPLIT.split(state.values.get("years", "")) if t]
    years = sorted({y for t in tokens if (y := _year(t)) is not None})
    if len(years) != len(tokens) or len(years) > MAX_YEARS:
        state.general.append(
            f"Skjemaet kan vise høyst {MAX_YEARS} år fra Elevundersøkelsen, skrevet som "
            "årstall med fire sifre. Årene er satt tilbake til regelsettets år."
        )
        years = []
    state.years = years or list(default_years)
    state.values["years"] = ",".join(str(y) for y in state.years)
    for prefix in sorted(too_many):
        state.general.append(_too_many_rows(prefix))
    if input_count(state) > MAX_INPUTS:
        state.general.append(_too_big_page())
        state.counts = {p: min(n, 1) for p, n in state.counts.items()}
    return state


def _too_many_rows(prefix: str) -> str:
    what = {"schools": "skoler", "kindergartens": "barnehager"}.get(prefix)
    if what is not None:
        return (
            f"Skjemaet kan ha høyst {MAX_UNITS} {what}. Har kommunen flere, send søknaden "
            "som fil (YAML eller JSON) nedenfor."
        )
    what = "saker" if prefix.endswith(".cases") else "tilsyn"
    return f"Skjemaet kan ha høyst {MAX_ROWS} {what} per enhet."


def _too_big_page() -> str:
    return (
        "Skjemaet ble for stort til å vises (for mange rader i alt). Radene er satt tilbake "
        "til én per liste; send søknaden som fil (YAML eller JSON) om den har så mange rader."
    )


def blank(default_years: Sequence[int], round_id: str, county: str = "") -> FormState:
    """An empty form: one school and one kindergarten, for the ruleset's survey years."""
    state = from_form([], default_years)
    state.values.update({"round": round_id, "county": county})
    return state


def add_row(state: FormState, action: str) -> bool:
    """Apply an «add row» button (`add:schools`, `add:schools.0.cases` …); True if it was one.

    Beyond the bounds (row_limit, MAX_INPUTS) no row is added and the form says why.
    """
    if not action.startswith("add:"):
        return False
    prefix = action.removeprefix("add:")
    if not re.fullmatch(r"[a-z_]+(\.[0-9]{1,4})?(\.[a-z_]+)?", prefix):
        return False
    before = state.count(prefix)
    if before >= row_limit(prefix):
        state.general.append(_too_many_rows(prefix))
        return True
    state.counts[prefix] = before + 1
    if input_count(state) > MAX_INPUTS:
        state.counts[prefix] = before
        state.general.append(
            "Skjemaet har nådd største størrelse, så raden ble ikke lagt til. Send søknaden "
            "som fil (YAML eller JSON) om den har så mange rader."
        )
    return True


# --- from the form to an application ---------------------------------------------------


class _Builder:
    """Builds the application dict and remembers which field each data path came from."""

    def __init__(self, state: FormState) -> None:
        self.s = state
        self.fields: dict[Loc, str] = {}

    def text(self, name: str, loc: Loc) -> str | None:
        self.fields[loc] = name
        value = self.s.value(name).strip()
        return value or None

    def tri(self, name: str, loc: Loc) -> bool | None:
        self.fields[loc] = name
        return TRI.get(self.s.value(name))

    def number(self, name: str, loc: Loc, *, integer: bool) -> Any:
        self.fields[loc] = name
        raw = self.s.value(name).strip()
        if not raw:
            return None
        text = raw.replace("\u00a0", "").replace(" ", "")
        try:
            return int(text) if integer else float(text.replace(",", "."))
        except ValueError:
            return raw  # the engine says, in Norwegian, what kind of value is expected

    def filled(self, prefix: str, names: Iterable[str]) -> bool:
        return any(self.s.value(f"{prefix}.{n}").strip() for n in names) or bool(
            self.s.multi.get(f"{prefix}{MULTI_SUFFIX}")
        )

    def listed(
        self, prefix: str, loc: Loc, rows: list[Any], state_problem: str
    ) -> list[Any] | None:
        """A list that may be unknown: rows typed → the rows; else by the state select."""
        state = self.s.value(f"{prefix}.state")
        self.fields[loc] = f"{prefix}.state"
        if rows:
            if state == "none":
                self.s.errors.setdefault(f"{prefix}.state", []).append(state_problem)
            return rows
        return None if state == "" else []

    def supervisions(self, prefix: str, loc: Loc) -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] = []
        for i in range(self.s.count(prefix)):
            p = f"{prefix}.{i}"
            if not self.filled(p, ["year"]):
                continue
            at = (*loc, len(rows))
            self.fields[at] = f"{p}.year"
            self.fields[(*at, "deficiencies")] = f"{p}.deficiencies"
            rows.append(
                {
                    "year": self.number(f"{p}.year", (*at, "year"), integer=True),
                    "deficiencies": list(self.s.multi.get(f"{p}{MULTI_SUFFIX}", [])),
                }
            )
        return self.listed(prefix, loc, rows, "Du har valgt «Ingen», men fylt inn tilsyn nedenfor.")

    def owner(self, prefix: str, loc: Loc) -> dict[str, Any] | None:
        p = f"{prefix}.owner"
        if not self.filled(p, ["name", "org_number", "private", "participates"]):
            return None
        self.fields[loc] = f"{p}.name"
        private = self.tri(f"{p}.private", (*loc, "private"))
        return {
            "name": self.text(f"{p}.name", (*loc, "name")) or "",
            "org_number": self.text(f"{p}.org_number", (*loc, "org_number")),
            "private": private,
            "participates": self.tri(f"{p}.participates", (*loc, "participates")),
        }

    def unit(self, kind: str, i: int, at: int) -> dict[str, Any]:
        p = f"{kind}.{i}"
        loc: Loc = (kind, at)
        self.fields[loc] = f"{p}.name"
        unit: dict[str, Any] = {
            "org_number": self.text(f"{p}.org_number", (*loc, "org_number")) or "",
            "name": self.text(f"{p}.name", (*loc, "name")) or "",
            "motivated": self.tri(f"{p}.motivated", (*loc, "motivated")),
        }
        owner = self.owner(p, (*loc, "owner"))
        if owner is not None:
            unit["owner"] = owner
        unit["supervision"] = self.supervisions(f"{p}.supervision", (*loc, "supervision"))
        return unit

    def school(self, i: int, at: int) -> dict[str, Any]:
        p = f"schools.{i}"
        school = self.unit("schools", i, at)
        loc: Loc = ("schools", at)
        surveys: list[dict[str, Any]] = []
        for year in self.s.years:
            q = f"{p}.bullying.{year}"
            suppressed = self.s.value(f"{q}.suppressed") == "on"
            if not (self.filled(q, ["percent", "respondents"]) or suppressed):
                continue
            sl: Loc = (*loc, "bullying", len(surveys))
            self.fields[sl] = f"{q}.percent"
            self.fields[(*sl, "year")] = f"{q}.percent"
            self.fields[(*sl, "suppressed")] = f"{q}.suppressed"
            surveys.append(
                {
                    "year": year,
                    "percent": self.number(f"{q}.percent", (*sl, "percent"), integer=False),
                    "respondents": self.number(
                        f"{q}.respondents", (*sl, "respondents"), integer=True
                    ),
                    "suppressed": suppressed,
                }
            )
        # no figure typed at all: unknown, so imported figures may be used for this school
        school["bullying"] = surveys or None
        cases: list[dict[str, Any]] = []
        for j in range(self.s.count(f"{p}.cases")):
            c = f"{p}.cases.{j}"
            complex_ = self.s.value(f"{c}.complex") == "on"
            if not (self.filled(c, ["year", "kind", "months_open"]) or complex_):
                continue
            cl: Loc = (*loc, "cases", len(cases))
            self.fields[cl] = f"{c}.year"
            self.fields[(*cl, "kind")] = f"{c}.kind"
            self.fields[(*cl, "complex")] = f"{c}.complex"
            cases.append(
                {
                    "year": self.number(f"{c}.year", (*cl, "year"), integer=True),
                    "kind": self.s.value(f"{c}.kind") or None,
                    "complex": complex_,
                    "months_open": self.number(
                        f"{c}.months_open", (*cl, "months_open"), integer=True
                    ),
                }
            )
        school["cases"] = self.listed(
            f"{p}.cases",
            (*loc, "cases"),
            cases,
            "Du har valgt «Ingen», men fylt inn saker nedenfor.",
        )
        return school

    def kindergarten(self, i: int, at: int) -> dict[str, Any]:
        p = f"kindergartens.{i}"
        kg = self.unit("kindergartens", i, at)
        loc: Loc = ("kindergartens", at)
        feeds_name = f"{p}.feeds_schools"
        numbers = [n for n in _SPLIT.split(self.s.value(feeds_name).strip()) if n]
        for j in range(len(numbers)):
            self.fields[(*loc, "feeds_schools", j)] = feeds_name
        kg["feeds_schools"] = self.listed(
            feeds_name,
            (*loc, "feeds_schools"),
            numbers,
            "Du har valgt «Ingen», men skrevet inn organisasjonsnumre.",
        )
        self.fields[(*loc, "feeds_schools")] = feeds_name  # errors show at the text field
        kg["known_challenges"] = self.tri(f"{p}.known_challenges", (*loc, "known_challenges"))
        return kg

    def unit_filled(self, kind: str, i: int) -> bool:
        # a list's state select alone does not make a unit
        p = f"{kind}.{i}."
        typed = (
            v.strip()
            for k, v in self.s.values.items()
            if k.startswith(p) and not k.endswith(".state")
        )
        return any(typed) or any(k.startswith(p) and v for k, v in self.s.multi.items())

    def application(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        app_id = self.text("id", ("id",))
        if app_id is not None:
            out["id"] = app_id
        out["round"] = self.text("round", ("round",)) or ""
        out["county"] = self.text("county", ("county",)) or ""
        received = self.text("received", ("received",))
        if received is not None:
            out["received"] = _iso_date(received)
        self.fields[("municipality",)] = "municipality.name"
        out["municipality"] = {
            "number": self.text("municipality.number", ("municipality", "number")) or "",
            "name": self.text("municipality.name", ("municipality", "name")) or "",
            "motivated": self.tri("municipality.motivated", ("municipality", "motivated")),
            "supervision": self.supervisions(
                "municipality.supervision", ("municipality", "supervision")
            ),
        }
        out["participants"] = {
            part: self.tri(f"participants.{part}", ("participants", part))
            for part in ("school_owner", "kindergarten_owner", "ppt")
        }
        for kind, build in (("schools", self.school), ("kindergartens", self.kindergarten)):
            units: list[dict[str, Any]] = []
            for i in range(self.s.count(kind)):
                if self.unit_filled(kind, i):
                    units.append(build(i, len(units)))
            out[kind] = units
        return out


_NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
# what the date field's `pattern` allows: dd.mm.åååå (the hint) or ÅÅÅÅ-MM-DD (the files)
DATE_PATTERN = r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _iso_date(text: str) -> str:
    """`27.1.2020` → `2020-01-27`: the form's date field is text, typed as dd.mm.åååå."""
    found = _NORWEGIAN_DATE.fullmatch(text)
    if found is None:
        return text
    day, month, year = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def norwegian_date(value: dt.date) -> str:
    """`2020-01-27` → `27.01.2020`, as the form's date field shows it."""
    return value.strftime("%d.%m.%Y") if value.year >= 1000 else value.isoformat()


_PARTIES = {
    "school_owner": "om skoleeier deltar",
    "kindergarten_owner": "om barnehageeier deltar",
    "ppt": "om PPT deltar",
}


def missing_basics(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, Norwegian text) for what a valid application leaves unknown at its top level.

    These are what make a decision «incomplete» (or K6 not met) whatever the units say: the
    received date (FRIST), the municipality's motivation (K4), the parties (K6) and having
    a school and a kindergarten at all (K6).
    """
    out: list[tuple[str, str]] = []
    if not raw.get("received"):
        out.append(("received", "mottatt-dato (uten den er fristen ukjent)"))
    municipality = raw.get("municipality") or {}
    if municipality.get("motivated") is None:
        out.append(("municipality.motivated", "om kommunen er motivert (K4)"))
    participants = raw.get("participants") or {}
    unknown = [part for part in _PARTIES if participants.get(part) is None]
    for part in unknown:
        out.append((f"participants.{part}", f"{_PARTIES[part]} (K6)"))
    if not raw.get("schools"):
        out.append(("schools.0.name", "skoler: ingen skole er fylt inn (K6 krever minst én)"))
    if not raw.get("kindergartens"):
        out.append(
            (
                "kindergartens.0.name",
                "barnehager: ingen barnehage er fylt inn (K6 krever minst én)",
            )
        )
    return out


def to_application(state: FormState) -> tuple[dict[str, Any], dict[Loc, str]]:
    """The application the form describes, and the field each data path came from."""
    builder = _Builder(state)
    return builder.application(), builder.fields


def place_errors(
    state: FormState, diagnostics: Sequence[Diagnostic], fields: Mapping[Loc, str]
) -> None:
    """Put each diagnostic next to the field its path came from (else at the top)."""
    for d in diagnostics:
        loc = tuple(d.loc)
        name = None
        while loc:
            name = fields.get(loc)
            if name is not None:
                break
            loc = loc[:-1]
        if name is None:
            state.general.append(d.message)
            continue
        text = d.message
        for pattern, replacement in _DATA_ASIDES:
            text = pattern.sub(replacement, text)
        for key, choose in _CHOOSE.items():
            if (name == key or name.endswith("." + key)) and not state.value(name):
                text = choose
        if name == "received" and d.code == "BAD_DATE":
            # the engine names the file format (ÅÅÅÅ-MM-DD); the field asks for dd.mm.åååå
            typed = state.value(name).strip()
            text = (
                f"«{typed}» er ikke en gyldig dato. Skriv datoen som dd.mm.åååå, f.eks. 01.02.2020."
            )
        msgs = state.errors.setdefault(name, [])
        if text not in msgs:
            msgs.append(text)


# --- from an application back to the form -----------------------------------------------


def _tri_text(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nei")


def _num_text(value: float | int | None) -> str:
    return "" if value is None else format_figure(value)


def from_application(app: Application, default_years: Sequence[int]) -> FormState:
    """A form filled in with an application (to change it and evaluate it again)."""
    s = FormState()
    v = s.values
    years = set(default_years)
    for school in app.schools:
        years |= {b.year for b in school.bullying or []}
    s.years = sorted(years)
    v["years"] = ",".join(str(y) for y in s.years)
    v["id"] = app.id or ""
    v["round"] = app.round
    v["county"] = app.county
    v["received"] = norwegian_date(app.received) if app.received else ""
    v["municipality.number"] = app.municipality.number
    v["municipality.name"] = app.municipality.name
    v["municipality.motivated"] = _tri_text(app.municipality.motivated)
    _fill_supervision(s, "municipality.supervision", app.municipality.supervision)
    for part in ("school_owner", "kindergarten_owner", "ppt"):
        v[f"participants.{part}"] = _tri_text(getattr(app.participants, part))
    s.counts["schools"] = max(1, len(app.schools))
    for i, school in enumerate(app.schools):
        p = f"schools.{i}"
        _fill_unit(s, p, school)
        for b in school.bullying or []:
            q = f"{p}.bullying.{b.year}"
            v[f"{q}.percent"] = _num_text(b.percent)
            v[f"{q}.respondents"] = _num_text(b.respondents)
            if b.suppressed:
                v[f"{q}.suppressed"] = "on"
        cases = school.cases
        v[f"{p}.cases.state"] = "" if cases is None else ("listed" if cases else "none")
        s.counts[f"{p}.cases"] = max(1, len(cases or []))
        for j, case in enumerate(cases or []):
            c = f"{p}.cases.{j}"
            v[f"{c}.year"] = str(case.year)
            v[f"{c}.kind"] = case.kind
            if case.complex:
                v[f"{c}.complex"] = "on"
            v[f"{c}.months_open"] = _num_text(case.months_open)
    s.counts["kindergartens"] = max(1, len(app.kindergartens))
    for i, kg in enumerate(app.kindergartens):
        p = f"kindergartens.{i}"
        _fill_unit(s, p, kg)
        feeds = kg.feeds_schools
        v[f"{p}.feeds_schools.state"] = "" if feeds is None else ("listed" if feeds else "none")
        v[f"{p}.feeds_schools"] = ", ".join(feeds or [])
        v[f"{p}.known_challenges"] = _tri_text(kg.known_challenges)
    return s


def _fill_unit(s: FormState, p: str, unit: Any) -> None:
    v = s.values
    v[f"{p}.org_number"] = unit.org_number
    v[f"{p}.name"] = unit.name
    v[f"{p}.motivated"] = _tri_text(unit.motivated)
    if unit.owner is not None:
        o = unit.owner
        v[f"{p}.owner.name"] = o.name
        v[f"{p}.owner.org_number"] = o.org_number or ""
        v[f"{p}.owner.private"] = _tri_text(o.private)
        v[f"{p}.owner.participates"] = _tri_text(o.participates)
    _fill_supervision(s, f"{p}.supervision", unit.supervision)


def _fill_supervision(s: FormState, prefix: str, supervisions: list[Any] | None) -> None:
    s.values[f"{prefix}.state"] = (
        "" if supervisions is None else ("listed" if supervisions else "none")
    )
    s.counts[prefix] = max(1, len(supervisions or []))
    for i, sup in enumerate(supervisions or []):
        s.values[f"{prefix}.{i}.year"] = str(sup.year)
        if sup.deficiencies:
            s.multi[f"{prefix}.{i}{MULTI_SUFFIX}"] = list(sup.deficiencies)
