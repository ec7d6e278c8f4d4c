"""The machine a benchmark ran on, printed beside its figures.

Figures from two machines of one kind differ more than two runs on one machine: a session
measured the engine at 747 µs per application on one, and 1 240 µs on another with a
slower clock. Printing the processor with the figures tells which is which.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """`Intel(R) Xeon(R) Processor, 2000 MHz, 2 cores`: the processor, its clock and cores."""
    model, mhz = platform.processor() or platform.machine(), ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "model name" and value:
                model = value
            elif key == "cpu MHz" and value and not mhz:
                mhz = f", {float(value):.0f} MHz"
            if key == "" and model and mhz:  # the first processor's block has ended
                break
    return f"{model}{mhz}, {os.cpu_count()} cores"
