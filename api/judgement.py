"""The office's judgement of a case (CONTRACT section 6): when it departs, what it needs.

One place for the rules, read by the HTTP API (api.http.cases) and the case page
(api.web.pages.case): a justification is required, and must be a real text of at least
`MIN_DEPARTING` characters when the proposal departs from the computed outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

PROPOSALS = ("propose", "not_propose")
PROPOSAL_LABELS = {"propose": "Foreslås", "not_propose": "Foreslås ikke"}
MIN_DEPARTING = 20
MAX_TEXT = 4000


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a judgement (or a reason)."""

    field: str
    code: str
    msg: str


def departs(proposal: str, outcome: str) -> bool:
    """True when the proposal departs from the computed outcome."""
    return (proposal == "propose") != (outcome == "recommended")


def judgement_problems(proposal: object, justification: object, outcome: str) -> list[Problem]:
    """Everything wrong with a judgement of a case whose computed outcome is `outcome`."""
    problems: list[Problem] = []
    if proposal not in PROPOSALS:
        problems.append(
            Problem(
                "proposal",
                "BAD_VALUE",
                "«proposal» må være «propose» (foreslås) eller «not_propose» (foreslås ikke).",
            )
        )
    if not isinstance(justification, str) or not justification.strip():
        problems.append(
            Problem("justification", "JUSTIFICATION_REQUIRED", "Skriv en begrunnelse for skjønnet.")
        )
    elif len(justification) > MAX_TEXT:
        problems.append(
            Problem(
                "justification",
                "TOO_LONG",
                f"Begrunnelsen kan være høyst {MAX_TEXT} tegn lang.",
            )
        )
    elif (
        proposal in PROPOSALS
        and departs(str(proposal), outcome)
        and len(justification.strip()) < MIN_DEPARTING
    ):
        problems.append(
            Problem(
                "justification",
                "JUSTIFICATION_TOO_SHORT",
                f"Skjønnet avviker fra det beregnede utfallet; begrunnelsen må være minst "
                f"{MIN_DEPARTING} tegn (nå {len(justification.strip())}).",
            )
        )
    return problems


def reason_problems(reason: object) -> list[Problem]:
    """Everything wrong with the reason for withdrawing or voiding a case."""
    if not isinstance(reason, str) or not reason.strip():
        return [Problem("reason", "REASON_REQUIRED", "Skriv hvorfor.")]
    if len(reason) > MAX_TEXT:
        return [Problem("reason", "TOO_LONG", f"Begrunnelsen kan være høyst {MAX_TEXT} tegn lang.")]
    return []
