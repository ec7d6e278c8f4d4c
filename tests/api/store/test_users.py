"""Users, sessions and sign-in attempts on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from api.store.db import make_engine, migrate
from api.store.users import USER_LIMIT, WINDOW, UserError, UserStore

PASSWORD = "et-langt-passord"
START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The time of the stores in this test."""
    return Clock()


@pytest.fixture
def stores(database_url: str, clock: Clock) -> Iterator[tuple[UserStore, UserStore]]:
    """Two stores on one migrated database, as two server instances would have."""
    engine = make_engine(database_url)
    migrate(engine)
    other = make_engine(database_url)
    yield (
        UserStore(engine, cheap_hashes=True, clock=clock),
        UserStore(other, cheap_hashes=True, clock=clock),
    )
    engine.dispose()
    other.dispose()


@pytest.fixture
def users(stores: tuple[UserStore, UserStore]) -> UserStore:
    """The first of the two stores."""
    return stores[0]


def _session(users: UserStore, name: str) -> str:
    user = users.get(name)
    assert user is not None
    return users.start_session(
        "user", name, START + dt.timedelta(hours=8), credential_seq=user.credential_seq
    )


def test_add_list_and_the_state_from_the_newest_row(users: UserStore) -> None:
    assert not users.any_users() and users.list() == []
    users.add("kari", "caseworker", PASSWORD, "drift")
    users.add("ola", "approver", PASSWORD, None)
    users.set_role("kari", "admin", "drift")
    users.disable("ola", "drift")
    listed = {u.username: (u.role, u.disabled) for u in users.list()}
    assert listed == {"kari": ("admin", False), "ola": ("approver", True)}
    assert users.any_users()
    with users.engine.connect() as conn:
        rows = conn.execute(text("SELECT username, change FROM users ORDER BY seq")).all()
    assert [tuple(r) for r in rows] == [
        ("kari", "created"),
        ("ola", "created"),
        ("kari", "role"),
        ("ola", "disabled"),
    ]  # every change a new row


def test_passwords_are_argon2_hashes_and_verify(users: UserStore) -> None:
    users.add("kari", "reader", PASSWORD, None)
    with users.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar()
    assert isinstance(stored, str) and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.verify("kari", PASSWORD) is not None
    assert users.verify("kari", PASSWORD + "x") is None
    assert users.verify("ukjent", PASSWORD) is None
    assert users.verify("ikke gyldig navn", PASSWORD) is None
    users.disable("kari", None)
    assert users.verify("kari", PASSWORD) is None  # disabled: no sign-in
    users.enable("kari", None)
    assert users.verify("kari", PASSWORD) is not None  # the old password again


@pytest.mark.parametrize(
    ("username", "role", "password", "code"),
    [
        ("Kari", "reader", PASSWORD, "BAD_USERNAME"),
        ("kari nordmann", "reader", PASSWORD, "BAD_USERNAME"),
        ("", "reader", PASSWORD, "BAD_USERNAME"),
        ("kari", "sjef", PASSWORD, "UNKNOWN_ROLE"),
        ("kari", "reader", "kort", "PASSWORD_TOO_SHORT"),
        ("kari", "reader", " " * 20, "PASSWORD_TOO_SHORT"),
        ("kari", "reader", "x" * 1025, "PASSWORD_TOO_LONG"),
    ],
)
def test_bad_values_are_refused_with_a_code(
    users: UserStore, username: str, role: str, password: str, code: str
) -> None:
    with pytest.raises(UserError) as caught:
        users.add(username, role, password, None)
    assert caught.value.code == code
    assert users.list() == []


def test_a_user_is_made_once_even_by_two_servers(stores: tuple[UserStore, UserStore]) -> None:
    one, two = stores
    one.add("kari", "reader", PASSWORD, None)
    with pytest.raises(UserError) as caught:
        two.add("kari", "admin", PASSWORD, None)
    assert caught.value.code == "USER_EXISTS"
    # the database itself refuses a second «created» row (a race past the check above)
    with pytest.raises(DBAPIError), two.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, change, role, password_hash, disabled, changed_at)"
                " VALUES ('kari', 'created', 'admin', 'x', false, :at)"
            ),
            {"at": START},
        )
    with pytest.raises(UserError) as unknown:
        two.set_password("per", PASSWORD, None)
    assert unknown.value.code == "UNKNOWN_USER"


