"""Settings from the environment: names in any case, values validated, given values first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import ScenarioRun, Settings


def test_values_come_from_utvalg_variables_validated_as_their_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UTVALG_WORKERS", "3")
    monkeypatch.setenv("UTVALG_WATCH", "true")
    monkeypatch.setenv("utvalg_eval_timeout_seconds", "2.5")  # any case, as before
    monkeypatch.setenv("UTVALG_RULES_DIR", "/tmp/regler")
    monkeypatch.setenv("UTVALG_NO_SUCH_SETTING", "ignored")
    settings = Settings()
    assert (settings.workers, settings.watch, settings.eval_timeout_seconds) == (3, True, 2.5)
    assert settings.rules_dir == Path("/tmp/regler")


def test_given_values_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UTVALG_WORKERS", "3")
    assert Settings(workers=1).workers == 1


@pytest.mark.parametrize(
    "name, value",
    [("UTVALG_WORKERS", "mange"), ("UTVALG_WORKERS", "-1"), ("UTVALG_WATCH", "kanskje")],
)
def test_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_bad_api_keys_are_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UTVALG_API_KEYS", "ukjent:abcdefghijklmnopqrstuvwxyz")
    with pytest.raises(ValidationError, match="ukjent rolle"):
        Settings()


def test_a_scenario_run_travels_to_a_subprocess_as_its_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = ScenarioRun(rules=Path("/r"), features=Path("/f"))
    env = run.environment()
    assert env == {"UTVALG_SCENARIO_RULES": "/r", "UTVALG_SCENARIO_FEATURES": "/f"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ScenarioRun() == run


def test_reading_settings_imports_neither_pydantic_settings_nor_asyncio() -> None:
    probe = (
        "import sys; from api.settings import Settings; Settings(); "
        "print(sorted(m for m in ('pydantic_settings', 'asyncio') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


FOLDERS = ("UTVALG_RULES_DIR", "UTVALG_FEATURES_DIR", "UTVALG_EXAMPLES_DIR")


@pytest.mark.parametrize("value", [None, "/tmp/regler", "relativ/mappe", ""])
def test_settings_read_alone_are_what_the_validated_settings_give(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    for name in (*FOLDERS, "UTVALG_DATABASE_URL"):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert Settings.layout_alone() == Settings().layout()
    assert Settings.layout_alone(Path("egne")) == Settings().layout(Path("egne"))
    assert Settings.database_url_alone() == Settings().resolved_database_url()


def test_a_setting_read_alone_ignores_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UTVALG_WORKERS", "mange")  # refused by Settings(), not asked for here
    monkeypatch.setenv("utvalg_rules_dir", "/tmp/regler")  # any case, as for Settings()
    assert Settings.read_alone("rules_dir") == Path("/tmp/regler")
    assert Settings.layout_alone().rules == Path("/tmp/regler")


@pytest.mark.parametrize("name", ["workers", "watch", "eval_timeout_seconds"])
def test_only_texts_and_paths_are_read_alone(name: str) -> None:
    # anything else needs validating, which reading alone would skip
    with pytest.raises(TypeError, match="must be validated"):
        Settings.read_alone(name)
