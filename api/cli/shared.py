"""What several commands share: printing diagnostics, loading rules, showing paths."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from api.settings import Settings
from engine import Diagnostic, InvalidRules, RuleSet, load_ruleset


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    """Each diagnostic as `path:line:col: CODE message` (on stderr unless told)."""
    for d in diagnostics:
        print(d.render(), file=stream if stream is not None else sys.stderr)


def load_rounds_or_exit(rules: Path | None) -> dict[str, RuleSet]:
    """Every ruleset under `rules` (one folder or a root; default: the configured root) by id.

    When any of them is invalid, its diagnostics go to stderr and the command exits with 2.
    """
    layout = Settings.layout_alone(rules)
    folders = layout.rule_folders() or [layout.rules]  # no ruleset: say what is missing
    out: dict[str, RuleSet] = {}
    failed = False
    for folder in folders:
        try:
            ruleset = load_ruleset(folder)
        except InvalidRules as exc:
            print_diagnostics(exc.diagnostics)
            print(f"Regelmappen {folder} er ugyldig.", file=sys.stderr)
            failed = True
            continue
        if ruleset.id in out:
            print(
                f"Regelsettet «{ruleset.id}» finnes både i {out[ruleset.id].folder} og i {folder}.",
                file=sys.stderr,
            )
            failed = True
        out[ruleset.id] = ruleset
    if failed:
        raise SystemExit(2)
    return out


def width_cut(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def shown_path(path: Path) -> str:
    """A path as a reader types it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
