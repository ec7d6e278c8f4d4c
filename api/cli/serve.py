"""`utvalg serve`: the HTTP API (and web pages) under uvicorn, with the safety checks at start."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from typing import Any

import uvicorn
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from api.app import create_app
from api.registry import load_all
from api.settings import Settings
from engine import InvalidRules


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    """`utvalg serve`: check settings, keys and rules, then run the server until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    overrides: dict[str, Any] = {}
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
    if not keys:
        if not is_loopback(args.host):
            print(
                f"Nekter å lytte på {args.host} uten API-nøkler: sett UTVALG_API_KEYS "
                "(f.eks. «saksbehandling:caseworker:<lang tilfeldig nøkkel>») eller bruk "
                "--host 127.0.0.1.",
                file=sys.stderr,
            )
            return 2
        print(
            f"Ingen API-nøkler er satt (UTVALG_API_KEYS): tjenesten er åpen for alle på denne "
            f"maskinen og lytter bare på {args.host}.",
            file=sys.stderr,
        )
    else:
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
    # The dispatcher and log-writer threads hand work to and from the event loop; with the
    # default 5 ms GIL switch interval each hand-over could wait that long under load.
    sys.setswitchinterval(0.001)
    app = create_app(settings)
    print(
        f"utvalg lytter på http://{args.host}:{args.port} (API-dokumentasjon: /docs, "
        f"database: {_safe_url(settings.resolved_database_url())}).",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=not args.no_access_log,
        timeout_graceful_shutdown=10,
    )
    return 0


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
