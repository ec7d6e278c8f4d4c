"""Named users, their web sessions and sign-in attempts: append-only, like the decision log.

A user is a series of rows, one per change (created, new password, new role, disabled,
enabled), each holding the whole state after the change, who made it and when; the newest
row is the user's current state. A session is a row when it starts and another when it
ends; a session is also over when its user's password changed or the user was disabled
since it started (`credential_seq`), so two servers on one database agree at once. Failed
sign-ins are rows too, so a lockout holds across processes. The database refuses UPDATE
and DELETE on every table here (migration 0004_users).

Passwords are kept only as argon2id hashes (argon2-cffi); the session token only as its
SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Text,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from api.keys import CallerKind
from api.settings import ROLES, Role
from api.store.db import Base

Change = Literal["created", "password", "role", "disabled", "enabled"]
# the changes after which a session started before them is over
CREDENTIAL_CHANGES = ("created", "password")

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024

# sign-in attempts: this many failures inside the window lock the user (or the address)
WINDOW = dt.timedelta(minutes=15)
USER_LIMIT = 5
ADDRESS_LIMIT = 20

_SEQ = BigInteger().with_variant(Integer, "sqlite")


class UserRow(Base):
    """One change of a user: the whole state after it, who made it and when."""

    __tablename__ = "users"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        Index("ix_users_username_seq", "username", "seq"),
        # one «created» row per user name: two servers cannot create the same user twice
        Index(
            "uq_users_created",
            "username",
            unique=True,
            sqlite_where=text("change = 'created'"),
            postgresql_where=text("change = 'created'"),
        ),
    )


class SessionRow(Base):
    """A web session as it started: whose it is, until when, and the token's hash."""

    __tablename__ = "web_sessions"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), index=True)
    credential_seq: Mapped[int | None] = mapped_column(_SEQ, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SessionEndRow(Base):
    """The end of a web session: signed out, or the user's password changed."""

    __tablename__ = "web_session_ends"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class AttemptRow(Base):
    """One sign-in attempt on the pages: the user name tried (None for a key) and address."""

    __tablename__ = "sign_in_attempts"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_sign_in_attempts_username_seq", "username", "seq"),
        Index("ix_sign_in_attempts_address_seq", "address", "seq"),
    )


@dataclass(frozen=True)
class User:
    """A user's current state (from the newest row) and when the user was created."""

    username: str
    role: Role
    disabled: bool
    credential_seq: int
    created_at: dt.datetime
    changed_at: dt.datetime
    changed_by: str | None


@dataclass(frozen=True)
class Session:
    """A session that is still open: whose it is and the role it has now."""

    kind: CallerKind
    name: str
    expires_at: dt.datetime
    role: Role | None  # a user's current role; None for a key (its role is the key's)


@dataclass(frozen=True)
class Locked:
    """Sign-in is refused for a while: for this user name (`per_user`) or this address."""

    until: dt.datetime
    per_user: bool

    def minutes_left(self, now: dt.datetime) -> int:
        """Whole minutes until the lock ends, at least 1."""
        return max(1, math.ceil((self.until - now).total_seconds() / 60))


