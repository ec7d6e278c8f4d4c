"""Cells written to spreadsheets (CSV, .xlsx): a text a spreadsheet would run stays text.

The one formula guard for every export. OWASP's rule for CSV injection: a cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice. Spreadsheets also skip leading blanks (a line feed, a space, a no-break
space, a zero-width space) and read full-width signs (`＝`) as their plain forms, so the
rule is applied after removing those and after NFKC normalisation.
"""

from __future__ import annotations

import unicodedata

_FORMULA_START = frozenset("=+-@\t\r\n")
# Python's str.isspace() covers space, line feed, NBSP and the other Unicode spaces;
# these are invisible but not "space" to Python
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (OWASP rule, see above)."""
    if text[:1] in _FORMULA_START:
        return True
    plain = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(plain) and (plain[start].isspace() or plain[start] in _INVISIBLE):
        start += 1
    return plain[start : start + 1] in _FORMULA_START


def inert_text(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs: prefixed with `'` when it looks like a formula."""
    return "'" + text if looks_like_formula(text) else text
