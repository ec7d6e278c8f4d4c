"""The server's log in Norwegian: uvicorn's own lines translated, levels named in Norwegian.

uvicorn and alembic log fixed English templates (uvicorn 0.54.0: server.py, lifespan/on.py,
protocols/http/httptools_impl.py; alembic: runtime/migration.py); a filter on the one handler
swaps each known template for its Norwegian text before the arguments are filled in. An
unknown template passes unchanged, so a newer version loses no line, only its translation.
"""

from __future__ import annotations

import logging
from typing import Any

NORWEGIAN = {
    "Started server process [%d]": "Startet tjenesteprosessen [%d]",
    "Finished server process [%d]": "Avsluttet tjenesteprosessen [%d]",
    "Waiting for application startup.": "Venter på at tjenesten skal starte.",
    "Application startup complete.": "Tjenesten har startet.",
    "Application startup failed. Exiting.": "Tjenesten kunne ikke starte og avslutter.",
    "Uvicorn running on socket %s (Press CTRL+C to quit)": "Lytter på %s (stopp med Ctrl+C)",
    "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)": "Lytter på %s://%s:%d "
    "(stopp med Ctrl+C)",
    "Shutting down": "Stopper",
    "Waiting for connections to close. (CTRL+C to force quit)": "Venter på at åpne "
    "forbindelser skal lukkes (Ctrl+C stopper med en gang).",
    "Waiting for background tasks to complete. (CTRL+C to force quit)": "Venter på at "
    "forespørsler som er i gang, skal bli ferdige (Ctrl+C stopper med en gang).",
    "Cancel %s running task(s), timeout graceful shutdown exceeded": "Avbryter forespørsler "
    "som fortsatt er i gang (%s): fristen for å stoppe pent er ute.",
    "Waiting for application shutdown.": "Venter på at tjenesten skal stoppe.",
    "Application shutdown complete.": "Tjenesten har stoppet.",
    "Application shutdown failed. Exiting.": "Tjenesten stoppet ikke pent og avslutter.",
    "Invalid HTTP request received.": "Mottok en ugyldig HTTP-forespørsel.",
    "Exceeded concurrency limit.": "For mange forespørsler på en gang.",
    "Exception in ASGI application\n": "Uventet feil i tjenesten\n",
    "ASGI callable returned without starting response.": "Tjenesten avsluttet en forespørsel "
    "uten å svare.",
    "ASGI callable returned without completing response.": "Tjenesten avsluttet en "
    "forespørsel før svaret var ferdig.",
    "Maximum request limit of %d exceeded. Terminating process.": "Grensen på %d "
    "forespørsler er nådd; prosessen avslutter.",
    # alembic, once per migration step when the database is new or behind
    "Running %s": "Endrer databasen: %s",
}
# alembic's two lines about its own driver say nothing an operator acts on
DROPPED = frozenset({"Context impl %s.", "Will assume %s DDL."})
LEVELS = {
    "DEBUG": "FEILSØKING",
    "INFO": "INFO",
    "WARNING": "ADVARSEL",
    "ERROR": "FEIL",
    "CRITICAL": "KRITISK",
}
# uvicorn logs its start and stop as "uvicorn.error", which reads as if something failed
NAMES = {"uvicorn.error": "uvicorn"}
FORMAT = "%(norwegian_level)s: %(name)s: %(message)s"


class Norwegian(logging.Filter):
    """Translate uvicorn's known templates and name the level in Norwegian (`norwegian_level`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record with its template and level name in Norwegian (or drop it)."""
        if record.msg in DROPPED:
            return False
        if isinstance(record.msg, str):
            record.msg = NORWEGIAN.get(record.msg, record.msg)
        record.norwegian_level = LEVELS.get(record.levelname, record.levelname)
        record.name = NAMES.get(record.name, record.name)
        return True


def log_config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration of `utvalg serve`: one stderr handler, Norwegian lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"norsk": {"()": Norwegian}},
        "formatters": {"norsk": {"format": FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["norsk"],
                "formatter": "norsk",
            }
        },
        # uvicorn's loggers send their lines to the root's one handler, like ours do
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": level, "handlers": [], "propagate": True},
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
        "root": {"level": level, "handlers": ["stderr"]},
    }
