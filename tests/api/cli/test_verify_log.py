"""`utvalg verify-log`: the chain over the decision log, and its guard triggers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from api.cli.main import main
from api.store.db import make_engine, migrate
from api.store.decision_log import DecisionLog
from tests.api.store.test_decision_log import row


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated SQLite log with three evaluations, named by UTVALG_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'utvalg.db'}"
    monkeypatch.setenv("UTVALG_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    DecisionLog(engine).append([row("a"), row("b"), row("c")])
    yield engine
    engine.dispose()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify-log", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_untouched_log_is_whole(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys)
    assert code == 0
    assert "Beslutningsloggen er hel: 3 vurderinger kontrollert" in out
    head = out.rsplit(" ", 1)[1].strip()
    assert len(head) == 64
    assert _run(capsys, "--head", head)[0] == 0


def test_a_row_changed_after_dropping_the_triggers_is_named(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER evaluations_no_update"))
        conn.execute(text("UPDATE evaluations SET outcome = 'not_recommended' WHERE seq = 2"))
    code, out, _ = _run(capsys)
    assert code == 1
    assert "BRUTT ved rad 2" in out and "Raden foran den stemmer." in out
    assert "1 utløser er fjernet (evaluations_no_update)" in out


def test_a_removed_row_breaks_the_chain_at_the_next(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER evaluations_no_delete"))
        conn.execute(text("DELETE FROM evaluations WHERE seq = 1"))
    code, out, _ = _run(capsys)
    assert code == 1 and "BRUTT ved rad 2" in out and "den første raden" in out


def test_a_chain_computed_again_is_caught_by_the_noted_head(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    noted = _run(capsys)[1].rsplit(" ", 1)[1].strip()
    with engine.begin() as conn:  # the owner rewrites the log and every hash from the start
        for trigger in ("no_update", "no_delete", "no_replace"):
            conn.execute(text(f"DROP TRIGGER evaluations_{trigger}"))
        conn.execute(text("DELETE FROM evaluations"))
    DecisionLog(engine).append([row("a"), row("forged")])
    code, out, _ = _run(capsys, "--head", noted)
    assert code == 1 and f"Kjede-hashen {noted}" in out and "3 utløsere er fjernet" in out


def test_an_unreadable_database_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "tom.db"
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{empty}")
    code, _, err = _run(capsys)
    assert code == 2 and "Kan ikke lese beslutningsloggen" in err
