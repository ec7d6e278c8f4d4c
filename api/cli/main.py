"""The `utvalg` command line (CONTRACT section 4): the parser, and dispatch to the commands."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RULES_HELP = (
    "ett regelsett eller en mappe med én undermappe per runde "
    "(standard: UTVALG_RULES_DIR, ellers prosjektets rules/)"
)

# Command → (module, function). The module is imported only when its command runs: importing
# SQLAlchemy (evaluate, import-survey) or uvicorn (serve) costs about 0.4 s, which every other
# command — and `utvalg --help` — would pay at start if this module imported them all.
COMMANDS: dict[str, tuple[str, str]] = {
    "evaluate": ("api.cli.evaluate", "cmd_evaluate"),
    "rank": ("api.cli.rank", "cmd_rank"),
    "check": ("api.cli.check", "cmd_check"),
    "docs": ("api.cli.docs", "cmd_docs"),
    "import-survey": ("api.cli.import_survey", "cmd_import_survey"),
    "serve": ("api.cli.serve", "cmd_serve"),
    "new-round": ("api.cli.new_round", "cmd_new_round"),
}


def parser() -> argparse.ArgumentParser:
    """The `utvalg` argument parser with every command (help texts in Norwegian)."""
    p = argparse.ArgumentParser(
        prog="utvalg",
        description="Utvalg til Læringsmiljøprosjektet: vurder og ranger søknader.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    for name, text in (
        ("evaluate", "vurder søknadsfiler"),
        ("rank", "vurder og ranger søknadsfiler per fylke"),
    ):
        c = sub.add_parser(
            name,
            help=text,
            description=f"{text[0].upper()}{text[1:]}. Hver søknad vurderes med reglene for "
            "runden den oppgir i «round».",
        )
        c.add_argument("files", nargs="+", metavar="FIL")
        c.add_argument("--rules", type=Path, metavar="MAPPE", help=RULES_HELP)
        c.add_argument("--format", choices=("text", "json"), default="text")
    _add_check(sub)
    _add_docs(sub)
    _add_import_survey(sub)
    _add_serve(sub)
    _add_new_round(sub)
    return p


def _add_check(sub: Any) -> None:
    c = sub.add_parser(
        "check",
        help="kontroller reglene og kjør hver rundes scenarioer mot dem",
        description="Kontroller regelmappen for hver runde og kjør rundens egne scenarioer "
        "(features/<runde>/) mot den. Uten MAPPE kontrolleres alle rundene. Avslutter med 0 "
        "når alt er i orden, 1 når et scenario feiler, 2 når reglene er ugyldige.",
    )
    c.add_argument("dir", nargs="?", type=Path, metavar="MAPPE", help=RULES_HELP)
    c.add_argument(
        "--coverage",
        action="store_true",
        help="vis hvor mange scenarioer som når hver status, og feil når noen ikke nås",
    )
    c.add_argument("--cucumber", type=Path, metavar="FIL", help="lagre Cucumber JSON fra kjøringen")


def _add_docs(sub: Any) -> None:
    c = sub.add_parser(
        "docs",
        help="lag HTML-dokumentasjon av reglene og scenarioene",
        description="Skriv et statisk HTML-nettsted med hvert kriterium, parameterne, "
        "forklaringene og scenarioene med resultatet fra siste kjøring.",
    )
    c.add_argument("--out", type=Path, required=True, metavar="MAPPE")
    c.add_argument("--rules", type=Path, metavar="MAPPE", help=RULES_HELP)
    c.add_argument(
        "--cucumber",
        type=Path,
        metavar="FIL",
        help="bruk resultatene i en Cucumber JSON-fil i stedet for å kjøre scenarioene",
    )


def _add_import_survey(sub: Any) -> None:
    text = "importer tall fra Elevundersøkelsen (Udirs uttrekk som CSV eller .xlsx)"
    c = sub.add_parser("import-survey", help=text, description=text)
    c.add_argument("files", nargs="+", metavar="FIL")
    c.add_argument(
        "--rules",
        type=Path,
        metavar="MAPPE",
        help="regelsettene som landssnittene i filen sammenlignes med: " + RULES_HELP,
    )
    c.add_argument("--format", choices=("text", "json"), default="text")


def _add_serve(sub: Any) -> None:
    c = sub.add_parser(
        "serve",
        help="start HTTP-API-et og nettsidene",
        description="Start HTTP-API-et (/v1, /docs) og nettsidene. Innstillinger leses fra "
        "UTVALG_*-variabler (UTVALG_DATABASE_URL, UTVALG_API_KEYS, UTVALG_RULES_DIR, …).",
    )
    c.add_argument("--host", default="127.0.0.1", help="adresse å lytte på (127.0.0.1)")
    c.add_argument("--port", type=int, default=8000, help="port (8000)")
    c.add_argument("--rules", type=Path, metavar="MAPPE", help="regelmappe (UTVALG_RULES_DIR)")
    c.add_argument("--workers", type=int, metavar="N", help="arbeidsprosesser (én per kjerne)")
    c.add_argument("--watch", action="store_true", help="last reglene på nytt når filene endres")
    c.add_argument(
        "--seed-examples",
        action="store_true",
        help="vurder eksempelsøknadene inn i loggen ved oppstart (brukes av make run)",
    )
    c.add_argument("--no-access-log", action="store_true", help="ikke logg hver forespørsel")


def _add_new_round(sub: Any) -> None:
    c = sub.add_parser(
        "new-round",
        help="lag en ny runde som en kopi av en runde som finnes",
        description="Kopier reglene (rules/GAMMEL), scenarioene (features/GAMMEL) og "
        "eksemplene (examples/GAMMEL) til en ny runde, med ny id og versjon. Kopien består "
        "«utvalg check» med en gang; endre så det som er nytt i runden. Avslutter med 2 når "
        "den nye runden finnes fra før eller den gamle ikke finnes.",
    )
    c.add_argument(
        "new", metavar="NY", help="den nye rundens id (små bokstaver, tall og bindestrek)"
    )
    c.add_argument(
        "--from", dest="old", required=True, metavar="GAMMEL", help="runden som kopieres"
    )
    c.add_argument(
        "--version", metavar="VERSJON", help="den nye rundens versjon (standard: «<år>.0»)"
    )
    c.add_argument("--title", metavar="TITTEL", help="den nye rundens tittel (standard: den gamle)")


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs command `name`, its module imported now."""
    module, function = COMMANDS[name]
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `utvalg` console script."""
    args = parser().parse_args(argv)
    return command(args.command)(args)


if __name__ == "__main__":
    raise SystemExit(main())
