"""Whether a database holds imported survey figures and office records, remembered per database.

Most evaluations meet a database with neither, and asking for every request took a database
round trip (and an input thread) per evaluation. Both tables are append-only, so once a kind
is seen it stays: only "none yet" can change. That answer is asked again at most once per
`ASK_EVERY` seconds (an import by another process or server instance shows up within that
time, as a rule activation and the first named user do), and an import committed by this
process is noted here at once (`note_imported`), so it counts from the next evaluation on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import URL, Engine

ASK_EVERY = 1.0  # seconds a "none yet" answer is trusted
_NEVER = float("-inf")


@dataclass(frozen=True)
class Imported:
    """Whether any survey figures and any office records are stored."""

    figures: bool
    records: bool


@dataclass(frozen=True)
class _Known:
    imported: Imported
    asked_at: float  # time.monotonic() of the database's last answer


class ImportedMemo:
    """What each database (by URL: every engine of the process on it) is known to hold."""

    def __init__(self, ask_every: float = ASK_EVERY) -> None:
        self.ask_every = ask_every
        self._lock = threading.Lock()
        self._known: dict[URL, _Known] = {}

    def known(self, engine: Engine) -> Imported | None:
        """What is known without asking the database; None when it must be asked (again)."""
        with self._lock:
            found = self._known.get(engine.url)
        if found is None:
            return None
        both = found.imported.figures and found.imported.records
        if both or time.monotonic() - found.asked_at < self.ask_every:
            return found.imported
        return None

    def learn(self, engine: Engine, figures: bool, records: bool, *, asked: bool) -> Imported:
        """Add what the database said (`asked`) or an import did; what was seen stays seen.

        An import tells nothing about the other kind, so it does not renew the time of the
        database's last answer.
        """
        with self._lock:
            old = self._known.get(engine.url)
            if asked:
                asked_at = time.monotonic()
            else:
                asked_at = old.asked_at if old is not None else _NEVER
            if old is not None:
                figures = figures or old.imported.figures
                records = records or old.imported.records
            imported = Imported(figures, records)
            self._known[engine.url] = _Known(imported, asked_at)
            return imported


IMPORTED = ImportedMemo()  # one per process


def note_imported(engine: Engine, *, figures: bool = False, records: bool = False) -> None:
    """Tell the memo that an import into `engine`'s database was committed."""
    IMPORTED.learn(engine, figures, records, asked=False)