class UserError(ValueError):
    """A refused user change: a stable code and a Norwegian message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def check_username(username: str) -> None:
    """Raise UserError unless `username` is 1–64 of a–z, 0–9, «.», «_», «-»."""
    if not USERNAME.fullmatch(username):
        raise UserError(
            "BAD_USERNAME",
            f"Brukernavnet «{username[:64]}» er ugyldig: bruk 1–64 tegn av a–z, 0–9, «.», «_» "
            "og «-», og begynn med en bokstav eller et siffer.",
        )


def check_password(password: str) -> None:
    """Raise UserError for a password that is too short, too long or only spaces."""
    if len(password.strip()) < MIN_PASSWORD:
        raise UserError(
            "PASSWORD_TOO_SHORT", f"Passordet må ha minst {MIN_PASSWORD} tegn (uten mellomrom)."
        )
    if len(password) > MAX_PASSWORD:
        raise UserError("PASSWORD_TOO_LONG", f"Passordet kan ha høyst {MAX_PASSWORD} tegn.")


def check_role(role: str) -> Role:
    """The role, or UserError naming the allowed ones."""
    if role not in ROLES:
        raise UserError("UNKNOWN_ROLE", f"Ukjent rolle «{role}»; tillatt: {', '.join(ROLES)}.")
    return role


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; everything here is stored in UTC
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UserStore:
    """Users, sessions and sign-in attempts in the service's database."""

    def __init__(
        self,
        engine: Engine,
        *,
        cheap_hashes: bool = False,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.engine = engine
        # cheap hashes only for tests: argon2's defaults take ~0.1–0.5 s per hash here
        self.hasher = PasswordHasher.from_parameters(CHEAPEST) if cheap_hashes else PasswordHasher()
        self.clock = clock
        self._dummy: str | None = None
        self._any_lock = threading.Lock()
        self._any: bool = False
        self._any_checked = 0.0

    # --- users ---------------------------------------------------------------------------

    def any_users(self) -> bool:
        """Whether any user was ever made (rows are never deleted, so once true, always)."""
        with self._any_lock:
            # checked at most once a second while false: `utvalg users add` on a running server
            if self._any or time.monotonic() - self._any_checked < 1.0:
                return self._any
            self._any_checked = time.monotonic()
        with self.engine.connect() as conn:
            found = conn.execute(select(UserRow.seq).limit(1)).first() is not None
        with self._any_lock:
            self._any = self._any or found
            return self._any

    def _rows(self, username: str | None = None) -> list[dict[str, object]]:
        table = UserRow.__table__
        query = select(table).order_by(table.c.seq)
        if username is not None:
            query = query.where(table.c.username == username)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def _fold(self, rows: list[dict[str, object]]) -> dict[str, User]:
        users: dict[str, User] = {}
        created: dict[str, dt.datetime] = {}
        credential: dict[str, int] = {}
        for r in rows:
            name = cast(str, r["username"])
            at = _utc(cast(dt.datetime, r["changed_at"]))
            if r["change"] == "created":
                created[name] = at
            if r["change"] in CREDENTIAL_CHANGES:
                credential[name] = cast(int, r["seq"])
            users[name] = User(
                username=name,
                role=cast(Role, r["role"]),
                disabled=bool(r["disabled"]),
                credential_seq=credential.get(name, 0),
                created_at=created.get(name, at),
                changed_at=at,
                changed_by=cast(str | None, r["changed_by"]),
            )
        return users

    def get(self, username: str) -> User | None:
        """The user's current state, or None when there is no such user."""
        return self._fold(self._rows(username)).get(username)

    def list(self) -> list[User]:
        """Every user's current state, by user name."""
        return sorted(self._fold(self._rows()).values(), key=lambda u: u.username)

    def _password_hash(self, username: str) -> str | None:
        table = UserRow.__table__
        query = (
            select(table.c.password_hash)
            .where(table.c.username == username)
            .order_by(table.c.seq.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def _append(
        self,
        user: User | None,
        username: str,
        change: Change,
        by: str | None,
        *,
        role: Role | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> None:
        current_hash = password_hash or self._password_hash(username) or ""
        values = {
            "username": username,
            "change": change,
            "role": role or (user.role if user else "reader"),
            "password_hash": current_hash,
            "disabled": disabled if disabled is not None else (user.disabled if user else False),
            "changed_at": self.clock(),
            "changed_by": by,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(UserRow), values)
            if change in ("password", "disabled"):
                self._end_sessions_of(conn, username, change, by)

    def _existing(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise UserError("UNKNOWN_USER", f"Brukeren «{username}» finnes ikke.")
        return user

    def add(self, username: str, role: str, password: str, by: str | None) -> User:
        """Make a new user; UserError when the name is taken or a value is invalid."""
        check_username(username)
        checked = check_role(role)
        check_password(password)
        if self.get(username) is not None:
            raise UserError("USER_EXISTS", f"Brukeren «{username}» finnes fra før.")
        try:
            self._append(
                None,
                username,
                "created",
                by,
                role=checked,
                password_hash=self.hasher.hash(password),
            )
        except IntegrityError as exc:  # made by another process in the meantime
            raise UserError("USER_EXISTS", f"Brukeren «{username}» finnes fra før.") from exc
        with self._any_lock:
            self._any = True
        return self._existing(username)

    def set_password(self, username: str, password: str, by: str | None) -> User:
        """A new password; every session of the user ends."""
        user = self._existing(username)
        check_password(password)
        self._append(user, username, "password", by, password_hash=self.hasher.hash(password))
        return self._existing(username)

    def set_role(self, username: str, role: str, by: str | None) -> User:
        """A new role (open sessions get it on their next request)."""
        user = self._existing(username)
        self._append(user, username, "role", by, role=check_role(role))
        return self._existing(username)

    def disable(self, username: str, by: str | None) -> User:
        """Disable the user: no sign-in, and every session of the user ends."""
        user = self._existing(username)
        self._append(user, username, "disabled", by, disabled=True)
        return self._existing(username)

    def enable(self, username: str, by: str | None) -> User:
        """Enable a disabled user again (with the password the user had)."""
        user = self._existing(username)
        self._append(user, username, "enabled", by, disabled=False)
        return self._existing(username)

    def verify(self, username: str, password: str) -> User | None:
        """The user when the password is right and the user is enabled, else None.

        Slow on purpose (argon2); call it off the event loop.
        """
        stored = self._password_hash(username) if USERNAME.fullmatch(username) else None
        if self._dummy is None:
            # a hash to verify against when the user name is unknown, so the time taken
            # does not tell whether a user exists (made on first use: it is slow)
            self._dummy = self.hasher.hash(secrets.token_hex(16))
        try:
            self.hasher.verify(stored or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        user = self.get(username)
        if user is None or user.disabled:
            return None
        return user

    # --- sessions ------------------------------------------------------------------------

    def start_session(
        self,
        kind: CallerKind,
        name: str,
        expires_at: dt.datetime,
        *,
        credential_seq: int | None = None,
        address: str | None = None,
    ) -> str:
        """Store a new session; its token (for the cookie, kept only as a hash here)."""
        token = secrets.token_urlsafe(32)
        values = {
            "token_hash": token_hash(token),
            "kind": kind,
            "name": name,
            "credential_seq": credential_seq,
            "started_at": self.clock(),
            "expires_at": expires_at,
            "address": (address or "")[:64] or None,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(SessionRow), values)
        return token

    def session(self, token: str) -> Session | None:
        """The open session with this token: not ended, not expired, its user still valid."""
        hashed = token_hash(token)
        s, e = SessionRow.__table__, SessionEndRow.__table__
        query = (
            select(s.c.kind, s.c.name, s.c.credential_seq, s.c.expires_at, e.c.seq.label("ended"))
            .select_from(s.outerjoin(e, e.c.token_hash == s.c.token_hash))
            .where(s.c.token_hash == hashed)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).first()
        if found is None or found.ended is not None:
            return None
        expires = _utc(found.expires_at)
        if expires <= self.clock():
            return None
        if found.kind == "key":
            return Session("key", found.name, expires, None)
        user = self.get(found.name)
        if user is None or user.disabled or user.credential_seq != found.credential_seq:
            return None  # disabled, or a new password since the session started
        return Session("user", user.username, expires, user.role)

    def end_session(self, token: str, by: str | None, reason: str = "signed_out") -> None:
        """End a session (sign-out); ending one that has ended already does nothing."""
        hashed = token_hash(token)
        with self.engine.begin() as conn:
            known = conn.execute(
                select(SessionRow.__table__.c.seq).where(
                    SessionRow.__table__.c.token_hash == hashed
                )
            ).first()
            if known is None:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(SessionEndRow),
                    {
                        "token_hash": hashed,
                        "reason": reason,
                        "ended_at": self.clock(),
                        "ended_by": by,
                    },
                )
        except IntegrityError:
            pass  # ended already (two sign-outs at once)

    def _end_sessions_of(
        self, conn: Connection, username: str, reason: str, by: str | None
    ) -> None:
        """End rows for the user's sessions still open (the record; validity is derived)."""
        s, e = SessionRow.__table__, SessionEndRow.__table__
        query = (
            select(s.c.token_hash)
            .select_from(s.outerjoin(e, e.c.token_hash == s.c.token_hash))
            .where(s.c.kind == "user", s.c.name == username, e.c.seq.is_(None))
            .where(s.c.expires_at > self.clock())
        )
        hashes = [r[0] for r in conn.execute(query)]
        if hashes:
            now = self.clock()
            conn.execute(
                insert(SessionEndRow),
                [
                    {"token_hash": h, "reason": reason, "ended_at": now, "ended_by": by}
                    for h in hashes
                ],
            )

    # --- sign-in attempts ----------------------------------------------------------------

    def record_attempt(self, username: str | None, address: str, succeeded: bool) -> None:
        """Store one sign-in attempt."""
        values = {
            "username": username[:64] if username else None,
            "address": address[:64],
            "succeeded": succeeded,
            "attempted_at": self.clock(),
        }
        with self.engine.begin() as conn:
            conn.execute(insert(AttemptRow), values)

    def _failures(self, column: str, value: str, limit: int) -> dt.datetime | None:
        """When the lock on `value` ends, if `limit` failures since the window's start."""
        a = AttemptRow.__table__
        now = self.clock()
        since = now - WINDOW
        with self.engine.connect() as conn:
            last_success = conn.execute(
                select(func.max(a.c.seq)).where(a.c[column] == value, a.c.succeeded.is_(True))
            ).scalar()
            query = (
                select(a.c.attempted_at)
                .where(a.c[column] == value, a.c.succeeded.is_(False), a.c.attempted_at > since)
                .order_by(a.c.seq.desc())
                .limit(limit)
            )
            if last_success is not None:
                query = query.where(a.c.seq > last_success)
            times = [_utc(r[0]) for r in conn.execute(query)]
        if len(times) < limit:
            return None
        until = times[-1] + WINDOW  # the oldest of the last `limit` failures
        return until if until > now else None

    def locked(self, username: str | None, address: str) -> Locked | None:
        """Whether sign-in is refused now for this user name or this address."""
        if username:
            until = self._failures("username", username[:64], USER_LIMIT)
            if until is not None:
                return Locked(until, per_user=True)
        until = self._failures("address", address[:64], ADDRESS_LIMIT)
        return Locked(until, per_user=False) if until is not None else None
