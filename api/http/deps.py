"""What a route reads from its request: the services, the caller, the test kill switch."""

from __future__ import annotations

from fastapi import Request

from api.services import Services
from api.workers import Kill

KILL_HEADER = "x-utvalg-test-kill"


def services(request: Request) -> Services:
    """The app's services; the first call of a request follows a newer rule activation.

    Another instance on the same database may have published or rolled back: the cheap check
    (`RulesRegistry.refresh`, at most once per `UTVALG_RULES_REFRESH_SECONDS`) makes every
    instance serve the version in force within that time.
    """
    result: Services = request.app.state.services
    if not getattr(request.state, "rules_fresh", False):
        request.state.rules_fresh = True
        if result.rules.loaded():
            result.rules.refresh()
    return result


def kill_switch(request: Request) -> Kill:
    """The test-only kill switch from the request, when the server allows it."""
    if not services(request).settings.test_kill_switch:
        return None
    value = request.headers.get(KILL_HEADER)
    if value in ("once", "always", "hang"):
        return value  # type: ignore[return-value]
    return None


def caller_name(request: Request) -> str | None:
    """The name of the API key that asked (None without keys)."""
    caller = getattr(request.state, "caller", None)
    return caller.name if caller is not None else None
