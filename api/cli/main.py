"""The `utvalg` command line (CONTRACT section 4): the parser, and dispatch to the commands."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from api.cli.startup import exit_without_collecting, without_pydantic_plugins

RULES_HELP = (
    "ett regelsett eller en mappe med én undermappe per runde "
    "(standard: UTVALG_RULES_DIR, ellers prosjektets rules/)"
)

FORMAT_HELP = "text: en lesbar tabell (standard); json: maskinlesbart, som i kontrakten"


class Formatter(argparse.HelpFormatter):
    """argparse's help layout with «bruk:», keeping the line breaks an epilog is written with."""

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "bruk: " if prefix is None else prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(
            super(Formatter, self)._fill_text(line, width, indent) for line in text.splitlines()
        )


def _listed(text: str) -> list[str]:
    return [part.strip().strip("'") for part in text.split(",")]


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} eller {items[-1]}"


# argparse's English error messages (Python 3.11) in Norwegian; anything else keeps its text.
_TYPE_NAMES = {"int": "et heltall", "float": "et tall"}
_ERRORS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (
        r"the following arguments are required: (.*)",
        lambda m: (
            f"mangler argumentet {m[1]}"
            if len(_listed(m[1])) == 1
            else f"mangler argumentene {m[1]}"
        ),
    ),
    (
        r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)",
        lambda m: (
            f"ukjent kommando «{m[2]}» (velg {_or(_listed(m[3]))})"
            if m[1] == "KOMMANDO"
            else f"{m[1]}: ugyldig valg «{m[2]}» (velg {_or(_listed(m[3]))})"
        ),
    ),
    (
        r"argument (\S+): invalid (\w+) value: '(.*)'",
        lambda m: (
            f"{m[1]}: ugyldig verdi «{m[3]}»"
            + (f" (må være {_TYPE_NAMES[m[2]]})" if m[2] in _TYPE_NAMES else "")
        ),
    ),
    (
        r"argument (\S+): expected one argument",
        lambda m: f"{m[1]} må ha en verdi",
    ),
    (
        r"unrecognized arguments: (.*)",
        lambda m: (
            f"ukjent argument: {m[1]}" if len(m[1].split()) == 1 else f"ukjente argumenter: {m[1]}"
        ),
    ),
    (
        r"ambiguous option: (\S+) could match (.*)",
        lambda m: f"{m[1]} er tvetydig: kan være {_or(_listed(m[2]))}",
    ),
    (r"argument (\S+): (.*)", lambda m: f"{m[1]}: {m[2]}"),
)


