"""Printable documents (a case's, a submission's): one A4 style, WeasyPrint on Debian's Pango."""

from __future__ import annotations

import weasyprint

CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: "Side " counter(page) " av "
  counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; }
h3 { font-size: 10.5pt; margin: 5mm 0 1mm; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #999;
  padding: 1.2mm 1.6mm; text-align: left; vertical-align: top; }
th { background: #eee; } .muted { color: #555; } code { font-size: 8pt; }
.entry { break-inside: avoid; }
"""


def html_page(title: str, body: str) -> str:
    """A whole Norwegian HTML document in the print style; `title` and `body` already escaped."""
    return (
        f"<!doctype html><html lang='nb'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def pdf_of(html: str) -> bytes:
    """An HTML document laid out as PDF bytes."""
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
