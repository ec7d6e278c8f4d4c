"""uvicorn's log lines in Norwegian; unknown lines pass unchanged."""

from __future__ import annotations

import logging

from api.cli.server_log import FORMAT, NORWEGIAN, Norwegian


def _line(msg: str, *args: object, level: int = logging.INFO) -> str:
    record = logging.LogRecord("uvicorn.error", level, __file__, 1, msg, args, None)
    assert Norwegian().filter(record)
    return logging.Formatter(FORMAT).format(record)


def test_alembic_says_what_it_changes_and_not_which_driver_it_uses() -> None:
    step = "upgrade  -> 0001_decision_log, Decision log"
    assert _line("Running %s", step).endswith("Endrer databasen: " + step)
    for msg in ("Context impl %s.", "Will assume %s DDL."):
        record = logging.LogRecord("alembic", logging.INFO, __file__, 1, msg, ("x",), None)
        assert not Norwegian().filter(record)


def test_known_templates_become_norwegian_with_their_arguments() -> None:
    assert _line("Started server process [%d]", 4711) == (
        "INFO: uvicorn: Startet tjenesteprosessen [4711]"
    )
    assert _line("Cancel %s running task(s), timeout graceful shutdown exceeded", 3) == (
        "INFO: uvicorn: Avbryter forespørsler som fortsatt er i gang (3): fristen for å "
        "stoppe pent er ute."
    )
    assert _line("Invalid HTTP request received.", level=logging.WARNING).startswith(
        "ADVARSEL: uvicorn: Mottok en ugyldig"
    )


def test_every_translation_takes_the_same_arguments_as_its_template() -> None:
    for english, norwegian in NORWEGIAN.items():
        placeholders = [p for p in ("%s", "%d") if p in english]
        assert [norwegian.count(p) for p in placeholders] == [
            english.count(p) for p in placeholders
        ], english


def test_an_unknown_line_passes_unchanged() -> None:
    assert _line("Something new in uvicorn %s", "x") == "INFO: uvicorn: Something new in uvicorn x"
