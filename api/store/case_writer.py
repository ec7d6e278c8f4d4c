"""The group writer: evaluations that arrive together are stored with their cases at once.

One thread takes every request waiting for the case store and writes them in one
transaction (`CaseStore.store_group`: one write lock, one read of the chain's head, one
commit), each request in its own savepoint. A request is answered only after its rows are
committed, and a row the database refuses fails only its own request. Under load this turns
a transaction per evaluation into a transaction per group, and the requests wait on a
future instead of each taking a thread of the pool.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence

from api.store.cases import CaseStore, Entry, Stored

log = logging.getLogger("utvalg.api")

# requests per transaction at most: a group of this many still commits in a few milliseconds
MAX_GROUP = 256


class _Pending:
    """One request's evaluations and the future its coroutine waits on."""

    __slots__ = ("entries", "loop", "future")

    def __init__(
        self,
        entries: Sequence[Entry],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[list[Stored]],
    ) -> None:
        self.entries = entries
        self.loop = loop
        self.future = future


class CaseWriter:
    """The case store's writer thread: groups waiting requests into one transaction."""

    def __init__(self, cases: CaseStore, *, max_group: int = MAX_GROUP) -> None:
        self.cases = cases
        self._max = max_group
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    async def store(self, entries: Sequence[Entry]) -> list[Stored]:
        """Store one request's evaluations with their cases (all or none), once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Stored]] = loop.create_future()
        self._start()
        self._queue.put(_Pending(entries, loop, future))
        return await future

    def close(self) -> None:
        """Write what is waiting, then stop the thread."""
        with self._starting:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="utvalg-cases", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self._max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True  # write this group, then stop
                    break
                group.append(item)
            outcomes = self.cases.store_group([p.entries for p in group])
            for pending, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    log.warning(
                        "kunne ikke lagre %d vurderinger: %s", len(pending.entries), outcome
                    )
                try:
                    pending.loop.call_soon_threadsafe(_settle, pending.future, outcome)
                except RuntimeError:  # the request's event loop is closed: nobody waits for it
                    continue


def _settle(future: asyncio.Future[list[Stored]], outcome: list[Stored] | Exception) -> None:
    if future.done():  # the request was cancelled (the client went away or its deadline)
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
