"""`utvalg users add|list|disable|enable|set-password|set-role`: the named users (CONTRACT 8).

The users live in the service's database (UTVALG_DATABASE_URL, api.store.users). A password
is never an argument (it would show in `ps` and the shell's history): it is asked for
without echo, twice, or read from the first line of stdin with `--passord-fra-stdin`.
Each change is a new row naming who made it: «kommandolinje:<the OS user>».
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from api.keys import ROLE_NAMES
from api.settings import Settings
from api.store.db import make_engine, migrate
from api.store.users import User, UserError, UserStore, check_password
from engine.text import format_date, plural


def _who() -> str:
    try:
        return f"kommandolinje:{getpass.getuser()}"[:100]
    except (KeyError, OSError):  # no name for the uid (a container)
        return "kommandolinje"


def _password(args: argparse.Namespace) -> str:
    """The new password, from stdin or asked for twice without echo; UserError when unusable."""
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        check_password(password)
        return password
    if not sys.stdin.isatty():
        raise UserError(
            "NO_TERMINAL",
            "Ingen terminal å spørre om passordet på: bruk --passord-fra-stdin og send "
            "passordet på stdin.",
        )
    password = getpass.getpass("Passord: ")
    check_password(password)
    if getpass.getpass("Gjenta passordet: ") != password:
        raise UserError("PASSWORD_MISMATCH", "Passordene er ikke like; ingenting er endret.")
    return password


def _line(user: User) -> str:
    status = "deaktivert" if user.disabled else "aktiv"
    by = f" av {user.changed_by}" if user.changed_by else ""
    return (
        f"  {user.username:<24} {user.role:<11} {ROLE_NAMES[user.role]:<15} {status:<11} "
        f"endret {format_date(user.changed_at.date())}{by}"
    )


def _as_json(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
        "changed_at": user.changed_at.isoformat(),
        "changed_by": user.changed_by,
    }


def _run(args: argparse.Namespace, store: UserStore, settings: Settings) -> str:
    """Do the action; what to print."""
    who = _who()
    name = getattr(args, "username", "").strip().lower()
    if args.action == "add":
        if any(k.name == name for k in settings.keys()):
            raise UserError(
                "NAME_OF_A_KEY",
                f"«{name}» er navnet på en API-nøkkel; velg et annet brukernavn, så loggen "
                "skiller personer fra systemer.",
            )
        user = store.add(name, args.role, _password(args), who)
        return f"La til {user.username} med rollen {user.role} ({ROLE_NAMES[user.role]})."
    if args.action == "set-password":
        password = _password(args)
        store.set_password(name, password, who)
        return f"Nytt passord for {name}; øktene til {name} er avsluttet."
    if args.action == "disable":
        store.disable(name, who)
        return f"Deaktiverte {name}; øktene til {name} er avsluttet."
    if args.action == "enable":
        store.enable(name, who)
        return f"Aktiverte {name} igjen."
    if args.action == "set-role":
        user = store.set_role(name, args.role, who)
        return f"{user.username} har nå rollen {user.role} ({ROLE_NAMES[user.role]})."
    users = store.list()
    if args.format == "json":
        return json.dumps([_as_json(u) for u in users], ensure_ascii=False, indent=2)
    if not users:
        return "Ingen brukere ennå. Legg til en med «utvalg users add BRUKERNAVN --rolle ROLLE»."
    return "\n".join([plural(len(users), "bruker", "brukere") + ":", *map(_line, users)])


def cmd_users(args: argparse.Namespace) -> int:
    """`utvalg users …`: change or list the users; 0 when done, 2 on any refusal."""
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        migrate(engine)
        store = UserStore(engine, cheap_hashes=settings.test_cheap_passwords)
        print(_run(args, store, settings))
    except UserError as exc:
        print(f"utvalg users: {exc.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0
