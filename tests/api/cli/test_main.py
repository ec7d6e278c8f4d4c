"""The `utvalg` entry point as a user meets it: any working folder, Norwegian help, pipes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli.main import COMMANDS, main, parser
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


ENGLISH = (
    "usage:",
    "options:",
    "positional arguments",
    "error:",
    "show this help",
    "the following arguments",
    "invalid choice",
    "unrecognized arguments",
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)], ids=str)
def test_help_is_norwegian_with_an_example(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert out.startswith("bruk: utvalg")
    assert "valg:" in out and "vis denne hjelpen og avslutt" in out
    assert "Eksempel: utvalg " in out
    assert not [word for word in ENGLISH if word in out]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help(name: str) -> None:
    without = [a.dest for a in _commands()[name]._actions if not a.help]
    assert without == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_s_parser_alone_is_the_one_in_the_whole(name: str) -> None:
    # main() builds only the named command's parser: its help, usage and errors stay the same
    sub = next(a for a in parser(name)._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == [name]
    assert sub.choices[name].format_help() == _commands()[name].format_help()
    assert sub.choices[name].format_usage() == _commands()[name].format_usage()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "utvalg: feil: mangler argumentet KOMMANDO"),
        (["evaluate"], "utvalg evaluate: feil: mangler argumentet FIL"),
        (
            ["evaluate", "--format", "xml", "a.yaml"],
            "utvalg evaluate: feil: --format: ugyldig valg «xml» (velg text eller json)",
        ),
        (["evaluate", "--foo", "a.yaml"], "utvalg: feil: ukjent argument: --foo"),
        (["rank", "-x", "-y", "a.yaml"], "utvalg: feil: ukjente argumenter: -x -y"),
        (["nope"], "utvalg: feil: ukjent kommando «nope» (velg evaluate, rank, check, docs,"),
        (
            ["serve", "--port", "x"],
            "utvalg serve: feil: --port: ugyldig verdi «x» (må være et heltall)",
        ),
        (["serve", "--port"], "utvalg serve: feil: --port må ha en verdi"),
        (["docs"], "utvalg docs: feil: mangler argumentet --out"),
    ],
)
def test_usage_errors_are_norwegian_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("bruk: utvalg")
    assert message in err
    assert not [word for word in ENGLISH if word in err]


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`utvalg evaluate … | head -1`: the pipe closes before the output is written."""
    examples = sorted(str(p) for p in TRONDHEIM.parent.glob("*.yaml"))
    proc = subprocess.Popen(
        [str(UTVALG), "evaluate", *examples],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `head` does once it has its line
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception" not in err
