"""Sign-in for the web pages: a signed session cookie, and a CSRF token on every form.

The pages use the API's keys and roles (api.http.auth.KeyRing). Signing in with a key sets
a secure, HTTP-only cookie holding the key's *name* and role, a random nonce and an
expiry, signed with HMAC; the key itself is never stored. Every form carries a token
derived from the nonce, so a form posted from another site is refused.

The signing secret is derived from the configured keys (names, roles and secrets), so
every process of the server agrees on it, and changing any key ends every session.
With no keys configured (loopback only) nobody signs in: the cookie then only carries
the nonce that the forms' tokens are checked against.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from api.keys import RANK, KeyRing
from api.settings import ApiKey, Role

COOKIE = "utvalg_okt"
SESSION_SECONDS = 8 * 3600  # one working day
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Visitor:
    """Who is looking at a page: the key's name and role when signed in, and the nonce."""

    name: str | None
    role: Role | None
    nonce: str
    expires: int
    fresh: bool = False  # the cookie must be (re)sent with the response

    @property
    def signed_in(self) -> bool:
        """True when the visitor may see the pages (signed in, or no keys are configured)."""
        return self.role is not None

    def may(self, role: Role) -> bool:
        """Whether the visitor has at least `role`."""
        return self.role is not None and RANK[self.role] >= RANK[role]


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes any text a client may send."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


class WebSessions:
    """Reads and writes the session cookie and checks CSRF tokens."""

    def __init__(self, ring: KeyRing, keys: list[ApiKey]) -> None:
        self.ring = ring
        self._roles = {k.name: k.role for k in keys}
        material = b"utvalg-web-session\0" + b"\0".join(
            f"{k.name}\0{k.role}\0{k.secret}".encode() for k in keys
        )
        self._secret = hashlib.sha256(material).digest()

    @property
    def sign_in_required(self) -> bool:
        """True when keys are configured, so the pages need a signed-in visitor."""
        return not self.ring.open

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def _new(self, name: str | None, role: Role | None) -> Visitor:
        return Visitor(
            name,
            role,
            secrets.token_urlsafe(24),
            int(time.time()) + SESSION_SECONDS,
            fresh=True,
        )

    def anonymous(self) -> Visitor:
        """A visitor who has not signed in (everyone is admin when no keys are configured)."""
        return self._new(None, None if self.sign_in_required else "admin")

    def read(self, request: Request) -> Visitor:
        """The visitor of a request, from a valid cookie, else a fresh anonymous one."""
        raw = request.cookies.get(COOKIE, "")
        body, _, signature = raw.partition(".")
        try:
            payload = base64.urlsafe_b64decode(body.encode() + b"==")
        except ValueError:
            return self.anonymous()
        if not signature or not _same(signature, self._sign(payload)):
            return self.anonymous()
        try:
            data = json.loads(payload)
            name, role, nonce, expires = data["k"], data["r"], data["n"], int(data["e"])
        except (ValueError, KeyError, TypeError):
            return self.anonymous()
        if expires < time.time() or not isinstance(nonce, str):
            return self.anonymous()
        if not self.sign_in_required:
            return Visitor(None, "admin", nonce, expires)
        if name is None or self._roles.get(name) != role:
            # not signed in, or the key was removed or its role changed since
            return Visitor(None, None, nonce, expires)
        return Visitor(name, role, nonce, expires)

    def sign_in(self, presented: str) -> Visitor | None:
        """A new signed-in visitor for a valid key (compared in constant time), else None."""
        key = self.ring.lookup(presented.strip())
        if key is None:
            return None
        return self._new(key.name, key.role)

    def csrf_token(self, visitor: Visitor) -> str:
        """The token every form of this visitor carries."""
        return self._sign(b"csrf\0" + visitor.nonce.encode())

    def csrf_ok(self, visitor: Visitor, token: str | None) -> bool:
        """Whether a posted token belongs to this visitor's session."""
        if visitor.fresh or not token:
            return False
        return _same(token, self.csrf_token(visitor))

    def store(self, response: Response, visitor: Visitor) -> None:
        """Send the visitor's cookie: Secure, HttpOnly, SameSite=Lax, for the whole site."""
        payload = json.dumps(
            {"k": visitor.name, "r": visitor.role, "n": visitor.nonce, "e": visitor.expires},
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        response.set_cookie(
            COOKIE,
            f"{body}.{self._sign(payload)}",
            max_age=max(0, visitor.expires - int(time.time())),
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )

    def forget(self, response: Response) -> None:
        """Remove the cookie (sign out)."""
        response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