def test_sign_out_ends_the_session_on_every_server(stores: tuple[UserStore, UserStore]) -> None:
    one, two = stores
    one.add("kari", "caseworker", PASSWORD, None)
    token = _session(one, "kari")
    found = two.session(token)
    assert found is not None and (found.kind, found.name, found.role) == (
        "user",
        "kari",
        "caseworker",
    )
    one.end_session(token, "kari")
    one.end_session(token, "kari")  # twice: nothing more happens
    assert two.session(token) is None and one.session(token) is None
    assert one.session("ukjent-token") is None
    with one.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM web_sessions")).scalar()
    assert stored != token  # only the token's hash is stored


def test_a_new_password_or_disabling_ends_the_users_sessions(
    stores: tuple[UserStore, UserStore],
) -> None:
    one, two = stores
    one.add("kari", "caseworker", PASSWORD, None)
    one.add("ola", "reader", PASSWORD, None)
    kari, ola = _session(one, "kari"), _session(one, "ola")
    two.set_password("kari", "et-nytt-langt-passord", "kari")
    assert one.session(kari) is None and one.session(ola) is not None
    assert one.session(_session(one, "kari")) is not None  # a new sign-in works
    two.set_role("ola", "approver", None)
    renewed = one.session(ola)
    assert renewed is not None and renewed.role == "approver"  # the role of now
    two.disable("ola", None)
    assert one.session(ola) is None
    two.enable("ola", None)
    assert one.session(ola) is None  # a session ended stays ended
    with one.engine.connect() as conn:
        reasons = conn.execute(text("SELECT reason FROM web_session_ends ORDER BY seq")).all()
    assert [r[0] for r in reasons] == ["password", "disabled"]


def test_an_expired_session_is_over(users: UserStore, clock: Clock) -> None:
    users.add("kari", "reader", PASSWORD, None)
    token = _session(users, "kari")
    clock.now = START + dt.timedelta(hours=8, seconds=1)
    assert users.session(token) is None


def test_failed_attempts_lock_the_user_for_a_while(
    stores: tuple[UserStore, UserStore], clock: Clock
) -> None:
    one, two = stores
    for _ in range(USER_LIMIT - 1):
        one.record_attempt("kari", "10.0.0.1", False)
    assert one.locked("kari", "10.0.0.1") is None
    clock.now += dt.timedelta(minutes=1)
    two.record_attempt("kari", "10.0.0.2", False)  # another server, another address
    locked = one.locked("kari", "10.0.0.3")
    assert locked is not None and locked.per_user
    assert locked.until == START + WINDOW and locked.minutes_left(clock.now) == 14
    assert one.locked("ola", "10.0.0.3") is None  # another user is not locked
    clock.now = START + WINDOW + dt.timedelta(seconds=1)
    assert one.locked("kari", "10.0.0.1") is None  # the oldest failure left the window


def test_a_success_starts_the_count_again(users: UserStore) -> None:
    for _ in range(USER_LIMIT - 1):
        users.record_attempt("kari", "10.0.0.1", False)
    users.record_attempt("kari", "10.0.0.1", True)
    users.record_attempt("kari", "10.0.0.1", False)
    assert users.locked("kari", "10.0.0.1") is None


def test_many_failures_from_one_address_lock_the_address(users: UserStore) -> None:
    for i in range(20):
        users.record_attempt(f"bruker{i}", "10.0.0.9", False)
    locked = users.locked("ny", "10.0.0.9")
    assert locked is not None and not locked.per_user
    assert users.locked("ny", "10.0.0.8") is None
    assert users.locked(None, "10.0.0.9") is not None  # key sign-in from there too


TABLES = ("users", "web_sessions", "web_session_ends", "sign_in_attempts")


def test_the_database_refuses_to_change_or_delete_rows(users: UserStore) -> None:
    users.add("kari", "reader", PASSWORD, None)
    token = _session(users, "kari")
    users.end_session(token, None)
    users.record_attempt("kari", "10.0.0.1", False)
    assert set(TABLES) <= set(inspect(users.engine).get_table_names())
    for table in TABLES:
        for statement in (f"UPDATE {table} SET seq = seq", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="endres og slettes aldri"):
                with users.engine.begin() as conn:
                    conn.execute(text(statement))
    if users.engine.dialect.name == "sqlite":
        with pytest.raises(DBAPIError, match="endres og slettes aldri"):
            with users.engine.begin() as conn:
                conn.execute(
                    text(
                        "REPLACE INTO users (seq, username, change, role, password_hash, "
                        "disabled, changed_at) VALUES (1, 'kari', 'created', 'admin', 'x', 0, "
                        "'2026-01-01')"
                    )
                )
    else:
        with pytest.raises(DBAPIError, match="endres og slettes aldri"):
            with users.engine.begin() as conn:
                conn.execute(text("TRUNCATE users CASCADE"))
    user = users.get("kari")
    assert user is not None and user.role == "reader"
