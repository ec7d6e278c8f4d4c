"""The decision log's hash chain: each row stores sha256(previous row's hash + its own content).

The triggers (api/store/append_only.py) stop changes through SQL, but whoever owns the database
file can drop them. The chain is how such a change is noticed afterwards: rewriting, removing
or inserting a row breaks the chain at that row, unless every later hash is computed again —
and that is caught by comparing the newest hash with one noted down earlier (`utvalg
verify-log --head`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The columns a row's hash covers, in this order; `seq` is left out (the order of the rows
# is what the chain itself proves) and so is `chain`.
CONTENT_COLUMNS = (
    "id",
    "application_id",
    "round",
    "county",
    "municipality_number",
    "municipality_name",
    "received",
    "outcome",
    "score",
    "ruleset_id",
    "ruleset_version",
    "ruleset_digest",
    "application",
    "decision",
    "created_at",
    "api_key",
)
GENESIS = ""  # the "previous hash" of the first row


def utc(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC (SQLite hands back naive datetimes; utvalg always writes UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def content(row: Mapping[Any, Any]) -> str:
    """A row's content as one canonical text (the same whether written or read back)."""
    values = [_plain(row[column]) for column in CONTENT_COLUMNS]
    return json.dumps(values, ensure_ascii=True, separators=(",", ":"))


def link(previous: str, row: Mapping[Any, Any]) -> str:
    """The hash of a row that follows a row with hash `previous`."""
    return hashlib.sha256((previous + content(row)).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What checking the chain found: rows checked, the first bad row, the newest hash."""

    rows: int
    broken_at: int | None  # seq of the first row whose hash does not follow
    broken_id: str | None
    head: str  # the hash of the newest row checked (GENESIS when empty)
    heads_seen: frozenset[str]


def verify(rows: Iterable[Mapping[Any, Any]], *, keep_heads: bool = False) -> Verdict:
    """Check rows in `seq` order; stops at the first row whose stored hash does not follow."""
    previous = GENESIS
    count = 0
    seen: set[str] = set()
    for row in rows:
        expected = link(previous, row)
        if row["chain"] != expected:
            return Verdict(count, int(row["seq"]), str(row["id"]), previous, frozenset(seen))
        previous = expected
        count += 1
        if keep_heads:
            seen.add(expected)
    return Verdict(count, None, None, previous, frozenset(seen))
