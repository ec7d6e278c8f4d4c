"""Schemathesis over the published OpenAPI against a real `utvalg serve`: 5xx and violations.

Starts `utvalg serve` twice as a real process (a fresh SQLite log in a temporary folder
each time): once open (no keys, loopback) and once with API keys, where the cases are
sent with an admin key. For each run it loads `/openapi.json` from the server, generates
cases for every operation with schemathesis (Hypothesis), sends them, and checks each
answer against the schema: a server error (5xx), an undocumented status code, an
undocumented content type, a body that does not match its documented schema.

Prints, per run and in total: cases sent, 5xx answers, schema violations (by check),
and a few examples of each failure. Not part of `make test`: it takes minutes.

    .venv/bin/python benchmarks/schemathesis_run.py [--cases 10000] [--max-seconds 900]

`--cases` is split over both runs and over the operations (at least 20 per operation).
Uses the ports 18390 and 18391 unless `--port` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parent.parent
UTVALG = Path(sys.executable).with_name("utvalg")
ADMIN_KEY = "drift:admin:schemathesis-admin-0123456789abcdef"
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Tally:
    """What one run found."""

    cases: int = 0
    server_errors: int = 0
    violations: Counter[str] = field(default_factory=Counter)
    transport_errors: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, text: str) -> None:
        """Keep up to three examples of each kind of failure."""
        found = self.examples.setdefault(kind, [])
        if len(found) < 3:
            found.append(text)


def _start(port: int, folder: Path, keys: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    env["UTVALG_DATABASE_URL"] = f"sqlite:///{folder / 'utvalg.db'}"
    env["UTVALG_API_KEYS"] = keys
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [str(UTVALG), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit((folder / "server.log").read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not become ready")


def _run(base: str, headers: dict[str, str], cases: int, stop_at: float, clients: int) -> Tally:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    per_operation = max(20, cases // max(1, len(operations)))
    tally = Tally()
    lock = threading.Lock()
    local = threading.local()
    in_flight = threading.BoundedSemaphore(clients * 2)
    pool = ThreadPoolExecutor(clients)

    def send(case: Any) -> None:
        # Hypothesis generates in this process's main thread; the cases are sent by
        # `clients` threads, each with its own keep-alive session
        try:
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
            try:
                response = case.call(base_url=base, session=session, headers=headers, timeout=30)
            except requests.RequestException as exc:
                with lock:
                    tally.transport_errors += 1
                    tally.note("transport", f"{case.method} {case.formatted_path}: {exc}")
                return
            label = f"{case.method} {case.formatted_path} → {response.status_code}"
            failures: list[BaseException] = []
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                failures += group.exceptions
            except Failure as failure:
                failures.append(failure)
            with lock:
                if response.status_code >= 500:
                    tally.server_errors += 1
                    tally.note("5xx", f"{label}: {response.text[:200]}")
                for failure in failures:
                    _violation(tally, failure, label)
        finally:
            in_flight.release()

    # each operation gets its share of the time, so a slow one cannot starve the rest
    remaining = list(operations)
    for operation in operations:
        now = time.monotonic()
        if now > stop_at:
            break
        op_stop = now + (stop_at - now) / len(remaining)
        remaining.remove(operation)

        @given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=per_operation,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: Any) -> None:
            if time.monotonic() > op_stop:  # noqa: B023 - check() runs in this iteration
                return
            in_flight.acquire()
            with lock:
                tally.cases += 1
            pool.submit(send, case)

        check()
    pool.shutdown(wait=True)
    return tally


def _violation(tally: Tally, failure: BaseException, label: str) -> None:
    title = getattr(failure, "title", type(failure).__name__)
    tally.violations[title] += 1
    tally.note(title, f"{label}: {str(failure)[:300]}")


def _print(name: str, tally: Tally) -> None:
    print(f"{name}: {tally.cases} cases, {tally.server_errors} 5xx, "
          f"{sum(tally.violations.values())} schema violations, "
          f"{tally.transport_errors} transport errors")  # fmt: skip
    for title, n in tally.violations.most_common():
        print(f"  {n:6d}  {title}")
    for kind, texts in tally.examples.items():
        for text in texts:
            print(f"  e.g. [{kind}] {text}")


def main() -> None:
    """Run both servers and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--port", type=int, default=18390)
    parser.add_argument("--clients", type=int, default=8, help="threads sending cases")
    args = parser.parse_args()
    started = time.monotonic()
    stop_at = started + args.max_seconds
    runs = [
        ("without keys", "", {}),
        ("with keys", ADMIN_KEY, {"Authorization": f"Bearer {ADMIN_KEY.split(':', 2)[2]}"}),
    ]
    totals = Tally()
    for i, (name, keys, headers) in enumerate(runs):
        with tempfile.TemporaryDirectory(prefix="utvalg-schemathesis-") as tmp:
            port = args.port + i
            proc = _start(port, Path(tmp), keys)
            try:
                run_stop = min(stop_at, time.monotonic() + args.max_seconds / len(runs))
                base = f"http://127.0.0.1:{port}"
                tally = _run(base, headers, args.cases // len(runs), run_stop, args.clients)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        _print(name, tally)
        totals.cases += tally.cases
        totals.server_errors += tally.server_errors
        totals.transport_errors += tally.transport_errors
        totals.violations.update(tally.violations)
    print(
        f"total: {totals.cases} cases, {totals.server_errors} 5xx, "
        f"{sum(totals.violations.values())} schema violations, "
        f"{totals.transport_errors} transport errors, {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
