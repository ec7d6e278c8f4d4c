"""Parsing and validating user input off the event loop, a bounded number at a time.

A big body parsed on the event loop stops every other request (`/healthz` included) until
it is done. Each parse runs in a thread instead, at most `SLOTS` at once with their own
thread limiter, and at most `QUEUE` more wait for one; beyond that the request is
answered 503 at once (with `Retry-After`), so a flood of big bodies cannot take every
thread or pile up without end, and the service keeps answering everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

from api.http.problems import Problem

T = TypeVar("T")

SLOTS = 4  # two cores: more threads would only share them
QUEUE = 60  # ordinary requests wait their turn (milliseconds each); a flood does not
RETRY_AFTER = "2"


class Offload:
    """A bounded set of threads for CPU-bound input work; 503 when all are busy."""

    def __init__(self, slots: int = SLOTS, queue: int = QUEUE) -> None:
        self.slots = slots
        self.queue = queue
        self.busy = 0  # running or waiting
        self._limiter: anyio.CapacityLimiter | None = None  # made on the event loop

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a thread; Problem 503 (Norwegian) when slots and queue are full."""
        if self.busy >= self.slots + self.queue:
            raise Problem(
                503,
                "BUSY",
                "Tjenesten behandler mange store forespørsler akkurat nå. Prøv igjen om "
                "noen sekunder; ingenting ble lagret.",
                headers={"Retry-After": RETRY_AFTER},
            )
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots)
        # counted before the first await: the event loop runs one task at a time, so the
        # check above and this increment cannot interleave with another request's
        self.busy += 1
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)
        finally:
            self.busy -= 1


def offload(request: Request) -> Offload:
    """The app's Offload (one per app, made on first use)."""
    state = request.app.state
    found: Offload | None = getattr(state, "offload", None)
    if found is None:
        found = Offload()
        state.offload = found
    return found


async def off_loop(request: Request, fn: Callable[..., T], *args: object) -> T:
    """Run `fn(*args)` in one of the app's bounded input threads (see Offload.run)."""
    return await offload(request).run(fn, *args)
