"""`utvalg users add|list|disable|enable|set-password|set-role`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from api.cli import users as users_cli
from api.cli.main import main
from api.cli.serve import users_exist
from api.settings import Settings
from api.store.db import make_engine
from api.store.users import UserStore

PASSWORD = "et-langt-passord"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """UTVALG_DATABASE_URL pointing at a SQLite file in the test's folder; cheap hashes."""
    url = f"sqlite:///{tmp_path / 'var' / 'utvalg.db'}"
    monkeypatch.setenv("UTVALG_DATABASE_URL", url)
    monkeypatch.setenv("UTVALG_TEST_CHEAP_PASSWORDS", "1")
    monkeypatch.delenv("UTVALG_API_KEYS", raising=False)
    return url


def _run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _store(url: str) -> UserStore:
    return UserStore(make_engine(url), cheap_hashes=True)


def test_add_with_the_password_from_stdin_then_list(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(
        capsys,
        monkeypatch,
        "add",
        "kari.nordmann",
        "--rolle",
        "approver",
        "--passord-fra-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert out == "La til kari.nordmann med rollen approver (godkjenner).\n"
    assert PASSWORD not in out + err
    assert _store(database).verify("kari.nordmann", PASSWORD) is not None
    code, out, _ = _run(capsys, monkeypatch, "list")
    assert code == 0 and out.startswith("1 bruker:\n") and "approver" in out and "aktiv" in out
    code, out, _ = _run(capsys, monkeypatch, "list", "--format", "json")
    listed = json.loads(out)
    assert [(u["username"], u["role"], u["disabled"]) for u in listed] == [
        ("kari.nordmann", "approver", False)
    ]
    assert listed[0]["changed_by"].startswith("kommandolinje")


def test_an_empty_list_says_how_to_add(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(capsys, monkeypatch, "list")
    assert code == 0 and "Ingen brukere ennå" in out and "utvalg users add" in out


def test_the_password_is_asked_twice_without_echo_on_a_terminal(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD])
    prompts: list[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(users_cli.getpass, "getpass", ask)
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", terminal)
    assert main(["users", "add", "ola", "--rolle", "reader"]) == 0
    assert prompts == ["Passord: ", "Gjenta passordet: "]
    capsys.readouterr()
    answers = iter([PASSWORD, "et-annet-passord"])
    assert main(["users", "set-password", "ola"]) == 2
    assert "Passordene er ikke like" in capsys.readouterr().err
    assert _store(database).verify("ola", PASSWORD) is not None  # unchanged


def test_without_a_terminal_or_the_flag_nothing_is_made(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _run(capsys, monkeypatch, "add", "ola", "--rolle", "reader")
    assert code == 2 and "--passord-fra-stdin" in err
    assert _store(database).list() == []


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "ola", "--rolle", "reader", "--passord-fra-stdin"], "kort\n", "minst 10 tegn"),
        (["add", "ol a", "--rolle", "reader", "--passord-fra-stdin"], PASSWORD, "ugyldig"),
        (["disable", "per"], "", "Brukeren «per» finnes ikke."),
        (["set-role", "per", "admin"], "", "Brukeren «per» finnes ikke."),
    ],
)
def test_refusals_are_norwegian_with_code_2(
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    code, out, err = _run(capsys, monkeypatch, *argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.startswith("utvalg users: ") and message in err


def test_a_name_taken_by_a_user_or_a_key_is_refused(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ("add", "ola", "--rolle", "reader", "--passord-fra-stdin")
    assert _run(capsys, monkeypatch, *argv, stdin=PASSWORD)[0] == 0
    code, _, err = _run(capsys, monkeypatch, *argv, stdin=PASSWORD)
    assert code == 2 and "finnes fra før" in err
    monkeypatch.setenv("UTVALG_API_KEYS", "arkiv:reader:arkiv-nokkel-0123456789")
    code, _, err = _run(
        capsys, monkeypatch, "add", "arkiv", "--rolle", "reader", "--passord-fra-stdin"
    )
    assert code == 2 and "navnet på en API-nøkkel" in err


def test_disable_set_role_enable_and_set_password(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(
        capsys,
        monkeypatch,
        "add",
        "kari",
        "--rolle",
        "caseworker",
        "--passord-fra-stdin",
        stdin=PASSWORD,
    )
    assert _run(capsys, monkeypatch, "disable", "kari")[1] == (
        "Deaktiverte kari; øktene til kari er avsluttet.\n"
    )
    assert "deaktivert" in _run(capsys, monkeypatch, "list")[1]
    assert _run(capsys, monkeypatch, "set-role", "kari", "admin")[1] == (
        "kari har nå rollen admin (administrator).\n"
    )
    assert _run(capsys, monkeypatch, "enable", "kari")[0] == 0
    code, out, _ = _run(
        capsys,
        monkeypatch,
        "set-password",
        "kari",
        "--passord-fra-stdin",
        stdin="et-nytt-langt-passord\n",
    )
    assert code == 0 and "øktene til kari er avsluttet" in out
    store = _store(database)
    assert store.verify("kari", PASSWORD) is None
    user = store.verify("kari", "et-nytt-langt-passord")
    assert user is not None and user.role == "admin" and not user.disabled


def test_help_is_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["users", "add", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("bruk: utvalg users add") and "--passord-fra-stdin" in out


def test_serve_sees_users_so_it_may_listen_beyond_loopback(database: str) -> None:
    settings = Settings()
    assert not users_exist(settings)  # no keys, no users: loopback only
    _store(database).add("kari", "reader", PASSWORD, None)
    assert users_exist(settings)
