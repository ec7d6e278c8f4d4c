"""Editing a YAML text in place: one top-level key set, every comment and the layout kept."""

from __future__ import annotations

import re


def set_key(text: str, key: str, value: str) -> str:
    """`text` (YAML) with the top-level `key` set to `value`, its comments left as they are.

    A value written over several lines (`key: >-` and indented lines) is replaced whole; a
    comment after the value on the key's line stays.
    """
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith(f"{key}:"):
            continue
        end = i + 1
        while end < len(lines) and lines[end].startswith((" ", "\t")):
            end += 1  # the indented lines of a value written over several lines
        rest = line[len(key) + 1 :].rstrip("\r\n")
        lines[i:end] = [f"{key}: {value}{_comment(rest)}\n"]
        return "".join(lines)
    return f"{key}: {value}\n{text}"


def _comment(rest: str) -> str:
    """The comment after a YAML value (` # …`), or nothing."""
    value = rest.strip()
    after = rest
    if value[:1] in ("'", '"'):
        close = value.find(value[0], 1)
        after = value[close + 1 :] if close > 0 else ""
    found = re.search(r"\s#.*$", after)
    return "  " + found.group(0).strip() if found else ""
