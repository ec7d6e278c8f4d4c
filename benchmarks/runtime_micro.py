"""Micro-benchmark of engine.runtime: evaluations per second, 10 rules and 20 facts each.

Run with `.venv/bin/python benchmarks/runtime_micro.py [evaluations]`. Figures are printed,
never asserted; expect +-30 % between runs. The C core never releases the GIL, so this is
the throughput of one process on one core.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from engine.runtime import Match, RuleRuntime

RULES: dict[str, dict[str, Any]] = {
    "school_2": {"$and": [{"t": "school"}, {"$gte": {"years": 2}}]},
    "school_5": {"$and": [{"t": "school"}, {"$gte": {"years": 5}}]},
    "school_small": {"$and": [{"t": "school"}, {"$lt": {"pupils": 100}}]},
    "school_region": {"$and": [{"t": "school"}, {"$or": [{"region": "nord"}, {"region": "midt"}]}]},
    "kg": {"t": "kindergarten"},
    "kg_big": {"$and": [{"t": "kindergarten"}, {"$gt": {"children": 60}}]},
    "kg_no_children": {"$and": [{"t": "kindergarten"}, {"$nex": {"children": 1}}]},
    "municipality": {"t": "municipality"},
    "municipality_nord": {"$and": [{"t": "municipality"}, {"region": "nord"}]},
    "flagged": {"flag": True},
}
SETS = 50
FACTS_PER_EVALUATION = 20


def fact_sets(count: int = SETS, seed: int = 7) -> list[list[dict[str, Any]]]:
    """Fixed pseudo-random applications: schools, kindergartens, municipalities, strays.

    Also the workload of the runtime soak test (tests/engine/test_runtime.py).
    """
    rnd = random.Random(seed)
    regions = ["nord", "midt", "vest", "sør", "øst"]
    sets = []
    for s in range(count):
        facts: list[dict[str, Any]] = []
        for n in range(FACTS_PER_EVALUATION):
            kind = rnd.choice(["school", "school", "kindergarten", "municipality", "other"])
            fact: dict[str, Any] = {"id": f"{s}-{n}", "t": kind, "flag": rnd.random() < 0.2}
            if kind == "school":
                fact |= {
                    "years": rnd.randint(0, 7),
                    "pupils": rnd.randint(10, 400),
                    "region": rnd.choice(regions),
                }
            elif kind == "kindergarten":
                fact["children"] = rnd.choice([None, rnd.randint(5, 120)])
            elif kind == "municipality":
                fact["region"] = rnd.choice(regions)
            facts.append(fact)
        sets.append(facts)
    return sets


def derived(matches: list[Match]) -> list[dict[str, Any]]:
    """A second stage: one derived fact per flagged fact."""
    return [{"id": f"d-{m.fact_id}", "t": "municipality"} for m in matches if m.rule == "flagged"]


def run(runtime: RuleRuntime, sets: list[list[dict[str, Any]]], count: int, two: bool) -> None:
    """Time `count` evaluations and print evaluations/s and matches per evaluation."""
    matches = 0
    started = time.perf_counter()
    for n in range(count):
        matches += len(runtime.evaluate(sets[n % SETS], then=derived if two else None))
    elapsed = time.perf_counter() - started
    label = "two stages (then)" if two else "one stage"
    print(
        f"{label:18} {count / elapsed:8.0f} evaluations/s  "
        f"{elapsed / count * 1e6:7.0f} µs each  {matches / count:5.1f} matches each"
    )


def main() -> None:
    """Build the runtime, warm up, then time one-stage and two-stage evaluations."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    sets = fact_sets()
    started = time.perf_counter()
    runtime = RuleRuntime("micro", RULES)
    print(f"{len(RULES)} rules, {FACTS_PER_EVALUATION} facts per evaluation, {count} evaluations")
    print(f"register           {(time.perf_counter() - started) * 1e3:8.1f} ms")
    try:
        for facts in sets:
            runtime.evaluate(facts)
        run(runtime, sets, count, two=False)
        run(runtime, sets, count, two=True)
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
