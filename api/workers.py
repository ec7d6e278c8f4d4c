"""Evaluation worker processes: crash isolation and parallelism for durable-rules.

durable-rules' C core can crash the process and never releases the GIL, so the
server evaluates in separate processes (started with `spawn`: no durable state is
ever shared through fork). Each worker has a dispatcher thread in the server that
takes jobs from one shared queue, sends whatever is waiting (up to a limit) in one
message, and waits for the answers. When a worker dies or hangs, its dispatcher
starts a new one and puts the jobs of the lost batch back on the queue, each to
be retried once and alone, so one bad application cannot take others with it
twice. A job that fails twice is answered with `EngineCrashed`.

Jobs carry the digest of the ruleset they started with; each worker keeps every
ruleset it has been sent, so a reload never changes the rules of a request in
flight.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

from engine import RuleSet

log = logging.getLogger("utvalg.workers")

Kill = Literal["once", "always"] | None


@dataclass(frozen=True)
class Evaluated:
    """A decision from a worker, already serialised as the contract's JSON."""

    application_id: str
    outcome: str
    score: int
    decision_json: str

    def decision(self) -> dict[str, Any]:
        """The decision as a JSON object."""
        result: dict[str, Any] = json.loads(self.decision_json)
        return result


class EngineCrashed(Exception):
    """The worker evaluating an application died (or hung) twice."""


class EngineFailed(Exception):
    """The engine refused or failed on an application that the server had accepted."""

    def __init__(self, kind: str, message: str, errors: list[dict[str, Any]] | None = None):
        self.kind = kind
        self.errors = errors or []
        super().__init__(message)


@dataclass
class _Job:
    digest: str
    application: Any
    kill: Kill
    lookup: Any = None
    future: concurrent.futures.Future[Evaluated] = field(default_factory=concurrent.futures.Future)
    attempts: int = 0
    alone: bool = False


class _WorkerDied(Exception):
    pass


class WorkerPool:
    """A fixed number of evaluation processes fed from one queue."""

    def __init__(
        self,
        size: int,
        *,
        timeout: float = 30.0,
        max_per_call: int = 16,
        start_method: str = "spawn",
    ) -> None:
        self.size = size
        self.timeout = timeout
        self.max_per_call = max_per_call
        self._ctx = multiprocessing.get_context(start_method)
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._blobs: dict[str, bytes] = {}
        self._blobs_lock = threading.Lock()
        self._slots: list[_Slot] = []
        self.restarts = 0
        self.crashed_jobs = 0

    def register(self, ruleset: RuleSet) -> None:
        """Make a ruleset available to the workers (before any job names its digest)."""
        with self._blobs_lock:
            if ruleset.digest not in self._blobs:
                self._blobs[ruleset.digest] = pickle.dumps(ruleset)

    def start(self) -> None:
        """Start the worker processes and their dispatcher threads."""
        self._slots = [_Slot(self, i) for i in range(self.size)]
        for slot in self._slots:
            slot.start()

    def close(self) -> None:
        """Stop the dispatchers and the worker processes."""
        for _ in self._slots:
            self._queue.put(None)
        for slot in self._slots:
            slot.join()
        self._slots = []

    def alive(self) -> int:
        """How many worker processes are running now."""
        return sum(1 for s in self._slots if s.process is not None and s.process.is_alive())

    def pids(self) -> list[int]:
        """The process ids of the workers (for tests and diagnostics)."""
        return [s.process.pid for s in self._slots if s.process is not None and s.process.pid]

    def submit(
        self, ruleset: RuleSet, application: Any, kill: Kill = None, lookup: Any = None
    ) -> _Job:
        """Queue one application for evaluation under a ruleset (with a picklable lookup)."""
        self.register(ruleset)
        job = _Job(ruleset.digest, application, kill, lookup)
        self._queue.put(job)
        return job

    async def evaluate(
        self,
        ruleset: RuleSet,
        applications: Sequence[Any],
        kill: Kill = None,
        lookup: Any = None,
    ) -> list[Evaluated]:
        """Evaluate applications (plain JSON data, already validated) in the workers."""
        jobs = [self.submit(ruleset, a, kill, lookup) for a in applications]
        return list(await asyncio.gather(*(asyncio.wrap_future(j.future) for j in jobs)))

    def evaluate_sync(
        self, ruleset: RuleSet, applications: Sequence[Any], kill: Kill = None, lookup: Any = None
    ) -> list[Evaluated]:
        """Evaluate from a plain thread (commands, start-up)."""
        jobs = [self.submit(ruleset, a, kill, lookup) for a in applications]
        return [j.future.result() for j in jobs]

    def blob(self, digest: str) -> bytes:
        """The pickled ruleset with this digest."""
        with self._blobs_lock:
            return self._blobs[digest]

    def _requeue(self, jobs: list[_Job], reason: str) -> None:
        for job in jobs:
            job.attempts += 1
            if job.attempts >= 2:
                self.crashed_jobs += 1
                if not job.future.done():
                    job.future.set_exception(EngineCrashed(reason))
                continue
            job.alone = True
            if job.kill == "once":
                job.kill = None
            self._queue.put(job)


