"""`utvalg serve`: the HTTP API (and web pages) under uvicorn, with the safety checks at start."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging.config
import resource
import socket
import sys
from typing import Any

import uvicorn
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.app import create_app
from api.cli.server_log import log_config
from api.http.connection import guarded_protocol
from api.registry import load_all
from api.settings import Settings
from api.store.db import make_engine, migrate
from api.store.users import UserStore
from engine import InvalidRules


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def users_exist(settings: Settings) -> bool:
    """Whether the database has named users (then the service is not open, with or without keys)."""
    engine = make_engine(settings.resolved_database_url())
    try:
        migrate(engine)
        return UserStore(engine).any_users()
    finally:
        engine.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    """`utvalg serve`: check settings, keys and rules, then run the server until stopped."""
    if not logging.getLogger().handlers:  # as basicConfig: a host's own logging stays
        logging.config.dictConfig(log_config())
    overrides: dict[str, Any] = {"bind_host": args.host}
    if args.rules is not None:
        overrides["rules_dir"] = args.rules
    if args.workers is not None:
        overrides["workers"] = args.workers
    if args.watch:
        overrides["watch"] = True
    if args.seed_examples:
        overrides["seed_examples"] = True
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        for err in exc.errors():
            print(f"Ugyldig innstilling: {err['msg']}", file=sys.stderr)
        return 2
    keys = settings.keys()
    try:
        users = users_exist(settings)
    except SQLAlchemyError as exc:
        print(
            f"Databasen kunne ikke åpnes ({type(exc).__name__}); tjenesten startet ikke. "
            "Sjekk UTVALG_DATABASE_URL.",
            file=sys.stderr,
        )
        return 2
    if users:
        print("Navngitte brukere logger inn på nettsidene (utvalg users list).", file=sys.stderr)
    if not keys and not users:
        if not is_loopback(args.host):
            print(
                f"Nekter å lytte på {args.host} uten API-nøkler eller brukere: sett "
                "UTVALG_API_KEYS (f.eks. «saksbehandling:caseworker:<lang tilfeldig nøkkel>»), "
                "legg til en bruker med «utvalg users add», eller bruk --host 127.0.0.1.",
                file=sys.stderr,
            )
            return 2
        print(
            f"Ingen API-nøkler er satt (UTVALG_API_KEYS): tjenesten er åpen for alle på denne "
            f"maskinen og lytter bare på {args.host}.",
            file=sys.stderr,
        )
    elif keys:
        roles = ", ".join(f"{k.name} ({k.role})" for k in keys)
        print(f"API-nøkler: {roles}.", file=sys.stderr)
    try:
        load_all(settings.rules_dir)
    except InvalidRules as exc:
        for d in exc.diagnostics:
            print(d.render(), file=sys.stderr)
        print(
            f"Reglene i {settings.rules_dir} er ugyldige; tjenesten startet ikke.", file=sys.stderr
        )
        return 2
    # The input and database threads hand work to and from the event loop; with the
    # default 5 ms GIL switch interval each hand-over could wait that long under load.
    sys.setswitchinterval(0.001)
    raise_open_files_limit()
    try:
        sock = listening_socket(args.host, args.port)
    except CannotListen as exc:
        print(str(exc), file=sys.stderr)
        return 2
    app = create_app(settings)
    port = sock.getsockname()[1]  # the one chosen when --port 0
    base = f"http://{_url_host(args.host)}:{port}"
    for line in start_screen(base, settings):
        print(line, file=sys.stderr)
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=port,
            fd=sock.fileno(),  # the bound socket: uvicorn serves on it instead of binding
            # header size cap and header deadline per connection (api/http/connection.py)
            http=guarded_protocol(settings.max_header_bytes, settings.header_timeout_seconds),
            log_config=log_config(),  # Norwegian lines (api/cli/server_log.py)
            log_level="info",
            access_log=not args.no_access_log,
            timeout_graceful_shutdown=10,
        )
    finally:
        sock.close()
    return 0


def raise_open_files_limit(wanted: int = 65536) -> int:
    """Raise this process's open-file limit towards `wanted` (as far as the hard limit allows).

    Every connection is a file descriptor; with the common soft limit of 1024 a thousand idle
    connections leave no descriptor for the next request, or for the database.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft
        return target
    return soft


class CannotListen(Exception):
    """The address or port cannot be listened on; the message says why and what to do."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` and listening, handed to uvicorn.

    Bound here, before anything claims to listen, so that a port in use is said in Norwegian
    with the way out (`--port`) instead of uvicorn's «[Errno 98] address already in use».
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CannotListen(
            f"Fant ikke adressen «{host}»; velg en annen med --host (f.eks. --host 127.0.0.1)."
        ) from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise CannotListen(_bind_problem(exc, host, port)) from exc
    sock.set_inheritable(True)
    return sock


def _bind_problem(exc: OSError, host: str, port: int) -> str:
    other = port + 1 if port < 65535 else port - 1
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} på {host} er opptatt: et annet program (kanskje en utvalg som alt "
            f"kjører) lytter der. Stopp det, eller velg en annen port med --port, f.eks. "
            f"«utvalg serve --port {other}». Tjenesten startet ikke."
        )
    if exc.errno == errno.EACCES:
        return (
            f"Har ikke lov til å lytte på port {port} (porter under 1024 krever rettigheter). "
            f"Velg en annen port med --port, f.eks. «utvalg serve --port {other}»."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"Adressen {host} finnes ikke på denne maskinen; velg en annen med --host "
            "(f.eks. --host 127.0.0.1)."
        )
    return f"Kan ikke lytte på {host}:{port} ({exc.strerror or exc}). Tjenesten startet ikke."


def start_screen(base: str, settings: Settings) -> list[str]:
    """What `utvalg serve` says once it listens: where, which database, how to stop."""
    lines = [
        f"utvalg lytter på {base} (API-dokumentasjon: {base}/docs, "
        f"database: {_safe_url(settings.resolved_database_url())}).",
    ]
    if settings.seed_examples:
        lines.append(
            "Tjenesten viser eksempeldata: eksempelsøknadene i examples/ vurderes inn i "
            "databasen over. Hold den atskilt fra databasen med ekte søknader (make run "
            "bruker var/eksempel.db, utvalg serve ellers UTVALG_DATABASE_URL eller "
            "var/utvalg.db)."
        )
    lines.append("Stopp tjenesten med Ctrl+C.")
    return lines


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
