"""Sessions and CSRF tokens of the web pages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi import Response
from starlette.requests import Request

from api.keys import KeyRing
from api.settings import ApiKey, parse_api_keys
from api.store.db import make_engine, migrate
from api.store.users import UserStore
from api.web import session
from api.web.session import COOKIE, WebSessions

KEYS = parse_api_keys("ola:caseworker:ola-nokkel-0123456789,kari:reader:kari-nokkel-0123456789")
STORE: list[UserStore] = []


@pytest.fixture(autouse=True)
def users(tmp_path: Path) -> UserStore:
    """A migrated, empty user store for the sessions of each test."""
    engine = make_engine(f"sqlite:///{tmp_path / 'utvalg.db'}")
    migrate(engine)
    STORE[:] = [UserStore(engine, cheap_hashes=True)]
    return STORE[0]


def _sessions(keys: list[ApiKey] = KEYS) -> WebSessions:
    return WebSessions(KeyRing(keys), keys, STORE[0])


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "headers": headers})


def _cookie(s: WebSessions, visitor: session.Visitor) -> str:
    response = Response()
    s.store(response, visitor)
    header = response.headers["set-cookie"]
    return header.split(";", 1)[0].split("=", 1)[1].strip('"')


def test_sign_in_round_trips_through_the_cookie() -> None:
    s = _sessions()
    visitor = s.sign_in(" ola-nokkel-0123456789 ")
    assert visitor is not None and visitor.name == "ola" and visitor.role == "caseworker"
    back = s.read(_request(_cookie(s, visitor)))
    assert (back.name, back.role, back.nonce) == ("ola", "caseworker", visitor.nonce)
    assert not back.fresh and back.may("caseworker") and not back.may("admin")
    assert s.csrf_ok(back, s.csrf_token(visitor))


def test_an_unknown_key_does_not_sign_in() -> None:
    assert _sessions().sign_in("ukjent-nokkel-0123456789") is None


def test_changed_keys_end_the_sessions() -> None:
    s = _sessions()
    visitor = s.sign_in("ola-nokkel-0123456789")
    assert visitor is not None
    cookie = _cookie(s, visitor)
    changed = parse_api_keys("ola:reader:ola-nokkel-0123456789")
    assert not _sessions(changed).read(_request(cookie)).signed_in


def test_sign_out_ends_the_session_on_the_server() -> None:
    s = _sessions()
    visitor = s.sign_in("ola-nokkel-0123456789")
    assert visitor is not None
    cookie = _cookie(s, visitor)
    back = s.read(_request(cookie))
    assert back.signed_in and back.kind == "key" and back.caller.name == "ola"
    s.sign_out(back)
    assert not s.read(_request(cookie)).signed_in  # the same cookie opens nothing now
    assert not _sessions().read(_request(cookie)).signed_in  # nor on another server


def test_a_user_signs_in_and_a_new_password_ends_the_session(users: UserStore) -> None:
    s = _sessions()
    user = users.add("kari.n", "approver", "et-langt-passord", "drift")
    visitor = s.sign_in_user(user)
    cookie = _cookie(s, visitor)
    back = s.read(_request(cookie))
    assert (back.name, back.role, back.kind) == ("kari.n", "approver", "user")
    assert back.caller.name == "kari.n" and back.caller.kind == "user"
    users.set_role("kari.n", "reader", "drift")
    assert s.read(_request(cookie)).role == "reader"  # the role of now, not of the sign-in
    users.set_password("kari.n", "et-nytt-langt-passord", "kari.n")
    assert not s.read(_request(cookie)).signed_in


def test_users_without_keys_need_sign_in(users: UserStore) -> None:
    s = _sessions([])
    assert not s.sign_in_required
    users.add("ola", "reader", "et-langt-passord", None)
    assert s.sign_in_required and not s.anonymous().signed_in


def test_an_expired_session_is_anonymous(monkeypatch: pytest.MonkeyPatch) -> None:
    s = _sessions()
    visitor = s.sign_in("kari-nokkel-0123456789")
    assert visitor is not None
    cookie = _cookie(s, visitor)
    later = time.time() + session.SESSION_SECONDS + 1
    monkeypatch.setattr(session.time, "time", lambda: later)
    back = s.read(_request(cookie))
    assert back.fresh and not back.signed_in


def test_garbage_cookies_are_anonymous() -> None:
    s = _sessions()
    for cookie in ("", "x", "x.y", "!!!.abc", "e30.00"):
        visitor = s.read(_request(cookie))
        assert visitor.fresh and not visitor.signed_in


def test_tokens_and_signatures_in_any_text_are_refused_not_crashed() -> None:
    s = _sessions()
    visitor = s.read(_request(_cookie(s, s.anonymous())))
    assert not s.csrf_ok(visitor, "utløpt-æøå")
    assert not s.read(_request("e30.ææææ")).signed_in


def test_a_fresh_visitor_has_no_valid_token_yet() -> None:
    s = _sessions()
    visitor = s.anonymous()
    assert not s.csrf_ok(visitor, s.csrf_token(visitor))  # it has no cookie to match
    assert not s.csrf_ok(visitor, None)


def test_without_keys_everyone_is_admin_and_needs_no_sign_in() -> None:
    s = _sessions([])
    assert not s.sign_in_required
    visitor = s.anonymous()
    assert visitor.signed_in and visitor.may("admin")
    back = s.read(_request(_cookie(s, visitor)))
    assert s.csrf_ok(back, s.csrf_token(visitor))
