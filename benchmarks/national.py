"""Benchmark: evaluate and rank a whole synthetic country, as a service would.

Generates 356 applications (~2,800 schools, ~5,700 kindergartens) with
benchmarks/national_data.py, then evaluates them in worker processes (one per core;
durable-rules never releases the GIL, so threads would not help) and ranks them.
Prints applications/s, wall seconds per pass, p50/p99 per application and memory; then,
in this process, the engine alone (`evaluate` of pre-validated applications: facts,
durable-rules and explanations) per application, and its cost per unit at 5, 100 and 500
units (the largest application, cut to size), both in CPU time of this process.
The first pass includes starting the workers; the figures that matter are the warm
passes, when the workers have the rules loaded (as in `utvalg serve`).

    .venv/bin/python benchmarks/national.py [--workers N] [--passes N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.national_data import generate_country  # noqa: E402
from engine import evaluate, load_ruleset, parse_application, rank  # noqa: E402
from engine.ranking import Rankable  # noqa: E402

RULES = ROOT / "rules" / "pulje-5"
_worker_state: dict[str, Any] = {}
# The engine-alone figures are this process's CPU time: on a shared machine wall time
# counts the time other processes ran, and the ratios (500 units vs 5) drifted with the load.
_cpu = time.process_time


def _init_worker() -> None:
    _worker_state["ruleset"] = load_ruleset(RULES)


def _evaluate_chunk(chunk: list[dict[str, Any]]) -> list[tuple[bytes, tuple[Any, ...], float]]:
    """Validate and evaluate applications; return decision JSON, ranking key, seconds."""
    from engine import evaluate

    rs = _worker_state["ruleset"]
    rounds = {rs.id: list(rs.counties)}
    out = []
    for raw in chunk:
        start = time.perf_counter()
        app = parse_application(raw, rounds=rounds)
        decision = evaluate(app, rs)
        payload = decision.model_dump_json().encode()
        seconds = time.perf_counter() - start
        key = (
            decision.application_id,
            decision.outcome,
            decision.score,
            app.county,
            app.municipality.number,
            app.received,
        )
        out.append((payload, key, seconds))
    return out


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children_rss_mb(pool: Any) -> float:
    total = 0.0
    for proc in pool._pool:  # the workers' resident memory
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return total


def run_pass(pool: Any, country: list[dict[str, Any]], chunks: int) -> dict[str, Any]:
    """Evaluate and rank the country once; return timings and the ranking."""
    ruleset = load_ruleset(RULES)
    start = time.perf_counter()
    size = max(1, len(country) // chunks)
    parts = [country[i : i + size] for i in range(0, len(country), size)]
    results = [r for part in pool.map(_evaluate_chunk, parts) for r in part]
    ranking = rank([Rankable(*key) for _, key, _ in results], ruleset)
    wall = time.perf_counter() - start
    per_app = sorted(s for _, _, s in results)
    return {
        "wall": wall,
        "p50": statistics.median(per_app),
        "p99": per_app[int(len(per_app) * 0.99) - 1],
        "bytes": sum(len(p) for p, _, _ in results),
        "ranking": ranking,
        "outcomes": [k[1] for _, k, _ in results],
    }


def memory_in_one_process(country: list[dict[str, Any]], passes: int) -> list[tuple[float, int]]:
    """RSS (MB) and live Python objects after each of `passes` evaluations of the country.

    Measured in one process because the workers' RSS depends on which worker happened to
    get the largest application (Oslo, 830 units) in a pass, not on what it keeps.
    """
    import gc

    from engine import evaluate

    ruleset = load_ruleset(RULES)
    rounds = {ruleset.id: list(ruleset.counties)}
    figures = []
    for _ in range(passes):
        for raw in country:
            evaluate(parse_application(raw, rounds=rounds), ruleset).model_dump_json()
        gc.collect()
        figures.append((_rss_mb(), len(gc.get_objects())))
    return figures


def engine_per_application(country: list[dict[str, Any]], passes: int = 3) -> list[float]:
    """CPU seconds of `evaluate` for each pre-validated application (its median of `passes`)."""
    ruleset = load_ruleset(RULES)
    rounds = {ruleset.id: list(ruleset.counties)}
    apps = [parse_application(raw, rounds=rounds) for raw in country]
    evaluate(apps[0], ruleset)  # the rules compiled once, as in a worker
    times: list[list[float]] = [[] for _ in apps]
    for _ in range(passes):
        for i, app in enumerate(apps):
            start = _cpu()
            evaluate(app, ruleset)
            times[i].append(_cpu() - start)
    return [statistics.median(t) for t in times]


def engine_per_unit(country: list[dict[str, Any]], sizes: tuple[int, ...]) -> dict[int, float]:
    """CPU seconds of `evaluate` per unit for the largest application cut to each size."""
    ruleset = load_ruleset(RULES)
    rounds = {ruleset.id: list(ruleset.counties)}
    largest = max(country, key=lambda a: len(a["schools"]) + len(a["kindergartens"]))
    share = len(largest["schools"]) / (len(largest["schools"]) + len(largest["kindergartens"]))
    out = {}
    for size in sizes:
        schools = max(1, round(size * share))
        raw = {
            **largest,
            "schools": largest["schools"][:schools],
            "kindergartens": largest["kindergartens"][: size - schools],
        }
        app = parse_application(raw, rounds=rounds)
        evaluate(app, ruleset)
        runs = []
        for _ in range(max(3, 1000 // size)):
            start = _cpu()
            evaluate(app, ruleset)
            runs.append(_cpu() - start)
        out[size] = statistics.median(runs) / size
    return out


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--passes", type=int, default=10)
    args = parser.parse_args()

    country = generate_country()
    schools = sum(len(a["schools"]) for a in country)
    kindergartens = sum(len(a["kindergartens"]) for a in country)
    print(f"machine: {describe()}")
    print(
        f"country: {len(country)} applications, {schools} schools, "
        f"{kindergartens} kindergartens; {args.workers} worker processes"
    )
    ctx = mp.get_context("forkserver")
    cold_start = time.perf_counter()
    with ctx.Pool(args.workers, initializer=_init_worker) as pool:
        first = run_pass(pool, country, args.workers * 8)
        cold = time.perf_counter() - cold_start
        print(f"pass  1 (cold, incl. worker start): {cold:.3f} s")
        walls, memory = [], []
        reference = first["ranking"]
        for n in range(2, args.passes + 1):
            result = run_pass(pool, country, args.workers * 8)
            assert result["ranking"] == reference, "ranking changed between passes"
            walls.append(result["wall"])
            memory.append(_children_rss_mb(pool))
            print(
                f"pass {n:2d}: {result['wall']:.3f} s, "
                f"{len(country) / result['wall']:.0f} applications/s, "
                f"p50 {result['p50'] * 1000:.2f} ms, p99 {result['p99'] * 1000:.2f} ms "
                f"per application, workers' RSS {memory[-1]:.0f} MB"
            )
    outcomes = {o: first["outcomes"].count(o) for o in sorted(set(first["outcomes"]))}
    print(f"outcomes: {outcomes}; decisions {first['bytes'] / 1e6:.1f} MB of JSON per pass")
    print(
        f"warm passes: median {statistics.median(walls):.3f} s, best {min(walls):.3f} s, "
        f"worst {max(walls):.3f} s"
    )
    print(
        f"memory: workers' RSS {memory[0]:.0f} MB after pass 2, {memory[-1]:.0f} MB after "
        f"pass {args.passes}; parent peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    per_app = engine_per_application(country)
    print(
        f"engine alone, CPU per application (median of {len(per_app)}): "
        f"{statistics.median(per_app) * 1e6:.0f} µs; p99 "
        f"{sorted(per_app)[int(len(per_app) * 0.99) - 1] * 1e6:.0f} µs"
    )
    per_unit = engine_per_unit(country, (5, 100, 500))
    print(
        "engine alone, CPU per unit: "
        + ", ".join(f"{per_unit[n] * 1e6:.0f} µs at {n} units" for n in per_unit)
        + f"; 500 units vs 5: {per_unit[500] / per_unit[5]:.2f}×"
    )
    single = memory_in_one_process(country, args.passes)
    print(
        "memory, one process evaluating the country repeatedly: RSS "
        + ", ".join(f"{m:.0f}" for m, _ in single)
        + " MB; live Python objects "
        + ", ".join(str(n) for _, n in single)
        + f" (pass 1 to {args.passes})"
    )


if __name__ == "__main__":
    main()
