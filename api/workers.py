"""Evaluation worker processes: crash isolation and parallelism for durable-rules.

durable-rules' C core can crash the process and never releases the GIL, so the
server evaluates in separate processes (started with `spawn`: no durable state is
ever shared through fork). The server's event loop watches each worker's pipe; the
jobs waiting are shared among the idle workers, each share (up to a limit) in one
message. When a worker dies or hangs, a new one is started and the jobs of the
lost batch go back to the front of the queue, each to be retried once and alone,
so one bad application cannot take others with it twice. A job that fails twice
is answered with `EngineCrashed`.

Jobs carry the application the server validated, as the model's own JSON (pydantic writes
it in 5 µs and reads it back in 19, where pickling the model cost the server's event loop
30 µs and the worker 26 to unpickle), and the digest of the ruleset they started with;
each worker keeps every ruleset it has been sent, so a reload never changes the rules of a
request in flight.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

from engine import Application, FactRefused, InvalidApplication, RuleSet, evaluate
from engine.types import Outcome

log = logging.getLogger("utvalg.workers")

# Test-only: kill the worker when it reaches the job, on the first try or on both;
# or make it hang (then the timeout kills it), on the first try.
Kill = Literal["once", "always", "hang"] | None


@dataclass(frozen=True)
class Evaluated:
    """A decision from a worker, already serialised as the contract's JSON."""

    application_id: str
    outcome: Outcome
    score: int
    decision_json: str

    def decision(self) -> dict[str, Any]:
        """The decision as a JSON object."""
        result: dict[str, Any] = json.loads(self.decision_json)
        return result


class EngineCrashed(Exception):
    """The worker evaluating an application died (or hung) twice."""


class WorkersUnavailable(Exception):
    """No worker process can start (each died before it was ready, several times running)."""


class EngineFailed(Exception):
    """The engine refused or failed on an application that the server had accepted."""

    def __init__(self, kind: str, message: str, errors: list[dict[str, Any]] | None = None):
        self.kind = kind
        self.errors = errors or []
        super().__init__(message)


@dataclass
class _Job:
    digest: str
    application: Application
    kill: Kill
    lookup: Any
    future: asyncio.Future[Evaluated]
    attempts: int = 0
    alone: bool = False


