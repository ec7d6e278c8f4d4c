"""A stand-in for api.reload_gate that stops without writing its result, as a crash does.

Run as `python -m tests.api.crashing_gate REQUEST OUT` by the real
`api.registry.gate_in_subprocess` once a test points `api.registry.GATE_MODULE` here.
How it stops is read from the environment the gate passes on (HOW):
"signal" kills the process with SIGSEGV, as durable-rules' C core does; "exception" raises
an uncaught error (exit code 1, the traceback on stderr); "silent" ends with exit code 0
and writes nothing.
"""

from __future__ import annotations

import os
import signal
import sys

MODULE = "tests.api.crashing_gate"
HOW = "CRASHING_GATE_HOW"
ERROR = "RuntimeError: regelmotoren fant ikke sin tilstand"


def main() -> int:
    """Stop the way HOW says, never writing the result file."""
    how = os.environ.get(HOW, "signal")
    if how == "signal":
        os.kill(os.getpid(), signal.SIGSEGV)
    if how == "exception":
        raise RuntimeError(ERROR.split(": ", 1)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
