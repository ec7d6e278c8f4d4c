"""Sign-in for the web pages: server-side sessions, a signed cookie, a CSRF token per form.

One signs in with a named user's user name and password (api.store.users) or with an API
key (api.keys.KeyRing). Either starts a session stored in the database (a row; signing
out adds an ended row), and the cookie carries the session's random token, a nonce and
the expiry, signed with HMAC; neither the key nor the password is stored in it. Every
request looks the session up, so signing out, a new password or a disabled user ends it
at once on every server that shares the database. Every form carries a token derived from
the nonce, so a form posted from another site is refused.

The signing secret is derived from the configured keys (names, roles and secrets), so
every process of the server agrees on it, and changing any key ends every session. With
no keys and no users (loopback only) nobody signs in: the cookie then only carries the
nonce that the forms' tokens are checked against.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

from fastapi import Request, Response

from api.keys import RANK, Caller, CallerKind, KeyRing
from api.settings import ApiKey, Role
from api.store.users import User, UserStore

COOKIE = "utvalg_okt"
SESSION_SECONDS = 8 * 3600  # one working day
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Visitor:
    """Who is looking at a page: the user's or key's name and role when signed in, the nonce."""

    name: str | None
    role: Role | None
    nonce: str
    expires: int
    fresh: bool = False  # the cookie must be (re)sent with the response
    kind: CallerKind | None = None  # "user" or "key" when signed in
    token: str | None = field(default=None, repr=False)  # the server-side session's token

    @property
    def signed_in(self) -> bool:
        """True when the visitor may see the pages (signed in, or no keys are configured)."""
        return self.role is not None

    def may(self, role: Role) -> bool:
        """Whether the visitor has at least `role`."""
        return self.role is not None and RANK[self.role] >= RANK[role]

    @property
    def caller(self) -> Caller:
        """The visitor as the API's Caller: who is stored in the rows the visitor makes."""
        return Caller(self.name, self.role or "reader", self.kind if self.name else None)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes any text a client may send."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


class WebSessions:
    """Reads and writes the session cookie, starts and ends sessions, checks CSRF tokens."""

    def __init__(self, ring: KeyRing, keys: list[ApiKey], users: UserStore) -> None:
        self.ring = ring
        self.users = users
        self._roles = {k.name: k.role for k in keys}
        material = b"utvalg-web-session\0" + b"\0".join(
            f"{k.name}\0{k.role}\0{k.secret}".encode() for k in keys
        )
        self._secret = hashlib.sha256(material).digest()

    @property
    def sign_in_required(self) -> bool:
        """True when keys or users exist, so the pages need a signed-in visitor."""
        return not self.ring.open or self.users.any_users()

    @property
    def keys_configured(self) -> bool:
        """Whether the sign-in page offers signing in with an API key."""
        return not self.ring.open

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def _new(
        self,
        name: str | None,
        role: Role | None,
        kind: CallerKind | None = None,
        token: str | None = None,
        expires: int | None = None,
    ) -> Visitor:
        return Visitor(
            name,
            role,
            secrets.token_urlsafe(24),
            expires or int(time.time()) + SESSION_SECONDS,
            fresh=True,
            kind=kind,
            token=token,
        )

    def anonymous(self) -> Visitor:
        """A visitor who has not signed in (everyone is admin without keys and users)."""
        return self._new(None, None if self.sign_in_required else "admin")

    def read(self, request: Request) -> Visitor:
        """The visitor of a request, from a valid cookie and open session, else anonymous."""
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
            token, nonce, expires = data["t"], data["n"], int(data["e"])
        except (ValueError, KeyError, TypeError):
            return self.anonymous()
        if expires < time.time() or not isinstance(nonce, str):
            return self.anonymous()
        if not self.sign_in_required:
            return Visitor(None, "admin", nonce, expires)
        if not isinstance(token, str):
            return Visitor(None, None, nonce, expires)  # not signed in
        session = self.users.session(token)
        if session is None:
            # signed out, expired, a new password, or the user was disabled
            return Visitor(None, None, nonce, expires)
        if session.kind == "key":
            role = self._roles.get(session.name)
            if role is None:  # the key was removed since
                return Visitor(None, None, nonce, expires)
            return Visitor(session.name, role, nonce, expires, kind="key", token=token)
        return Visitor(session.name, session.role, nonce, expires, kind="user", token=token)

    def sign_in(self, presented: str, address: str | None = None) -> Visitor | None:
        """A new signed-in visitor for a valid key (compared in constant time), else None."""
        key = self.ring.lookup(presented.strip())
        if key is None:
            return None
        expires = int(time.time()) + SESSION_SECONDS
        token = self.users.start_session(
            "key", key.name, dt.datetime.fromtimestamp(expires, dt.UTC), address=address
        )
        return self._new(key.name, key.role, "key", token, expires)

    def sign_in_user(self, user: User, address: str | None = None) -> Visitor:
        """A new signed-in visitor (and stored session) for a user whose password was right."""
        expires = int(time.time()) + SESSION_SECONDS
        token = self.users.start_session(
            "user",
            user.username,
            dt.datetime.fromtimestamp(expires, dt.UTC),
            credential_seq=user.credential_seq,
            address=address,
        )
        return self._new(user.username, user.role, "user", token, expires)

    def sign_out(self, visitor: Visitor) -> None:
        """End the visitor's session on the server (the old cookie opens nothing after)."""
        if visitor.token is not None:
            self.users.end_session(visitor.token, visitor.name)

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
            {"t": visitor.token, "n": visitor.nonce, "e": visitor.expires},
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
