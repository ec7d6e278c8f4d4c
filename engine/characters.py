"""Text that cannot be written out: lone UTF-16 surrogates in decoded data.

JSON's `"\\ud800"` and YAML's `"\\ud800"` decode to half of a UTF-16 pair, a character no
UTF-8 text (a response, a page, a database row) can hold. Such data is refused before it
is validated, by a message that names the field and does not repeat the character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from engine.diagnostics import Diagnostic

Path = tuple[str | int, ...]

_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_REPORTED = 20


def writable(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (�), so it can be encoded."""
    return _SURROGATE.sub("\ufffd", text)


def surrogate_problems(data: Any) -> list[Diagnostic]:
    """One BAD_CHARACTER diagnostic per text (value or key) in `data` holding a lone surrogate."""
    if not _may_hold_surrogate(data):
        return []
    problems: list[Diagnostic] = []
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack and len(problems) < _MAX_REPORTED:
        path, value = stack.pop()
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                problems.append(_problem(path, found, "Teksten"))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and (found := _SURROGATE.search(key)):
                    problems.append(_problem((*path, writable(key)), found, "Feltnavnet"))
                    continue
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
    return sorted(problems, key=lambda d: [str(part) for part in d.loc])


def _may_hold_surrogate(data: Any) -> bool:
    """False when no text in `data` holds a surrogate; True when one may (then walk it).

    One pass in C instead of a Python walk over every value, which was a fifth of
    validating an application: orjson refuses to write any text (key or value) that holds
    a surrogate, as it is not valid UTF-8. Whatever else it refuses (a huge integer, deep
    nesting) is left to the walk too; keys that are not text and values JSON cannot write
    (YAML dates) are written by `str`, which keeps them.
    """
    try:
        orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, ValueError, RecursionError):  # orjson.JSONEncodeError is a TypeError
        return True  # let the walk decide
    return False


def _problem(path: Path, found: re.Match[str], what: str) -> Diagnostic:
    codepoint = f"U+{ord(found[0]):04X}"
    msg = (
        f"{what} har et ugyldig tegn ({codepoint}, en halv UTF-16-surrogat) som tegn nr. "
        f"{found.start() + 1}. Det kan ikke lagres; skriv teksten uten det."
    )
    return Diagnostic("BAD_CHARACTER", msg, loc=path)
