"""API keys with roles (reader < caseworker < admin): who a presented key is.

A part of the running service (api.services), used by the HTTP API (api.http.auth) and the
web sessions (api.web.session). The key is compared with every configured key in constant
time and never logged or stored: the log stores the key's *name*.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from api.settings import ROLES, ApiKey, Role

RANK = {role: i for i, role in enumerate(ROLES)}
ROLE_NAMES = {"reader": "leser", "caseworker": "saksbehandler", "admin": "administrator"}


@dataclass(frozen=True)
class Caller:
    """Who is asking: the key's name (None when the server runs without keys) and role."""

    name: str | None
    role: Role


class KeyRing:
    """The configured keys, looked up in constant time."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self._keys = [(hashlib.sha256(k.secret.encode()).digest(), k) for k in keys]

    @property
    def open(self) -> bool:
        """True when no keys are configured (loopback-only, everyone is admin)."""
        return not self._keys

    def lookup(self, presented: str) -> ApiKey | None:
        """The key matching `presented`, comparing with every key in constant time."""
        digest = hashlib.sha256(presented.encode()).digest()
        found: ApiKey | None = None
        for stored, key in self._keys:
            if hmac.compare_digest(stored, digest):
                found = key  # keep going: the time must not depend on which key matched
        return found
