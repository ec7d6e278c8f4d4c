"""Diagnostics: the one shape every refusal takes (rules, applications, imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where a problem sits: file, 1-based line and column, and the criterion it concerns."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    criterion: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a stable SCREAMING_SNAKE code, a Norwegian message, where, and the path."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    loc: tuple[str | int, ...] = ()
    severity: Severity = "error"

    def render(self) -> str:
        """Format as `file:line:col: CODE message` (the form editors and CI understand)."""
        where = self.location.file or "<inndata>"
        if self.location.line is not None:
            where += f":{self.location.line}:{self.location.column or 1}"
        path = format_loc(self.loc)
        prefix = f"{path}: " if path else ""
        return f"{where}: {self.code} {prefix}{self.message}"

    def as_error(self) -> dict[str, Any]:
        """The `errors[]` entry of an HTTP problem response (CONTRACT section 5)."""
        out: dict[str, Any] = {"loc": list(self.loc), "code": self.code, "msg": self.message}
        if self.location.line is not None:
            out["line"] = self.location.line
            out["column"] = self.location.column
        if self.location.file is not None:
            out["file"] = self.location.file
        return out


def format_loc(loc: tuple[str | int, ...]) -> str:
    """Render a path like ('schools', 0, 'org_number') as `schools[0].org_number`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class DiagnosticError(Exception):
    """Base for refusals that carry a list of diagnostics; nothing was half-done."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics))


class InvalidRules(DiagnosticError):
    """The rules folder does not validate; it was not loaded."""


class InvalidApplication(DiagnosticError):
    """The application does not validate; it was not evaluated."""
