"""What several commands share: printing diagnostics, loading rules, cutting table cells."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from engine import Diagnostic, InvalidRules, RuleSet, load_ruleset


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    """Each diagnostic as `path:line:col: CODE message` (on stderr unless told)."""
    for d in diagnostics:
        print(d.render(), file=stream if stream is not None else sys.stderr)


def load_rules_or_exit(folder: Path) -> RuleSet:
    """The ruleset in `folder`; its diagnostics on stderr and exit 2 when it is invalid."""
    try:
        return load_ruleset(folder)
    except InvalidRules as exc:
        print_diagnostics(exc.diagnostics)
        print(f"Regelmappen {folder} er ugyldig.", file=sys.stderr)
        raise SystemExit(2) from None


def width_cut(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
