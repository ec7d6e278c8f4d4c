"""Read the cells of Norwegian scenario tables: ja/nei/ukjent, 9,6, dates, lists, names.

A cell that is empty or says `ukjent` is null (unknown). A value the vocabulary does not
recognise is passed on unchanged, so the engine refuses it with its own message: that is how
the feature about refused input writes a wrong type without any Python.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

UNKNOWN = ("", "ukjent")
_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[,.][0-9]+)?")
_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)

YES_NO = {"ja": True, "nei": False}
DEFICIENCIES = {"praksis": "practice", "rutiner": "routines", "system": "system"}
CASE_KINDS = {"klagesak": "complaint", "annen": "other", "annen sak": "other"}

STATUS_WORDS = {"oppfylt": "met", "ikke oppfylt": "not_met", "ukjent": "unknown"}
OUTCOME_WORDS = {
    "anbefalt": "recommended",
    "ufullstendig": "incomplete",
    "ikke anbefalt": "not_recommended",
}
UNIT_WORDS = {
    "prioritert": "priority",
    "med": "included",
    "uavklart": "undetermined",
    "utelatt": "excluded",
}


class StepProblem(Exception):
    """A scenario is written in a way the step vocabulary cannot follow (Norwegian message)."""


def is_unknown(cell: str) -> bool:
    """An empty cell or `ukjent` means the value is not known."""
    return cell.strip().lower() in UNKNOWN


def yes_no(cell: str) -> Any:
    """`ja` -> True, `nei` -> False, empty/`ukjent` -> None, anything else unchanged."""
    if is_unknown(cell):
        return None
    return YES_NO.get(cell.strip().lower(), cell.strip())


def integer(cell: str) -> Any:
    """`12` -> 12, empty/`ukjent` -> None; a decimal stays a number, other text unchanged."""
    if is_unknown(cell):
        return None
    text = cell.strip().replace(" ", "")
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return cell.strip()


def number(cell: str) -> Any:
    """`9,6` (or `9.6`) -> 9.6, empty/`ukjent` -> None, other text unchanged."""
    if is_unknown(cell):
        return None
    text = cell.strip().replace(" ", "")
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return cell.strip()


def text(cell: str) -> Any:
    """Text as written; empty/`ukjent` -> None."""
    return None if is_unknown(cell) else cell.strip()


def date(cell: str) -> Any:
    """A date as written (ÅÅÅÅ-MM-DD, checked by the engine); empty/`ukjent` -> None."""
    return None if is_unknown(cell) else cell.strip()


def names(cell: str) -> Any:
    """`Nordby skole, Sørby skole` -> a list; `ingen` -> []; empty/`ukjent` -> None."""
    if is_unknown(cell):
        return None
    if cell.strip().lower() == "ingen":
        return []
    return [part.strip() for part in cell.split(",") if part.strip()]


def deficiencies(cell: str) -> Any:
    """`praksis, rutiner` -> ["practice", "routines"]; `ingen` -> []; unknown words unchanged."""
    listed = names(cell)
    if listed is None:
        return None
    return [DEFICIENCIES.get(word.lower(), word) for word in listed]


def case_kind(cell: str) -> Any:
    """`klagesak` -> complaint, `annen` -> other; anything else unchanged."""
    if is_unknown(cell):
        return None
    return CASE_KINDS.get(cell.strip().lower(), cell.strip())


def list_marker(cell: str) -> Any:
    """For a list column: `ingen` -> [] (known to be none), empty/`ukjent` -> None."""
    if is_unknown(cell):
        return None
    if cell.strip().lower() == "ingen":
        return []
    return cell.strip()


def word(
    table: Mapping[str, str], cell: str, what: str, labels: Mapping[Any, str] | None = None
) -> str:
    """Translate a Norwegian word (`oppfylt`, `Anbefalt` …) to the engine's code.

    `labels` (code -> the ruleset's own label) are accepted too, so a relabelled ruleset works.
    """
    key = " ".join(cell.lower().split())
    if key in table:
        return table[key]
    for code, label in (labels or {}).items():
        if " ".join(label.lower().split()) == key:
            return str(code)
    allowed = ", ".join(f"«{w}»" for w in table)
    raise StepProblem(f"«{cell}» er ikke {what}. Skriv en av: {allowed}.")


def label(labels: Mapping[Any, str], code: str) -> str:
    """The ruleset's label of a code that `word` found (outcome, status, unit status)."""
    return labels[code]


def org_number_for(name: str) -> str:
    """A valid 9-digit org number (mod-11 check digit) derived from a name, the same every time."""
    digest = int.from_bytes(hashlib.sha256(name.strip().encode("utf-8")).digest()[:8], "big")
    base = 80_000_000 + digest % 20_000_000  # eight digits starting with 8 or 9
    while True:
        digits = f"{base:08d}"
        rest = sum(int(d) * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            return digits + str(check)
        base += 1


def municipality_number_for(name: str, county: str) -> str:
    """A four-digit kommunenummer in the county, derived from the name (01–99)."""
    digest = int.from_bytes(hashlib.sha256(name.strip().encode("utf-8")).digest()[:4], "big")
    return f"{county}{digest % 99 + 1:02d}"[-4:].rjust(4, "0")


def slug(name: str) -> str:
    """`Tromsø` -> `tromso`: an application id made from a municipality name."""
    replaced = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_only = unicodedata.normalize("NFKD", replaced).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-") or "soknad"