class _Slot:
    """One worker process and the dispatcher thread that feeds it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.process: Any = None
        self.conn: Connection | None = None
        self.known: set[str] = set()
        self.started_at = 0.0
        self.quick_deaths = 0
        self.thread = threading.Thread(target=self._run, name=f"utvalg-worker-{index}", daemon=True)

    def start(self) -> None:
        self._spawn()
        self.thread.start()

    def join(self) -> None:
        self.thread.join(timeout=30)
        self._stop_process()

    def _spawn(self) -> None:
        parent, child = self.pool._ctx.Pipe()
        process = self.pool._ctx.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child,), name=f"utvalg-worker-{self.index}", daemon=True
        )
        process.start()
        child.close()
        self.process, self.conn, self.known = process, parent, set()
        self.started_at = time.monotonic()
        log.info("arbeidsprosess %d startet (pid %s)", self.index, process.pid)

    def _stop_process(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send(("stop",))
            except OSError:
                pass
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def _replace(self, reason: str) -> None:
        self.pool.restarts += 1
        log.warning("arbeidsprosess %d er borte (%s); starter en ny", self.index, reason)
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.process is not None:
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        # a worker that dies right after starting (broken install, poisoned import) must
        # not make the server spin: back off up to 5 s between such restarts
        if time.monotonic() - self.started_at < 2.0:
            self.quick_deaths += 1
            time.sleep(min(5.0, 0.1 * 2**self.quick_deaths))
        else:
            self.quick_deaths = 0
        self._spawn()

    def _take(self, carry: _Job | None) -> tuple[list[_Job], _Job | None, bool]:
        q = self.pool._queue
        first = carry if carry is not None else q.get()
        if first is None:
            return [], None, True
        batch = [first]
        if first.alone:
            return batch, None, False
        while len(batch) < self.pool.max_per_call:
            try:
                job = q.get_nowait()
            except queue.Empty:
                break
            if job is None:
                q.put(None)  # leave the stop signal for the next round
                break
            if job.alone:
                return batch, job, False
            batch.append(job)
        return batch, None, False

    def _run(self) -> None:
        carry: _Job | None = None
        while True:
            batch, carry, stop = self._take(carry)
            if stop:
                return
            batch = [j for j in batch if not j.future.cancelled()]
            if not batch:
                continue
            try:
                answers = self._call(batch)
            except _WorkerDied as exc:
                self._replace(str(exc))
                self.pool._requeue(batch, str(exc))
                continue
            for job, answer in zip(batch, answers, strict=True):
                if job.future.done():
                    continue
                if answer[0] == "ok":
                    job.future.set_result(Evaluated(*answer[1:]))
                else:
                    job.future.set_exception(EngineFailed(answer[0], answer[1], answer[2]))

    def _call(self, batch: list[_Job]) -> list[tuple[Any, ...]]:
        conn = self.conn
        if conn is None:
            raise _WorkerDied("ingen arbeidsprosess")
        try:
            for digest in {j.digest for j in batch} - self.known:
                conn.send(("rules", digest, self.pool.blob(digest)))
                self.known.add(digest)
            conn.send(("eval", [(j.digest, j.application, j.kill, j.lookup) for j in batch]))
            deadline = time.monotonic() + self.pool.timeout
            while not conn.poll(0.2):
                if not self.process.is_alive():
                    raise _WorkerDied(f"prosessen stoppet med kode {self.process.exitcode}")
                if time.monotonic() > deadline:
                    raise _WorkerDied(f"ingen svar på {self.pool.timeout:g} s")
            answers: list[tuple[Any, ...]] = conn.recv()
        except (EOFError, OSError, pickle.PickleError) as exc:
            code = self.process.exitcode if self.process is not None else None
            raise _WorkerDied(f"forbindelsen brøt ({type(exc).__name__}, kode {code})") from None
        return answers


# --- inside the worker process --------------------------------------------------------


def worker_main(conn: Connection) -> None:
    """The loop of a worker process: receive rulesets and batches, answer with decisions."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    from engine import InvalidApplication, evaluate, parse_application

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
        for digest, raw, kill, lookup in message[1]:
            if kill:
                os.kill(os.getpid(), signal.SIGKILL)  # test-only: a crash mid-request
            ruleset = rulesets[digest]
            try:
                app = parse_application(raw, rounds={ruleset.id: list(ruleset.counties)})
                d = evaluate(app, ruleset, survey_lookup=lookup)
            except InvalidApplication as exc:
                errors = [diag.as_error() for diag in exc.diagnostics]
                answers.append(("invalid", "Søknaden er ugyldig.", errors))
                continue
            except Exception as exc:  # reported to the caller, the worker lives on
                # the runtime refuses values its C core would crash on: that is the input's
                # fault (422); anything else is the rules' or the engine's (500)
                kind = "refused" if type(exc).__name__ == "RuleRuntimeError" else "error"
                answers.append((kind, f"{type(exc).__name__}: {exc}", []))
                continue
            text = json.dumps(d.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
            answers.append(("ok", d.application_id, d.outcome, d.score, text))
        conn.send(answers)