def norwegian(message: str) -> str:
    """An argparse error message in Norwegian (the known ones; others as argparse wrote them)."""
    for pattern, wording in _ERRORS:
        match = re.fullmatch(pattern, message, re.DOTALL)
        if match:
            return wording(match)
    return message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Norwegian: «bruk:», «valg:», «feil: …»; exit 2 on misuse."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenter"
        self._optionals.title = "valg"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="vis denne hjelpen og avslutt",
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: feil: {norwegian(message)}\n")


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `utvalg` argument parser with every command, or only with `command` (in Norwegian).

    One command's parser is all that parsing its arguments needs: building the other
    commands' parsers was a few ms of every command's start.
    """
    p = Parser(
        prog="utvalg",
        description="Utvalg til Læringsmiljøprosjektet: vurder og ranger søknader.",
        epilog="Eksempel: utvalg evaluate examples/RUNDE/trondheim-2020.yaml\n"
        "Hjelp til én kommando: utvalg KOMMANDO --help",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO", title="kommandoer")
    for name, (_, _, add) in COMMANDS.items():
        if command is None or name == command:
            add(sub)
    return p


def _add_files_command(sub: Any, name: str, text: str, example: str) -> None:
    c = sub.add_parser(
        name,
        help=text,
        description=f"{text[0].upper()}{text[1:]}. Hver søknad vurderes med reglene for "
        "runden den oppgir i «round». Avslutter med 0 når alle er vurdert, 2 når en fil "
        "er ugyldig (feilene skrives til stderr).",
        epilog=f"Eksempel: {example}",
    )
    c.add_argument("files", nargs="+", metavar="FIL", help="søknadsfiler (YAML eller JSON)")
    c.add_argument("--rules", type=Path, metavar="MAPPE", help=RULES_HELP)
    c.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)


def _add_evaluate(sub: Any) -> None:
    _add_files_command(
        sub,
        "evaluate",
        "vurder søknadsfiler",
        "utvalg evaluate examples/RUNDE/trondheim-2020.yaml",
    )


def _add_rank(sub: Any) -> None:
    _add_files_command(
        sub,
        "rank",
        "vurder og ranger søknadsfiler per fylke",
        "utvalg rank --format json examples/RUNDE/*.yaml",
    )


def _add_verify_log(sub: Any) -> None:
    c = sub.add_parser(
        "verify-log",
        help="kontroller at beslutningsloggen ikke er endret",
        description="Kontroller kjede-hashen over beslutningsloggen rad for rad, og at "
        "utløserne som hindrer endringer, er på plass. Avslutter med 0 når loggen er hel, 1 "
        "når en rad er endret, fjernet eller satt inn (den første slike raden nevnes) eller "
        "vernet er fjernet, 2 når databasen ikke kan leses. Databasen er UTVALG_DATABASE_URL.",
        epilog="Eksempel: utvalg verify-log --head 3f5a…",
    )
    c.add_argument(
        "--head",
        metavar="HASH",
        help="en kjede-hash notert tidligere (siste linje fra en tidligere kjøring); "
        "feiler når den ikke lenger finnes i loggen",
    )


def _add_check(sub: Any) -> None:
    c = sub.add_parser(
        "check",
        help="kontroller reglene og kjør hver rundes scenarioer mot dem",
        description="Kontroller regelmappen for hver runde og kjør rundens egne scenarioer "
        "(features/<runde>/) mot den. Uten MAPPE kontrolleres alle rundene. Avslutter med 0 "
        "når alt er i orden, 1 når et scenario feiler, 2 når reglene er ugyldige.",
        epilog="Eksempel: utvalg check rules/RUNDE",
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
        epilog="Eksempel: utvalg docs --out var/dokumentasjon",
    )
    c.add_argument(
        "--out", type=Path, required=True, metavar="MAPPE", help="mappen nettstedet skrives til"
    )
    c.add_argument("--rules", type=Path, metavar="MAPPE", help=RULES_HELP)
    c.add_argument(
        "--cucumber",
        type=Path,
        metavar="FIL",
        help="bruk resultatene i en Cucumber JSON-fil i stedet for å kjøre scenarioene",
    )


def _add_import_survey(sub: Any) -> None:
    text = "importer tall fra Elevundersøkelsen (Udirs uttrekk som CSV eller .xlsx)"
    c = sub.add_parser(
        "import-survey",
        help=text,
        description=text,
        epilog="Eksempel: utvalg import-survey elevundersokelsen-2019.csv",
    )
    c.add_argument("files", nargs="+", metavar="FIL", help="uttrekk fra Udir (.csv eller .xlsx)")
    c.add_argument(
        "--rules",
        type=Path,
        metavar="MAPPE",
        help="regelsettene som landssnittene i filen sammenlignes med: " + RULES_HELP,
    )
    c.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)


def _add_import_register(sub: Any) -> None:
    text = "importer skoleregisteret (NSR som CSV eller .xlsx): hvilken kommune hver skole er i"
    c = sub.add_parser(
        "import-register",
        help=text,
        description=f"{text[0].upper()}{text[1:]}. Brukes når uttrekket fra Elevundersøkelsen "
        "ikke har kommunenummer. Avslutter med 2 når en fil har feil (ingenting importeres).",
        epilog="Eksempel: utvalg import-register nsr-skoler.csv",
    )
    c.add_argument("files", nargs="+", metavar="FIL", help="skoleregisteret (.csv eller .xlsx)")


def _add_invitations(sub: Any) -> None:
    text = "list kommunene i et fylke med skolenes K1 på de importerte tallene"
    c = sub.add_parser(
        "invitations",
        help=text,
        description=f"{text[0].upper()}{text[1:]}: grunnlaget for invitasjonsbrevet. Kommunene "
        "står etter hvor mange skoler som oppfyller K1, så etter hvor nær de andre kommer. "
        "Avslutter med 2 ved ukjent runde eller fylke.",
        epilog="Eksempel: utvalg invitations --county 50",
    )
    c.add_argument("--county", required=True, metavar="FYLKE", help="fylkesnummer, f.eks. 50")
    c.add_argument("--round", metavar="RUNDE", help="runden (kan utelates når det er én)")
    c.add_argument("--rules", type=Path, metavar="MAPPE", help=RULES_HELP)
    c.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)


def _add_import_records(sub: Any) -> None:
    text = "registrer embetets egne opplysninger om klagesaker, andre saker og tilsyn"
    c = sub.add_parser(
        "import-records",
        help=text,
        description=f"{text[0].upper()}{text[1:]} fra et regneark (CSV med semikolon eller "
        ".xlsx; kolonnene står i README). Radene legges til og endres aldri; en rettelse er "
        "en ny rad med «Erstatter». Avslutter med 2 når en fil har feil (ingenting "
        "registreres).",
        epilog="Eksempel: utvalg import-records klagesaker-og-tilsyn.csv",
    )
    c.add_argument("files", nargs="+", metavar="FIL", help="regneark (.csv eller .xlsx)")


def _add_serve(sub: Any) -> None:
    c = sub.add_parser(
        "serve",
        help="start HTTP-API-et og nettsidene",
        description="Start HTTP-API-et (/v1, /docs) og nettsidene. Innstillinger leses fra "
        "UTVALG_*-variabler (UTVALG_DATABASE_URL, UTVALG_API_KEYS, UTVALG_RULES_DIR, …). "
        "Stopp tjenesten med Ctrl+C. Avslutter med 2 når en innstilling eller reglene er "
        "ugyldige eller porten er opptatt.",
        epilog="Eksempel: utvalg serve --port 8080",
    )
    c.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADRESSE",
        help="adresse å lytte på (standard: 127.0.0.1)",
    )
    c.add_argument(
        "--port", type=int, default=8000, metavar="PORT", help="port å lytte på (standard: 8000)"
    )
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
        epilog="Eksempel: utvalg new-round NY --from GAMMEL (f.eks. runde-2 --from runde-1)",
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


def _add_users(sub: Any) -> None:
    c = sub.add_parser(
        "users",
        help="administrer brukerne som logger inn på nettsidene",
        description="Legg til, list, deaktiver og gi nytt passord eller ny rolle til navngitte "
        "brukere i databasen (UTVALG_DATABASE_URL). Rollene: reader (leser), caseworker "
        "(saksbehandler), approver (godkjenner) og admin (administrator). Passordet skrives "
        "aldri på kommandolinjen: det spørres om uten ekko, eller leses fra stdin med "
        "--passord-fra-stdin. Ingenting slettes: hver endring er en ny rad. Avslutter med 2 "
        "ved feil.",
        epilog="Eksempel: utvalg users add kari.nordmann --rolle caseworker",
    )
    actions = c.add_subparsers(
        dest="action",
        required=True,
        metavar="HANDLING",
        title="handlinger",
        help="add, list, disable, enable, set-password eller set-role",
    )
    add = actions.add_parser(
        "add",
        help="legg til en bruker",
        description="Legg til en bruker med rolle og passord (minst 10 tegn).",
        epilog="Eksempel: utvalg users add kari.nordmann --rolle caseworker",
    )
    add.add_argument("username", metavar="BRUKERNAVN", help="a–z, 0–9, «.», «_» og «-»")
    add.add_argument(
        "--rolle",
        dest="role",
        required=True,
        choices=("reader", "caseworker", "approver", "admin"),
        help="brukerens rolle",
    )
    listing = actions.add_parser(
        "list",
        help="list brukerne med rolle og status",
        description="List alle brukerne med rolle, status og siste endring.",
        epilog="Eksempel: utvalg users list --format json",
    )
    listing.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
    for name, text in (
        ("disable", "deaktiver en bruker og avslutt øktene til brukeren"),
        ("enable", "aktiver en deaktivert bruker igjen"),
        ("set-password", "gi en bruker nytt passord (øktene avsluttes)"),
    ):
        a = actions.add_parser(
            name,
            help=text,
            description=f"{text[0].upper()}{text[1:]}.",
            epilog=f"Eksempel: utvalg users {name} kari.nordmann",
        )
        a.add_argument("username", metavar="BRUKERNAVN", help="brukeren det gjelder")
    role = actions.add_parser(
        "set-role",
        help="gi en bruker en ny rolle",
        description="Gi en bruker en ny rolle (gjelder fra neste side brukeren åpner).",
        epilog="Eksempel: utvalg users set-role kari.nordmann approver",
    )
    role.add_argument("username", metavar="BRUKERNAVN", help="brukeren det gjelder")
    role.add_argument(
        "role",
        metavar="ROLLE",
        choices=("reader", "caseworker", "approver", "admin"),
        help="reader, caseworker, approver eller admin",
    )
    for a in (add, actions.choices["set-password"]):
        a.add_argument(
            "--passord-fra-stdin",
            dest="password_stdin",
            action="store_true",
            help="les passordet fra første linje på stdin i stedet for å spørre",
        )


def _add_simulate(sub: Any) -> None:
    c = sub.add_parser(
        "simulate",
        help="prøv en regelendring på søknader før den tas i bruk",
        description="Vurder søknadene både med reglene i bruk og med utkastet i UTKAST (en "
        "endret kopi av en rundes regelmappe), uten å lagre noe. Viser per fylke hva som "
        "endres (utfall, poeng, plass, innenfor kapasitet), rangeringen før og etter, og "
        "utkastets scenarioresultater. Avslutter med 0 når alt er simulert og scenarioene "
        "består, 1 når et scenario feiler med utkastet, 2 når utkastet, reglene eller en "
        "søknad er ugyldig. Uten FIL brukes alle gjeldende saker i databasen "
        "(UTVALG_DATABASE_URL), vurdert med versjonen av reglene som er i bruk der.",
        epilog="Eksempel: utvalg simulate utkast/RUNDE --county 50",
    )
    c.add_argument("draft", type=Path, metavar="UTKAST", help="regelmappen med endringene")
    c.add_argument(
        "files",
        nargs="*",
        metavar="FIL",
        help="søknadsfiler (YAML eller JSON); uten: de lagrede sakene i databasen",
    )
    c.add_argument("--county", metavar="FYLKE", help="bare søknadene fra dette fylket (f.eks. 50)")
    c.add_argument("--rules", type=Path, metavar="MAPPE", help="reglene i bruk: " + RULES_HELP)
    c.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_HELP)
    c.add_argument("--no-scenarios", action="store_true", help="ikke kjør scenarioene mot utkastet")


def _add_rules(sub: Any) -> None:
    c = sub.add_parser(
        "rules",
        help="publiserte versjoner av reglene: vis dem, eller skriv én til filer",
        description="Versjonene av en rundes regler som er publisert i databasen "
        "(UTVALG_DATABASE_URL), med hvem, når og endringsnotat. «list» viser dem og hvilken "
        "som er i bruk; «export VERSJON MAPPE» skriver versjonens regler til "
        "MAPPE/rules/RUNDE/ og scenarioene til MAPPE/features/RUNDE/.",
        epilog="Eksempel: utvalg rules export 2020.2 utkast",
    )
    actions = c.add_subparsers(
        dest="action",
        required=True,
        metavar="HANDLING",
        title="handlinger",
        help="list eller export",
    )
    listing = actions.add_parser(
        "list", help="vis versjonene", description="Vis versjonene av rundens regler."
    )
    listing.add_argument("--round", metavar="RUNDE", help="runden (når flere er i bruk)")
    export = actions.add_parser(
        "export",
        help="skriv en versjon til filer",
        description="Skriv en versjon (regler og scenarioer) til filer.",
    )
    export.add_argument("version", metavar="VERSJON", help="versjonen, f.eks. 2020.2")
    export.add_argument("dir", type=Path, metavar="MAPPE", help="mappen filene skrives til")
    export.add_argument("--round", metavar="RUNDE", help="runden (når flere er i bruk)")


# Command → (module, function, the function that adds its parser), in the order `utvalg
# --help` lists them. The module is imported only when its command runs: importing SQLAlchemy
# (evaluate, import-survey) or uvicorn (serve) costs about 0.4 s, which every other command —
# and `utvalg --help` — would pay at start if this module imported them all.
COMMANDS: dict[str, tuple[str, str, Callable[[Any], None]]] = {
    "evaluate": ("api.cli.evaluate", "cmd_evaluate", _add_evaluate),
    "rank": ("api.cli.rank", "cmd_rank", _add_rank),
    "check": ("api.cli.check", "cmd_check", _add_check),
    "docs": ("api.cli.docs", "cmd_docs", _add_docs),
    "import-survey": ("api.cli.import_survey", "cmd_import_survey", _add_import_survey),
    "import-register": ("api.cli.import_register", "cmd_import_register", _add_import_register),
    "invitations": ("api.cli.invitations", "cmd_invitations", _add_invitations),
    "import-records": ("api.cli.import_records", "cmd_import_records", _add_import_records),
    "serve": ("api.cli.serve", "cmd_serve", _add_serve),
    "new-round": ("api.cli.new_round", "cmd_new_round", _add_new_round),
    "verify-log": ("api.cli.verify_log", "cmd_verify_log", _add_verify_log),
    "users": ("api.cli.users", "cmd_users", _add_users),
    "simulate": ("api.cli.simulate", "cmd_simulate", _add_simulate),
    "rules": ("api.cli.rules", "cmd_rules", _add_rules),
}


# The commands that read files and print, whose process ends when they do: they start and
# end as api.cli.startup describes (utvalg evaluate of one file is mostly start-up and exit).
SHORT_COMMANDS = frozenset({"evaluate", "rank"})


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs command `name`, its module imported now."""
    module, function, _ = COMMANDS[name]
    if name in SHORT_COMMANDS:
        without_pydantic_plugins()
        exit_without_collecting()
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return run


# The exit code of a command whose reader went away (`utvalg evaluate … | head -1`): what the
# shell reports for a program ended by SIGPIPE, as `cat` or `grep` would be.
BROKEN_PIPE = 128 + 13


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `utvalg` console script."""
    given = sys.argv[1:] if argv is None else list(argv)
    # the first argument names the command (the only option before it is --help)
    p = parser(given[0] if given and given[0] in COMMANDS else None)
    args, extra = p.parse_known_args(given)
    if extra and args.command == "simulate" and not any(a.startswith("-") for a in extra):
        # FIL… is optional (`nargs="*"`): argparse gives it nothing when an option stands
        # between UTKAST and the files, so the files come back here
        args.files = [*args.files, *extra]
    elif extra:
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        code = command(args.command)(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where Python would print it
    except BrokenPipeError:
        # Nothing more can be written; point stdout at /dev/null so the flush at exit is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
