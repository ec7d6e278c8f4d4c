"""The printable document of a case (CONTRACT section 6), made with WeasyPrint.

Norwegian, fit for the archive: municipality, round, ruleset version and digest, the
decision with every criterion's explanation per subject, the units and their statuses, what
is missing, and the office's judgement with its justification, user and date. The HTML is
built here (escaped); api/documents.py styles it and lays it out as PDF.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from api.documents import html_page, pdf_of
from api.judgement import PROPOSAL_LABELS
from api.store.cases import CaseHistory
from engine import RuleSet


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _date(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%d.%m.%Y %H:%M UTC")


def case_html(
    history: CaseHistory, ruleset: RuleSet | None, decision: dict[str, Any] | None
) -> str:
    """The document as HTML."""
    newest = history.newest
    labels = ruleset.labels if ruleset is not None else None
    parts = [
        f"<h1>Sak {_e(history.id)}: {_e(newest.municipality_name)}</h1>",
        "<table>",
        f"<tr><th>Kommune</th><td>{_e(newest.municipality_name)} "
        f"({_e(history.municipality_number)})</td></tr>",
        f"<tr><th>Fylke</th><td>{_e(history.county)}</td></tr>",
        f"<tr><th>Runde</th><td>{_e(history.round)}</td></tr>",
        f"<tr><th>Versjon av søknaden</th><td>{newest.version} (søknads-id "
        f"{_e(newest.application_id)}, mottatt {_e(newest.received or 'ukjent')})</td></tr>",
    ]
    if decision is not None:
        rs = decision["ruleset"]
        parts.append(
            f"<tr><th>Regelsett</th><td>{_e(rs['id'])} versjon {_e(rs['version'])}<br>"
            f"<code>{_e(rs['digest'])}</code></td></tr>"
        )
    parts.append("</table>")
    if decision is None:
        parts.append("<p>Saken har ikke noe vedtak ennå.</p>")
    else:
        parts.append("<h2>Vedtak</h2>")
        parts.append(
            f"<p><strong>{_e(decision['label'])}</strong>, {_e(decision['score'])} poeng. "
            f"{_e(decision['summary'])}</p>"
        )
        parts.append(
            "<table><tr><th>Kriterium</th><th>Gjelder</th><th>Status</th>"
            "<th>Begrunnelse</th><th>Mangler</th></tr>"
        )
        for c in decision["criteria"]:
            status = labels.status.get(c["status"], c["status"]) if labels else c["status"]
            subject = c["subject"]
            kind = labels.kind.get(subject["kind"], subject["kind"]) if labels else subject["kind"]
            name = subject.get("name") or subject["id"]
            missing = ", ".join(c.get("missing") or []) or "–"
            parts.append(
                f"<tr><td>{_e(c['criterion'])} {_e(c['title'])}</td><td>{_e(kind)}: {_e(name)}"
                f"</td><td>{_e(status)}</td><td>{_e(c['explanation'])}</td>"
                f"<td>{_e(missing)}</td></tr>"
            )
        parts.append("</table>")
        parts.append("<h2>Enheter</h2>")
        if decision["units"]:
            parts.append("<table><tr><th>Enhet</th><th>Org.nr.</th><th>Status</th></tr>")
            for u in decision["units"]:
                parts.append(
                    f"<tr><td>{_e(u['name'])}</td><td>{_e(u['org_number'])}</td>"
                    f"<td>{_e(u['label'])}</td></tr>"
                )
            parts.append("</table>")
        else:
            parts.append("<p>Ingen skoler eller barnehager.</p>")
    parts.append("<h2>Embetets skjønn</h2>")
    judgement = history.judgement()
    if judgement is None:
        parts.append("<p>Ikke registrert.</p>")
    else:
        notes = []
        if judgement.departs:
            notes.append("avviker fra beregnet utfall")
        if history.outdated():
            notes.append(f"gitt for versjon {judgement.version}; en nyere versjon er kommet")
        note = f" ({'; '.join(notes)})" if notes else ""
        parts.append(
            f"<p><strong>{_e(PROPOSAL_LABELS[judgement.proposal])}</strong>{_e(note)}</p>"
            f"<p>Begrunnelse: {_e(judgement.justification)}</p>"
            f"<p class='muted'>Registrert av {_e(judgement.created_by or 'uten navn')}, "
            f"{_date(judgement.created_at)}</p>"
        )
    closing = history.closed()
    if closing is not None:
        word = "trukket" if closing.status == "withdrawn" else "feilregistrert"
        parts.append(
            f"<p>Saken er {word}: {_e(closing.reason)} ({_e(closing.created_by or 'uten navn')}, "
            f"{_date(closing.created_at)}).</p>"
        )
    return html_page(f"Sak {_e(history.id)}", "\n".join(parts))


def case_pdf(
    history: CaseHistory, ruleset: RuleSet | None, decision: dict[str, Any] | None
) -> bytes:
    """The document as PDF bytes."""
    return pdf_of(case_html(history, ruleset, decision))
