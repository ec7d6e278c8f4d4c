"""Change the expected value of one failing scenario step in a feature file's text.

A Then-step names its expected value last: «…» (`Så er K1 for «Nordby skole» «oppfylt»`)
or a number (`Så er poengsummen 7`). In an outline the step holds a placeholder
(`«<K1>»`) and the value is the cell of that column in the example row that ran. Only
that value changes; every other byte of the file stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_QUOTED = re.compile(r"«([^«»]*)»")
_TRAILING_NUMBER = re.compile(r"(-?\d+(?:,\d+)?)\s*$")
_PLACEHOLDER = re.compile(r"^<([^<>]+)>$")


class NotRewritable(ValueError):
    """The step's expected value could not be found where it was looked for."""


def shown_value(got: str | None) -> str:
    """The value a failing step got, as it would be written in the step (a suggestion)."""
    if not got:
        return ""
    found = _QUOTED.match(got.strip())
    if found:
        return found.group(1)
    return got.strip() if len(got.strip()) <= 60 else ""


def rewrite_expected(text: str, line: int, value: str, example: Mapping[str, str]) -> str:
    """The feature text with the expected value of the step at `line` (1-based) set to `value`.

    Raises NotRewritable when the line has no value to change, or (in an outline) the
    example row is not found.
    """
    if not value or "\n" in value or "«" in value or "»" in value or "|" in value:
        raise NotRewritable("Verdien kan ikke være tom eller inneholde «, », | eller linjeskift.")
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        raise NotRewritable(f"Filen har ingen linje {line}.")
    step = lines[line - 1]
    quoted = list(_QUOTED.finditer(step))
    if quoted:
        last = quoted[-1]
        placeholder = _PLACEHOLDER.match(last.group(1))
        if placeholder is not None:
            return _rewrite_cell(lines, line, placeholder.group(1), value, example)
        lines[line - 1] = step[: last.start(1)] + value + step[last.end(1) :]
        return "".join(lines)
    body = step.rstrip("\r\n")
    number = _TRAILING_NUMBER.search(body)
    if number is None or not re.fullmatch(r"-?\d+(,\d+)?", value):
        raise NotRewritable("Steget har ingen verdi i «» eller et tall til slutt som kan endres.")
    lines[line - 1] = body[: number.start(1)] + value + body[number.end(1) :] + step[len(body) :]
    return "".join(lines)


def _cells(row: str) -> list[tuple[int, int]] | None:
    """The (start, end) of each cell's content in a table row, or None for another line."""
    stripped = row.strip()
    if not stripped.startswith("|") or not stripped.endswith("|"):
        return None
    bars = [i for i, ch in enumerate(row) if ch == "|"]
    return [(a + 1, b) for a, b in zip(bars, bars[1:], strict=False)]


def _rewrite_cell(
    lines: list[str], line: int, column: str, value: str, example: Mapping[str, str]
) -> str:
    header: list[str] | None = None
    for index in range(line, len(lines)):
        row = lines[index]
        if re.match(r"\s*(Abstrakt Scenario|Scenario|Egenskap|Regel)\b", row):
            break
        cells = _cells(row)
        if cells is None:
            header = None
            continue
        texts = [row[a:b].strip() for a, b in cells]
        if header is None:
            header = texts
            continue
        if len(texts) != len(header) or column not in header:
            continue
        if all(example.get(h, t) == t for h, t in zip(header, texts, strict=True)):
            start, end = cells[header.index(column)]
            old = row[start:end]
            lead = old[: len(old) - len(old.lstrip())]
            # keep the column's width when the new value fits, so the table stays aligned
            width = len(old) - len(lead) - 1
            lines[index] = row[:start] + lead + value.ljust(width) + " " + row[end:]
            return "".join(lines)
    raise NotRewritable("Fant ikke eksempelraden i tabellen under scenarioet.")
