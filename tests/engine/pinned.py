"""Decisions pinned byte for byte: every example and the benchmarks' generated country.

The stored sample (tests/engine/data/) was made with the engine before the speed work of
issue 12; tests/engine/test_pinned_decisions.py compares today's decisions with it. The
examples are stored whole (one decision's JSON per line, as `model_dump_json` gives it);
the 356 generated applications (13 MB of decisions) by the SHA-256 of each decision's JSON.

Regenerate only when a change of decisions is intended, and say so in the commit:

    .venv/bin/python -m tests.engine.pinned
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from benchmarks.national_data import generate_country
from engine import evaluate, load_application_file, load_ruleset, parse_application
from engine.ruleset import RuleSet

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "pulje-5"
EXAMPLES = ROOT / "examples" / "pulje-5"
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES_FILE = DATA / "decisions-examples.jsonl"
NATIONAL_FILE = DATA / "decisions-national.sha256"
NATIONAL_SEED = 2020  # generate_country's default, written out so the sample never drifts


def _rounds(ruleset: RuleSet) -> dict[str, list[str]]:
    return {ruleset.id: list(ruleset.counties)}


def example_decisions(ruleset: RuleSet) -> Iterator[tuple[str, str]]:
    """(file name, decision JSON) for every example, read from its file as the CLI does."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        application = load_application_file(path, rounds=_rounds(ruleset))
        yield path.name, evaluate(application, ruleset).model_dump_json()


def national_digests(ruleset: RuleSet) -> Iterator[tuple[str, str]]:
    """(application id, SHA-256 of its decision JSON) for the generated country."""
    for raw in generate_country(NATIONAL_SEED):
        decision = evaluate(parse_application(raw, rounds=_rounds(ruleset)), ruleset)
        digest = hashlib.sha256(decision.model_dump_json().encode()).hexdigest()
        yield decision.application_id, digest


def read_examples() -> list[str]:
    """The stored example decisions, one JSON text per example (sorted by file name)."""
    return EXAMPLES_FILE.read_text(encoding="utf-8").splitlines()


def read_national() -> list[tuple[str, str]]:
    """The stored (application id, digest) pairs, in the generator's order."""
    pairs = []
    for line in NATIONAL_FILE.read_text(encoding="utf-8").splitlines():
        digest, application_id = line.split("  ", 1)
        pairs.append((application_id, digest))
    return pairs


def main() -> None:
    """Write the sample from today's engine."""
    ruleset = load_ruleset(RULES)
    DATA.mkdir(exist_ok=True)
    examples = [decision for _, decision in example_decisions(ruleset)]
    EXAMPLES_FILE.write_text("".join(d + "\n" for d in examples), encoding="utf-8")
    national = [f"{digest}  {app_id}\n" for app_id, digest in national_digests(ruleset)]
    NATIONAL_FILE.write_text("".join(national), encoding="utf-8")
    print(f"{len(examples)} example decisions, {len(national)} national digests written")


if __name__ == "__main__":
    main()
