"""The command line's shared fixture: one `utvalg check --coverage` run on the installed rules."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from api.cli.main import main
from tests.builders import ROOT

RULES = ROOT / "rules" / "pulje-5"


@pytest.fixture(scope="session")
def installed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """`utvalg check --coverage` on the installed rules, keeping its Cucumber JSON."""
    cucumber = tmp_path_factory.mktemp("kjoring") / "cucumber.json"
    out = io.StringIO()  # a module-scoped fixture cannot use capsys
    with contextlib.redirect_stdout(out):
        code = main(["check", "--coverage", "--cucumber", str(cucumber), str(RULES)])
    return code, out.getvalue(), cucumber
