"""A short command's start and end (api.cli.startup): no plugin search, no final collections."""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pydantic.plugin._loader
import pydantic.plugin._schema_validator

from tests.builders import ROOT

EXAMPLE = ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml"


def test_no_pydantic_plugin_is_installed() -> None:
    # leaving the search out changes nothing only while there is nothing to find
    assert list(importlib.metadata.entry_points(group="pydantic")) == []


def test_pydantic_still_asks_its_plugin_loader_for_the_plugins() -> None:
    # the seam api.cli.startup fills in: a pydantic that found its plugins elsewhere would
    # search again, and one that asked get_plugins for more would fail here first
    source = inspect.getsource(pydantic.plugin._schema_validator.create_schema_validator)
    assert "from ._loader import get_plugins" in source
    assert inspect.signature(pydantic.plugin._loader.get_plugins).parameters == {}


def _evaluate_in_a_fresh_process(tmp: Path, search: bool) -> tuple[str, str]:
    script = (
        "import sys\n"
        + ("import pydantic.plugin._loader\n" if search else "")  # loaded first: it searches
        + "from api.cli.main import main\n"
        f"code = main(['evaluate', '--format', 'json', {str(EXAMPLE)!r}])\n"
        "print(code, 'importlib.metadata' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr.splitlines()[-1]


def test_evaluate_decides_without_the_plugin_search_as_with_it(tmp_path: Path) -> None:
    without, how = _evaluate_in_a_fresh_process(tmp_path, search=False)
    assert how == "0 False"  # evaluated, and importlib.metadata never imported
    searched, how = _evaluate_in_a_fresh_process(tmp_path, search=True)
    assert how == "0 True"
    assert without == searched and '"application_id": "trondheim-2020"' in without


def test_what_is_alive_at_exit_is_frozen_before_the_last_collections(tmp_path: Path) -> None:
    script = (
        "import atexit, gc\n"
        "from api.cli.startup import exit_without_collecting\n"
        # registered first, so it runs after the freeze (atexit runs the last one first)
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "exit_without_collecting()\n"
        "exit_without_collecting()  # as when main() runs twice in one process\n"
        "print('before exit', gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["before exit False", "frozen True"]
