"""Benchmark: instructions the engine executes per application, counted by valgrind.

On a shared machine wall and CPU time measure the other processes as much as the code;
the number of instructions does not (it varies by well under 1 % between runs with a
fixed hash seed). Counts, with valgrind's callgrind, the instructions of
`evaluate` on every `--every`-th application of benchmarks/national_data.py (validated
beforehand), as the instructions of a run that evaluates them minus those of the same
run that stops before evaluating; prints the total, the mean per application and, per
part of the machine code, where they went: durable-rules' C core, orjson, libc and the
Python interpreter (our code, pydantic's Python parts and the standard library).

Needs valgrind (`apt-get install valgrind`, its callgrind tool names each function's
object file); about 45 s with the default on this machine.

    .venv/bin/python benchmarks/instructions.py [--every 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.national_data import generate_country  # noqa: E402
from engine import load_ruleset, parse_application  # noqa: E402

RULES = ROOT / "rules" / "pulje-5"
# the child: load the rules and the validated applications, evaluate the first (the rules
# compiled, as in a worker), then all of them only when asked
_CHILD = """
import pickle, sys
sys.path.insert(0, {root!r})
from engine import evaluate, load_ruleset
ruleset = load_ruleset({rules!r})
with open({apps!r}, "rb") as f:
    applications = pickle.load(f)
evaluate(applications[0], ruleset)
if sys.argv[1] == "evaluate":
    for application in applications:
        evaluate(application, ruleset)
"""
_TOTAL = re.compile(r"^\s*([0-9,]+) \(\s*[0-9.]+%\)\s+PROGRAM TOTALS", re.MULTILINE)
# a line of callgrind_annotate's per-function list: count, share, file:function [object]
_FUNCTION = re.compile(r"^\s*([0-9,]+) \(\s*[0-9.]+%\)\s+\S.*?(?:\[(\S+)\])?$", re.MULTILINE)


def _count(child: Path, mode: str, out: Path) -> tuple[int, Counter[str]]:
    """Instructions of one run of the child, in all and per object file."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(child),
            mode,
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    report = subprocess.run(
        ["callgrind_annotate", "--threshold=100", str(out)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    total = _TOTAL.search(report)
    if total is None:
        raise SystemExit("cg_annotate printed no program total")
    parts: Counter[str] = Counter()
    for match in _FUNCTION.finditer(report[total.end() :]):
        parts[_part(match.group(2) or "")] += int(match.group(1).replace(",", ""))
    return int(total.group(1).replace(",", "")), parts


def _part(obj: str) -> str:
    name = Path(obj).name
    if name.startswith("durable_rules_engine"):
        return "durable-rules' C core"
    if name.startswith("orjson"):
        return "orjson"
    if name.startswith("_pydantic_core"):
        return "pydantic-core (Rust)"
    if name.startswith("libc.so"):
        return "libc (memory copies, allocation)"
    if name.startswith("libpython") or not name:
        return "the Python interpreter (Python code)"
    return "other (" + name + ")"


def main() -> None:
    """Count and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=3, help="every N-th application")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        print("skipped: valgrind is not installed (apt-get install valgrind)")
        return
    ruleset = load_ruleset(RULES)
    rounds = {ruleset.id: list(ruleset.counties)}
    applications = [parse_application(raw, rounds=rounds) for raw in generate_country()]
    sample = applications[:: args.every]
    units = sum(len(a.schools) + len(a.kindergartens) for a in sample)
    with tempfile.TemporaryDirectory(prefix="utvalg-bench-instructions-") as folder:
        work = Path(folder)
        apps = work / "applications.pickle"
        apps.write_bytes(pickle.dumps(sample))
        child = work / "child.py"
        child.write_text(_CHILD.format(root=str(ROOT), rules=str(RULES), apps=str(apps)))
        setup, setup_parts = _count(child, "setup", work / "setup.out")
        full, full_parts = _count(child, "evaluate", work / "full.out")
    spent = full - setup
    print(
        f"{len(sample)} applications ({units} units), every {args.every}. of the national set: "
        f"{spent / 1e6:,.0f} M instructions to evaluate them (setup {setup / 1e6:,.0f} M "
        "not counted)"
    )
    print(
        f"per application: {spent / len(sample) / 1e6:.2f} M instructions; "
        f"per unit: {spent / units / 1e3:,.0f} k"
    )
    parts = full_parts.copy()
    parts.subtract(setup_parts)
    for name, count in parts.most_common():
        if count > spent * 0.005:
            print(f"  {name}: {count / spent:.1%}")


if __name__ == "__main__":
    main()
