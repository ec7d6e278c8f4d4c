"""The `utvalg` entry point as a user meets it: any working folder, Norwegian help, pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.builders import ROOT

UTVALG = Path(sys.executable).with_name("utvalg")
TRONDHEIM = ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml"


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    """No stray UTVALG settings; a database that is not the checkout's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    env["UTVALG_DATABASE_URL"] = f"sqlite:///{tmp / 'cli.db'}"
    env.update(extra)
    return env


def utvalg(tmp: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, run in `tmp` (outside the checkout)."""
    return subprocess.run(
        [str(UTVALG), *args],
        cwd=tmp,
        env=environment(tmp, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_evaluate_works_outside_the_checkout(tmp_path: Path) -> None:
    done = utvalg(tmp_path, "evaluate", str(TRONDHEIM))
    assert done.returncode == 0, done.stderr
    assert "ANBEFALT" in done.stdout