class WorkerPool:
    """A fixed number of evaluation processes, fed from the server's event loop.

    Everything but `register`, `alive`, `pids` and `evaluate_sync` runs on the event loop
    the pool was started on: pipes are watched with `add_reader`, so no thread sits
    between a request and its worker.
    """

    def __init__(
        self,
        size: int,
        *,
        timeout: float = 30.0,
        max_per_call: int = 16,
        start_method: str = "spawn",
        target: Callable[[Connection], None] | None = None,
    ) -> None:
        self.size = size
        self.target = target if target is not None else worker_main
        self.timeout = timeout
        self.max_per_call = max_per_call
        self._ctx = multiprocessing.get_context(start_method)
        self._pending: collections.deque[_Job] = collections.deque()
        self._blobs: dict[str, bytes] = {}
        self._blobs_lock = threading.Lock()
        self._slots: list[_Slot] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dispatch_soon = False
        self._ready_waiters: list[asyncio.Future[bool]] = []
        self.restarts = 0
        self.crashed_jobs = 0

    def register(self, ruleset: RuleSet) -> None:
        """Make a ruleset available to the workers (before any job names its digest)."""
        with self._blobs_lock:
            if ruleset.digest not in self._blobs:
                self._blobs[ruleset.digest] = pickle.dumps(ruleset)

    def blob(self, digest: str) -> bytes:
        """The pickled ruleset with this digest."""
        with self._blobs_lock:
            return self._blobs[digest]

    def start(self) -> None:
        """Start the worker processes; call on the running event loop that will use them."""
        self._loop = asyncio.get_running_loop()
        self._slots = [_Slot(self, i, self._loop) for i in range(self.size)]
        for slot in self._slots:
            slot.spawn()

    def close(self) -> None:
        """Stop the worker processes; jobs still waiting fail."""
        for slot in self._slots:
            slot.stop()
        self._slots = []
        while self._pending:
            job = self._pending.popleft()
            if not job.future.done():
                job.future.set_exception(EngineCrashed("tjenesten stopper"))

    def alive(self) -> int:
        """How many worker processes are running now."""
        return sum(1 for s in self._slots if s.process is not None and s.process.is_alive())

    def ready_count(self) -> int:
        """How many workers have started and can take work."""
        return sum(1 for s in self._slots if s.conn is not None and s.ready)

    def unavailable(self) -> bool:
        """True when no worker is ready and every one has died at start-up several times."""
        return bool(self._slots) and all(
            not s.ready and s.quick_deaths >= MAX_QUICK_DEATHS for s in self._slots
        )

    async def wait_ready(self, timeout: float) -> bool:
        """Whether a worker is ready to take work, waiting up to `timeout` s while they start."""
        if self.ready_count() > 0:
            return True
        if self._loop is None or self.unavailable():
            return False
        waiter: asyncio.Future[bool] = self._loop.create_future()
        self._ready_waiters.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return False
        finally:
            if waiter in self._ready_waiters:
                self._ready_waiters.remove(waiter)

    def _tell_waiters(self, ready: bool) -> None:
        waiters, self._ready_waiters = self._ready_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(ready)

    def _fail_pending(self) -> None:
        """No worker can start: every waiting job fails now instead of waiting for one."""
        self._tell_waiters(False)
        while self._pending:
            job = self._pending.popleft()
            if not job.future.done():
                job.future.set_exception(WorkersUnavailable("ingen arbeidsprosess kan starte"))

    def pids(self) -> list[int]:
        """The process ids of the workers (for tests and diagnostics)."""
        return [s.process.pid for s in self._slots if s.process is not None and s.process.pid]

    async def evaluate(
        self,
        ruleset: RuleSet,
        applications: Sequence[Application],
        kill: Kill = None,
        lookup: Any = None,
    ) -> list[Evaluated]:
        """Evaluate validated applications in the workers (they are not validated again)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the worker pool is not started")
        if self.unavailable():
            raise WorkersUnavailable("ingen arbeidsprosess kan starte")
        self.register(ruleset)
        jobs = [_Job(ruleset.digest, a, kill, lookup, loop.create_future()) for a in applications]
        self._pending.extend(jobs)
        self.schedule_dispatch()
        return list(await asyncio.gather(*(j.future for j in jobs)))

    def evaluate_sync(
        self,
        ruleset: RuleSet,
        applications: Sequence[Application],
        kill: Kill = None,
        lookup: Any = None,
    ) -> list[Evaluated]:
        """Evaluate from another thread than the event loop's (commands, start-up, tests)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the worker pool is not started")
        coroutine = self.evaluate(ruleset, applications, kill, lookup)
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def schedule_dispatch(self) -> None:
        """Hand out waiting jobs once this turn of the loop is over (so they batch up)."""
        if not self._dispatch_soon and self._loop is not None:
            self._dispatch_soon = True
            self._loop.call_soon(self._dispatch)

    def _dispatch(self) -> None:
        self._dispatch_soon = False
        idle = [slot for slot in self._slots if slot.idle()]
        while idle and self._pending:
            # the waiting jobs are shared among the idle workers: the first one taking them
            # all (up to max_per_call) left the other idle while it worked through them
            share = -(-len(self._pending) // len(idle))
            batch = self._take(min(share, self.max_per_call))
            if batch:
                idle.pop(0).send(batch)

    def _take(self, limit: int) -> list[_Job]:
        batch: list[_Job] = []
        while self._pending and len(batch) < limit:
            job = self._pending[0]
            if job.future.done():  # cancelled: the client went away
                self._pending.popleft()
                continue
            if job.alone and batch:
                break
            batch.append(self._pending.popleft())
            if job.alone:
                break
        return batch

    def _requeue(self, jobs: list[_Job], reason: str) -> None:
        for job in jobs:
            job.attempts += 1
            if job.attempts >= 2:
                self.crashed_jobs += 1
                if not job.future.done():
                    job.future.set_exception(EngineCrashed(reason))
                continue
            job.alone = True  # a retry goes alone: one bad application cannot take others
            if job.kill in ("once", "hang"):
                job.kill = None
            self._pending.appendleft(job)
        self.schedule_dispatch()


STARTUP_TIMEOUT = 120.0  # a worker imports the engine in about a second
# After this many deaths before being ready, a worker counts as unable to start: jobs fail at
# once (503) instead of waiting, and it is retried only every MAX_BACKOFF seconds.
MAX_QUICK_DEATHS = 3
MAX_BACKOFF = 30.0


class _Slot:
    """One worker process, its pipe, and the batch it is working on."""

    def __init__(self, pool: WorkerPool, index: int, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.index = index
        self.loop = loop
        self.process: Any = None
        self.conn: Connection | None = None
        self.known: set[str] = set()
        self.batch: list[_Job] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.ready = False  # the worker has imported the engine and said so
        self.quick_deaths = 0
        self.stopping = False

    def idle(self) -> bool:
        """Whether the worker is ready and has no batch (start-up never counts as work)."""
        return self.conn is not None and self.ready and self.batch is None

    def spawn(self) -> None:
        """Start a fresh worker process and watch its pipe."""
        parent, child = self.pool._ctx.Pipe()
        process = self.pool._ctx.Process(  # type: ignore[attr-defined]
            target=self.pool.target,
            args=(child,),
            name=f"utvalg-worker-{self.index}",
            daemon=True,
        )
        process.start()
        child.close()
        self.process, self.conn, self.known = process, parent, set()
        self.ready = False
        self.timer = self.loop.call_later(STARTUP_TIMEOUT, self._start_timed_out)
        self.loop.add_reader(parent.fileno(), self._readable)
        # uvloop makes a watched fd non-blocking; the pipe is read and written a whole
        # message at a time (the worker answers at once, and reads whatever it is sent)
        os.set_blocking(parent.fileno(), True)
        log.info("arbeidsprosess %d startet (pid %s)", self.index, process.pid)
        self.pool.schedule_dispatch()

    def send(self, batch: list[_Job]) -> None:
        """Send a batch (and any ruleset the worker lacks) to the worker."""
        conn = self.conn
        assert conn is not None
        self.batch = batch
        try:
            for digest in {j.digest for j in batch} - self.known:
                conn.send(("rules", digest, self.pool.blob(digest)))
                self.known.add(digest)
            jobs = [(j.digest, j.application.model_dump_json(), j.kill, j.lookup) for j in batch]
            conn.send(("eval", jobs))
        except OSError as exc:
            self._died(f"kunne ikke sende ({type(exc).__name__})")
            return
        self.timer = self.loop.call_later(self.pool.timeout, self._timed_out)

    def _readable(self) -> None:
        conn = self.conn
        if conn is None:
            return
        try:
            answers: Any = conn.recv()
        except (EOFError, OSError, pickle.PickleError) as exc:
            code = self.process.exitcode if self.process is not None else None
            self._died(f"forbindelsen brøt ({type(exc).__name__}, kode {code})")
            return
        if answers == ("ready",):
            self.ready = True
            self.quick_deaths = 0
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self.pool._tell_waiters(True)
            self.pool.schedule_dispatch()
            return
        batch, self.batch = self.batch or [], None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for job, answer in zip(batch, answers, strict=False):
            if job.future.done():
                continue
            if answer[0] == "ok":
                job.future.set_result(Evaluated(*answer[1:]))
            else:
                job.future.set_exception(EngineFailed(answer[0], answer[1], answer[2]))
        self.pool.schedule_dispatch()

    def _start_timed_out(self) -> None:
        self.timer = None
        self._died(f"ikke klar etter {STARTUP_TIMEOUT:g} s")

    def _timed_out(self) -> None:
        self.timer = None
        self._died(f"ingen svar på {self.pool.timeout:g} s")

    def _died(self, reason: str) -> None:
        batch, self.batch = self.batch or [], None
        self._close_process(kill=True)
        if self.stopping:
            return
        self.pool.restarts += 1
        log.warning("arbeidsprosess %d er borte (%s); starter en ny", self.index, reason)
        self.pool._requeue(batch, reason)
        # a worker that dies before it is ready (broken install, poisoned import) must not
        # make the server spin: back off between such restarts, and once every worker has
        # failed to start several times, fail what waits instead of letting it hang
        delay = 0.0
        if not self.ready:
            self.quick_deaths += 1
            delay = min(5.0, 0.1 * 2**self.quick_deaths)
            if self.quick_deaths >= MAX_QUICK_DEATHS:
                delay = min(MAX_BACKOFF, 0.1 * 2**self.quick_deaths)
            if self.pool.unavailable():
                log.error("ingen arbeidsprosess kan starte; vurderinger avvises med 503")
                self.pool._fail_pending()
        if delay:
            self.loop.call_later(delay, self._respawn)
        else:
            self._respawn()

    def _respawn(self) -> None:
        if not self.stopping:
            self.spawn()

    def _close_process(self, *, kill: bool) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.conn is not None:
            try:
                self.loop.remove_reader(self.conn.fileno())
            except (OSError, ValueError):
                pass
            if not kill:
                try:
                    self.conn.send(("stop",))
                except OSError:
                    pass
        if self.process is not None:
            if kill and self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def stop(self) -> None:
        """Stop the worker for good; its batch fails."""
        self.stopping = True
        batch, self.batch = self.batch or [], None
        self._close_process(kill=False)
        for job in batch:
            if not job.future.done():
                job.future.set_exception(EngineCrashed("tjenesten stopper"))


# --- inside the worker process --------------------------------------------------------


def worker_main(conn: Connection) -> None:
    """The loop of a worker process: receive rulesets and batches, answer with decisions."""
    # Ctrl-C and a service manager's SIGTERM reach the whole process group; they are for the
    # server, which stops its workers itself (and a worker whose server is gone sees EOF)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # everything imported so far (the engine came with this module) lives as long as the
    # worker: keep it out of the collector's full passes, which otherwise show up as pauses
    # in the slowest answers
    gc.collect()
    gc.freeze()
    conn.send(("ready",))
    rulesets: dict[str, RuleSet] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        if message[0] == "stop":
            return
        if message[0] == "rules":
            rulesets[message[1]] = pickle.loads(message[2])
            continue
        answers: list[tuple[Any, ...]] = []
        # the server validated each application; it arrives as the validated model's JSON
        for digest, app_json, kill, lookup in message[1]:
            if kill == "hang":
                time.sleep(3600)  # test-only: a worker that stops answering
            elif kill:
                os.kill(os.getpid(), signal.SIGKILL)  # test-only: a crash mid-request
            ruleset = rulesets[digest]
            try:
                app = Application.model_validate_json(app_json)
                d = evaluate(
                    app,
                    ruleset,
                    survey_lookup=lookup,
                    records_lookup=getattr(lookup, "record", None),  # a SurveyLookup carries both
                )
            except InvalidApplication as exc:  # its round or county is not this ruleset's
                errors = [diag.as_error() for diag in exc.diagnostics]
                answers.append(("invalid", "Søknaden er ugyldig.", errors))
                continue
            except FactRefused as exc:
                # the runtime refuses values its C core would crash on: the input's fault (422)
                answers.append(("refused", f"{type(exc).__name__}: {exc}", []))
                continue
            except Exception as exc:  # reported to the caller, the worker lives on
                # RuleRuntimeError, RuleConflict or a bug: the rules' or the engine's fault (500)
                answers.append(("error", f"{type(exc).__name__}: {exc}", []))
                continue
            # serialised once, here, and passed through untouched (pydantic's own serialiser:
            # the same compact UTF-8 JSON as json.dumps(model_dump()), about 3 times faster)
            text = d.model_dump_json()
            answers.append(("ok", d.application_id, d.outcome, d.score, text))
        conn.send(answers)
