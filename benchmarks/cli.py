"""Benchmark: the command line as a user meets it, whole process from start to exit.

Writes the 356 applications of benchmarks/national_data.py as JSON files to a temporary
folder, then times, each as a fresh process, `utvalg rank --format json` on all of them,
`utvalg evaluate` of one example, `python -c "import engine"` and the import of what
evaluating needs. Prints the median (best, worst) wall time and the median CPU time of
`--runs` runs of each. No survey
database is configured or present (a temporary working directory, UTVALG_DATABASE_URL
unset), as for a user who only ranks files.

    .venv/bin/python benchmarks/cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.national_data import generate_country  # noqa: E402

BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(
    command: list[str], cwd: Path, env: dict[str, str], runs: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `runs` runs of `command`; every run must exit with 0."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
        if done.returncode != 0:
            raise SystemExit(f"{command[:3]} exited {done.returncode}: {done.stderr.decode()}")
    return walls, cpus


def _line(label: str, timings: tuple[list[float], list[float]]) -> str:
    # CPU time beside wall time: on a busy machine the wall time mostly measures the others
    walls, cpus = timings
    return (
        f"{label}: median {statistics.median(walls):.3f} s (best {min(walls):.3f} s, "
        f"worst {max(walls):.3f} s), CPU median {statistics.median(cpus):.3f} s "
        f"({len(walls)} runs)"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    env["UTVALG_RULES_DIR"] = str(ROOT / "rules")
    with tempfile.TemporaryDirectory(prefix="utvalg-bench-cli-") as folder:
        work = Path(folder)
        files = []
        for application in generate_country():
            path = work / f"{application['id']}.json"
            path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
            files.append(str(path))
        utvalg = str(BIN / "utvalg")
        # a user's installed modules are byte-compiled; without this a PYTHONDONTWRITEBYTECODE
        # environment (as on CI) would time compiling the sources on every run
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "engine"), str(ROOT / "api")],
            check=True,
            capture_output=True,
        )
        print(f"machine: {describe()}")
        print(f"machine load (1 min average): {os.getloadavg()[0]:.1f}")
        rank = _timed([utvalg, "rank", "--format", "json", *files], work, env, args.runs)
        print(_line(f"utvalg rank --format json, {len(files)} applications", rank))
        evaluate = _timed([utvalg, "evaluate", str(EXAMPLE)], work, env, args.runs)
        print(_line(f"utvalg evaluate {EXAMPLE.name}", evaluate))
        python = [sys.executable, "-c", "import engine"]
        imports = _timed(python, work, env, args.runs)  # the installed engine
        print(_line("python -c 'import engine'", imports))
        # what evaluating needs of it (the names load on first use; engine/__init__.py)
        needed = "from engine import evaluate, load_application_file, load_ruleset"
        loaded = _timed([sys.executable, "-c", needed], work, env, args.runs)
        print(_line(f"python -c '{needed}'", loaded))
        bare = _timed([sys.executable, "-c", "pass"], work, env, args.runs)
        print(_line("python -c 'pass' (the interpreter alone)", bare))
        print(f"machine load (1 min average): {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
