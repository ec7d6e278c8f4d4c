"""What a database is known to hold: "none yet" is asked again, a kind once seen stays."""

from __future__ import annotations

from sqlalchemy import create_engine

from api.store.imported import Imported, ImportedMemo


def test_nothing_is_known_before_the_database_is_asked() -> None:
    assert ImportedMemo().known(create_engine("sqlite://")) is None


def test_none_yet_is_trusted_for_a_while_then_asked_again() -> None:
    engine = create_engine("sqlite://")
    trusting, asking = ImportedMemo(ask_every=3600.0), ImportedMemo(ask_every=0.0)
    for memo in (trusting, asking):
        memo.learn(engine, False, False, asked=True)
    assert trusting.known(engine) == Imported(False, False)
    assert asking.known(engine) is None  # its time is up: ask again


def test_a_kind_once_seen_stays_seen_and_both_need_no_asking() -> None:
    engine = create_engine("sqlite://")
    memo = ImportedMemo(ask_every=0.0)
    memo.learn(engine, True, False, asked=True)
    assert memo.learn(engine, False, False, asked=True) == Imported(True, False)
    memo.learn(engine, False, True, asked=True)
    assert memo.known(engine) == Imported(True, True)  # append-only: never asked again


def test_an_import_counts_at_once_but_does_not_stand_in_for_an_answer() -> None:
    engine = create_engine("sqlite://")
    memo = ImportedMemo(ask_every=3600.0)
    memo.learn(engine, True, False, asked=False)  # figures imported before anything was asked
    assert memo.known(engine) is None  # whether records exist is still to be asked
    memo.learn(engine, False, False, asked=True)
    assert memo.known(engine) == Imported(True, False)


def test_engines_on_one_database_share_what_is_known() -> None:
    memo = ImportedMemo(ask_every=3600.0)
    memo.learn(create_engine("sqlite:////tmp/a.db"), False, True, asked=True)
    assert memo.known(create_engine("sqlite:////tmp/a.db")) == Imported(False, True)
    assert memo.known(create_engine("sqlite:////tmp/b.db")) is None
