"""The machine line the benchmarks print beside their figures (benchmarks/machine.py)."""

import os
from pathlib import Path

import pytest

from benchmarks.machine import describe


def test_names_the_cores() -> None:
    assert describe().endswith(f", {os.cpu_count()} cores")


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="Linux only")
def test_names_the_first_processors_model_and_clock() -> None:
    blocks = Path("/proc/cpuinfo").read_text(encoding="utf-8").split("\n\n")
    first = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in blocks[0].splitlines())
    )
    if "model name" not in first or "cpu MHz" not in first:
        pytest.skip("this processor's /proc/cpuinfo names no model or clock")
    text = describe()
    assert text.startswith(first["model name"] + ",")
    assert f", {float(first['cpu MHz']):.0f} MHz," in text
