"""API keys with roles (reader < caseworker < approver < admin): who a presented key is.

A part of the running service (api.services), used by the HTTP API (api.http.auth) and the
web sessions (api.web.session). The key is compared with every configured key in constant
time and never logged or stored: the log stores the key's *name*.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from api.settings import ROLES, ApiKey, Role

RANK = {role: i for i, role in enumerate(ROLES)}
ROLE_NAMES: dict[Role, str] = {
    "reader": "leser",
    "caseworker": "saksbehandler",
    "approver": "godkjenner",
    "admin": "administrator",
}


CallerKind = Literal["key", "user"]


@dataclass(frozen=True)
class Caller:
    """Who is asking, as stored in every row they make (`name`) and allowed (`role`).

    `name` is the API key's name for a system (`kind` "key"), the user name for a person
    signed in on the pages (`kind` "user"), and None when the server runs open on loopback.
    """

    name: str | None
    role: Role
    kind: CallerKind | None = "key"

    @property
    def described(self) -> str:
        """«Brukeren «kari»» or «Nøkkelen «arkiv»»: how a refusal names the caller."""
        noun = "Brukeren" if self.kind == "user" else "Nøkkelen"
        return f"{noun} «{self.name}»"


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
