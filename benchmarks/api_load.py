"""Load benchmark of the HTTP API: `POST /v1/evaluations` at a fixed concurrency.

Starts `utvalg serve` as a real process (a fresh SQLite log in a temporary folder,
one worker per core, no access log), waits for /readyz, then drives it for
`--seconds` with `--clients` concurrent keep-alive connections, each sending one
application at a time and waiting for the answer. Prints requests/s, latency
percentiles and errors, then checks that every answered evaluation is in the log.

The applications are the fourteen in examples/ (3–5 schools and kindergartens each,
the size of a real pulje-5 application), each sent with a fresh `id`. With
`--data national` they come from the synthetic national dataset instead (every
school and kindergarten of a municipality, 24 on average): a heavier, less
realistic load.

The client is a minimal HTTP/1.1 client on asyncio streams, so that the load
generator takes as little as possible of the machine's two cores from the server.

    .venv/bin/python benchmarks/api_load.py [--seconds 30] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.national_data import generate_country  # noqa: E402


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def applications(kind: str) -> list[dict[str, Any]]:
    """The applications to send, as plain JSON data."""
    if kind == "national":
        # the API refuses applications over 500 units (Oslo has more): leave those out
        return [a for a in generate_country() if len(a["schools"]) + len(a["kindergartens"]) <= 500]
    out = []
    for path in sorted((ROOT / "examples" / "pulje-5").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(json.loads(json.dumps(data, default=str)))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Child process ids (the evaluation workers of the server)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_server(port: int, db: Path) -> subprocess.Popen[bytes]:
    """Start `utvalg serve` and wait until /readyz answers."""
    env = dict(os.environ, UTVALG_DATABASE_URL=f"sqlite:///{db}")
    env.pop("UTVALG_API_KEYS", None)
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/utvalg"), "serve", "--port", str(port), "--no-access-log"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("tjeneren ble ikke klar på 60 s")


async def client(
    port: int,
    bodies: list[bytes],
    offset: int,
    stop_at: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    """One keep-alive connection sending applications until `stop_at`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.monotonic() < stop_at:
            body = bodies[i % len(bodies)]
            i += 1
            head = (
                f"POST /v1/evaluations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = status_line.split(b" ", 2)[1] if status_line else b"---"
            if status != b"201":
                errors.append(status.decode())
    finally:
        writer.close()


async def drive(port: int, bodies: list[bytes], clients: int, seconds: float) -> Any:
    """Run the clients for `seconds` and collect latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client(port, bodies, k * len(bodies) // clients, stop_at, latencies, errors)
            for k in range(clients)
        )
    )
    return latencies, errors, time.perf_counter() - started


def bodies_for(apps: list[dict[str, Any]], count: int) -> list[bytes]:
    """`count` request bodies cycling through the applications, each with a unique id."""
    out = []
    for n in range(count):
        app = dict(apps[n % len(apps)])
        app["id"] = f"last-{n:06d}"
        out.append(json.dumps(app, ensure_ascii=False).encode())
    return out


def main() -> int:
    """Run the benchmark and print the figures."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--data", choices=("examples", "national"), default="examples")
    p.add_argument("--warmup", type=float, default=3.0)
    args = p.parse_args()

    apps = applications(args.data)
    bodies = bodies_for(apps, 50_000)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        port = free_port()
        server = start_server(port, db)
        try:
            warm_lat, warm_err, _ = asyncio.run(
                drive(port, bodies[-5000:], args.clients, args.warmup)
            )
            workers = children(server.pid)
            main_before = cpu_seconds(server.pid)
            workers_before = sum(cpu_seconds(w) for w in workers)
            load_before = os.getloadavg()[0]
            latencies, errors, elapsed = asyncio.run(
                drive(port, bodies, args.clients, args.seconds)
            )
            main_cpu = cpu_seconds(server.pid) - main_before
            workers_cpu = sum(cpu_seconds(w) for w in workers) - workers_before
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = sqlite3.connect(db).execute("SELECT count(*) FROM evaluations").fetchone()[0]

    ok = len(latencies) - len(errors)
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    mean_units = sum(len(a["schools"]) + len(a["kindergartens"]) for a in apps) / len(apps)
    print(f"data:          {args.data} ({len(apps)} søknader, {mean_units:.1f} enheter i snitt)")
    print(f"klienter:      {args.clients}, {args.seconds:g} s (+{args.warmup:g} s oppvarming)")
    print(f"maskin:        {describe()}")
    print(f"forespørsler:  {len(latencies)} ({ok} vurdert og lagret, {len(errors)} feil)")
    print(f"vurderinger/s: {len(latencies) / elapsed:.0f}")
    print(
        f"latens ms:     p50 {qs[49] * 1000:.1f}  p95 {qs[94] * 1000:.1f}  "
        f"p99 {qs[98] * 1000:.1f}  maks {max(latencies, default=0) * 1000:.1f}"
    )
    expected = ok + len(warm_lat) - len(warm_err)
    verdict = "alle lagret" if stored == expected else "AVVIK"
    print(f"i loggen:      {stored} rader, {verdict} (svar med 201: {expected} inkl. oppvarming)")
    n = max(1, len(latencies))
    print(
        f"CPU per kall:  tjener {main_cpu / n * 1000:.2f} ms, "
        f"arbeidsprosesser {workers_cpu / n * 1000:.2f} ms ({len(workers)} stk.)"
    )
    print(f"maskinlast:    {load_before:.1f} før, {load_after:.1f} etter (1 min snitt)")
    if errors:
        print("feilkoder:     " + ", ".join(sorted(set(errors))))
    return 1 if errors or stored != expected else 0


if __name__ == "__main__":
    raise SystemExit(main())
