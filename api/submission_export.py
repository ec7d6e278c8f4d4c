"""A locked submission (CONTRACT section 7) as CSV, as an .xlsx workbook and as a PDF letter.

Every export reads the submission's JSON shape (what `api.submissions` returns) and the
round's labels (`RuleSet.labels`: the Norwegian words for statuses and unit kinds). The
spreadsheets have one row per unit: a municipality without schools or kindergartens still
has one row, with the unit columns empty.

The criteria columns, one rule for every criterion (for users: README.md, «Eksportene»):

- a criterion judged for the application or the municipality (FRIST, K6, the
  municipality's K3 and K4) has a column of its own, «K4 kommunen», with that one status on
  every row of the municipality;
- a criterion judged for units (K1, K2, K5, a unit's K3 and K4) has a column «K1 enheten»,
  with the row's unit's own status, empty when the criterion does not apply to that kind of
  unit (K1 for a kindergarten) and on a municipality's row without units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from api.documents import html_page, pdf_of
from api.judgement import PROPOSAL_LABELS
from api.spreadsheet import Cell, Rows, to_csv, workbook_of
from engine.ruleset import Labels
from engine.text import plural

Submission = Mapping[str, Any]

# the subjects whose status stands for the whole application (one per municipality)
_APPLICATION_LEVEL = ("application", "municipality")

_FIXED_HEADERS = (
    "Fylkesnr.",
    "Fylke",
    "Rang",
    "Kommunenr.",
    "Kommune",
    "Sak",
    "Mottatt",
    "Utfall",
    "Poeng",
    "Forslag",
    "Innenfor kapasitet",
    "Enhetstype",
    "Org.nr.",
    "Enhet",
    "Enhetsstatus",
)


def _criteria_columns(subs: Iterable[Submission], labels: Labels) -> list[tuple[str, str, str]]:
    """(criterion, level, heading) for each criteria column, in the order the decisions list
    the criteria; level is "application" (the application or municipality) or "unit"."""
    columns: dict[tuple[str, str], str] = {}
    for sub in subs:
        for entry in sub["entries"]:
            for c in entry["criteria"]:
                criterion, kind = c["criterion"], c["subject"]["kind"]
                if kind == "application":
                    key, heading = (criterion, "application"), criterion
                elif kind == "municipality":
                    key = (criterion, "application")
                    heading = f"{criterion} {labels.kind['municipality']}"
                else:
                    key, heading = (criterion, "unit"), f"{criterion} enheten"
                columns.setdefault(key, heading)
    return [(criterion, level, heading) for (criterion, level), heading in columns.items()]


def _received(entry: Mapping[str, Any]) -> dt.date | None:
    value = entry.get("received")
    return dt.date.fromisoformat(value) if value else None


def _status_cells(
    entry: Mapping[str, Any],
    unit: Mapping[str, Any] | None,
    columns: Sequence[tuple[str, str, str]],
    labels: Labels,
) -> list[Cell]:
    """The criteria cells of one row (the rule in the module's docstring)."""
    cells: list[Cell] = []
    for criterion, level, _ in columns:
        found = ""
        for c in entry["criteria"]:
            if c["criterion"] != criterion:
                continue
            subject = c["subject"]
            if level == "application" and subject["kind"] in _APPLICATION_LEVEL:
                found = labels.status[c["status"]]
            elif (
                level == "unit"
                and unit is not None
                and subject["kind"] == unit["kind"]
                and subject["id"] == unit["org_number"]
            ):
                found = labels.status[c["status"]]
        cells.append(found)
    return cells


def _kind(kind: str, labels: Labels) -> str:
    return labels.kind[kind].capitalize()  # type: ignore[index]  # a unit's kind


def submission_rows(
    sub: Submission, labels: Labels, columns: Sequence[tuple[str, str, str]] | None = None
) -> list[list[Cell]]:
    """Heading row and one row per unit (per municipality without units), in the list's order."""
    cols = list(columns) if columns is not None else _criteria_columns([sub], labels)
    rows: list[list[Cell]] = [[*_FIXED_HEADERS, *(heading for _, _, heading in cols)]]
    for entry in sub["entries"]:
        municipality = entry["municipality"]
        head: list[Cell] = [
            sub["county"],
            sub["county_name"],
            entry["rank"],
            municipality["number"],
            municipality["name"],
            entry["case_id"],
            _received(entry),
            entry["label"],
            entry["score"],
            PROPOSAL_LABELS[entry["proposal"]],
            "Ja" if entry["within_capacity"] else "Nei",
        ]
        units: list[Mapping[str, Any] | None] = list(entry["units"]) or [None]
        for unit in units:
            unit_cells: list[Cell] = (
                ["", "", "", ""]
                if unit is None
                else [_kind(unit["kind"], labels), unit["org_number"], unit["name"], unit["label"]]
            )
            rows.append([*head, *unit_cells, *_status_cells(entry, unit, cols, labels)])
    return rows


def submission_csv(sub: Submission, labels: Labels) -> bytes:
    """The submission as CSV: semicolons, UTF-8 with BOM, one row per unit."""
    return to_csv(submission_rows(sub, labels))


def sheet_title(sub: Submission) -> str:
    """A county's sheet in the workbook, e.g. «50 Trøndelag»."""
    return f"{sub['county']} {sub['county_name']}"


def submission_xlsx(subs: Sequence[Submission], labels: Labels) -> bytes:
    """The submissions as one workbook, a sheet per county (in county order), one row per unit."""
    ordered = sorted(subs, key=lambda s: str(s["county"]))
    columns = _criteria_columns(ordered, labels)
    sheets: list[tuple[str, Rows]] = [
        (sheet_title(s), submission_rows(s, labels, columns)) for s in ordered
    ]
    if not sheets:
        sheets = [("Ingen innstillinger", submission_rows({"entries": []}, labels, columns))]
    rounds = sorted({str(s["round"]) for s in ordered})
    title = f"Innstillinger {', '.join(rounds)}".strip()
    if len(ordered) == 1:
        title = f"Innstilling fra {ordered[0]['county_name']}, {ordered[0]['round']}"
    return workbook_of(sheets, title)


# --- the PDF letter -------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _when(value: str | None) -> str:
    """An ISO time from the JSON shape as «02.03.2020 kl. 10:15 UTC»."""
    if not value:
        return "ukjent tidspunkt"
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
    return moment.strftime("%d.%m.%Y kl. %H:%M UTC")


def _entry_html(entry: Mapping[str, Any], labels: Labels) -> str:
    municipality = entry["municipality"]
    capacity = "innenfor kapasiteten" if entry["within_capacity"] else "utenfor kapasiteten"
    departs = " (avviker fra beregnet utfall)" if entry.get("departs") else ""
    parts = [
        "<div class='entry'>",
        f"<h3>{entry['rank']}. {_e(municipality['name'])} ({_e(municipality['number'])})</h3>",
        f"<p>Sak {_e(entry['case_id'])}, versjon {_e(entry['case_version'])}. Beregnet utfall: "
        f"<strong>{_e(entry['label'])}</strong>, {_e(plural(entry['score'], 'poeng', 'poeng'))}. "
        f"Embetets forslag: <strong>{_e(PROPOSAL_LABELS[entry['proposal']])}</strong>"
        f"{_e(departs)}, {capacity}.</p>",
        f"<p>{_e(entry['summary'])}</p>",
        f"<p>Begrunnelse: {_e(entry['justification'])}</p>",
        f"<p class='muted'>Skjønn registrert av {_e(entry.get('judged_by') or 'uten navn')}, "
        f"{_when(entry.get('judged_at'))}.</p>",
    ]
    if entry["units"]:
        parts.append("<table><tr><th>Enhet</th><th>Type</th><th>Org.nr.</th><th>Status</th></tr>")
        for u in entry["units"]:
            parts.append(
                f"<tr><td>{_e(u['name'])}</td><td>{_e(_kind(u['kind'], labels))}</td>"
                f"<td>{_e(u['org_number'])}</td><td>{_e(u['label'])}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>Ingen skoler eller barnehager.</p>")
    parts.append("</div>")
    return "\n".join(parts)


def submission_html(sub: Submission, labels: Labels) -> str:
    """The letter-like document as HTML (escaped), for WeasyPrint."""
    rs = sub["ruleset"]
    entries = sub["entries"]
    proposed = sum(1 for e in entries if e["proposal"] == "propose")
    parts = [
        f"<h1>Innstilling fra {_e(sub['county_name'])} ({_e(sub['county'])})</h1>",
        "<table>",
        "<tr><th>Til</th><td>Utdanningsdirektoratet</td></tr>",
        f"<tr><th>Runde</th><td>{_e(sub['round'])}</td></tr>",
        f"<tr><th>Innstilling nr.</th><td>{_e(sub['submission_id'])}</td></tr>",
        f"<tr><th>Regelsett</th><td>{_e(rs['id'])} versjon {_e(rs['version'])}<br>"
        f"<code>{_e(rs['digest'])}</code></td></tr>",
        f"<tr><th>Kapasitet</th><td>{_e(plural(sub['capacity'], 'kommune', 'kommuner'))}</td></tr>",
        f"<tr><th>Godkjent av</th><td>{_e(sub['approved_by'] or 'uten navn')}, "
        f"{_when(sub['approved_at'])}</td></tr>",
        "</table>",
    ]
    if sub.get("supersedes") is not None:
        parts.append(
            f"<p><strong>Erstatter innstilling nr. {_e(sub['supersedes'])}.</strong> "
            f"Grunn: {_e(sub.get('reason'))}</p>"
        )
    if sub.get("superseded_by") is not None:
        parts.append(
            f"<p><strong>Denne innstillingen er erstattet av innstilling nr. "
            f"{_e(sub['superseded_by'])}.</strong></p>"
        )
    if sub.get("note"):
        parts.append(f"<h2>Merknad</h2><p>{_e(sub['note'])}</p>")
    parts.append("<h2>Listen</h2>")
    parts.append(
        f"<p>{_e(plural(len(entries), 'sak', 'saker'))}, av dem "
        f"{_e(plural(proposed, 'sak', 'saker'))} foreslått. De foreslåtte står først, så de "
        "andre, hver gruppe i rangeringens rekkefølge; de første innenfor kapasiteten er "
        "merket.</p>"
    )
    if entries:
        parts.append(
            "<table><tr><th>Rang</th><th>Kommune</th><th>Utfall</th><th>Poeng</th>"
            "<th>Forslag</th><th>Innenfor kapasitet</th></tr>"
        )
        for e in entries:
            parts.append(
                f"<tr><td>{e['rank']}</td><td>{_e(e['municipality']['name'])} "
                f"({_e(e['municipality']['number'])})</td><td>{_e(e['label'])}</td>"
                f"<td>{_e(e['score'])}</td><td>{_e(PROPOSAL_LABELS[e['proposal']])}</td>"
                f"<td>{'Ja' if e['within_capacity'] else 'Nei'}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Sakene</h2>")
    parts.extend(_entry_html(e, labels) for e in entries)
    return html_page(f"Innstilling {_e(sub['county'])} {_e(sub['round'])}", "\n".join(parts))


def submission_pdf(sub: Submission, labels: Labels) -> bytes:
    """The submission as a PDF letter to Utdanningsdirektoratet."""
    return pdf_of(submission_html(sub, labels))
