"""The reload and publish gate's process (api.registry.gate_in_subprocess) when it crashes."""

from __future__ import annotations

import pytest

from api import registry
from api.rounds import Layout
from tests.api import crashing_gate
from tests.api.conftest import EXAMPLES, RULES_ROOT
from tests.builders import ROOT

LAYOUT = Layout(RULES_ROOT, ROOT / "features", EXAMPLES)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("signal", "prosessen krasjet med signal 11 (SIGSEGV), typisk i regelmotoren."),
        ("exception", f"prosessen avsluttet med kode 1. Siste melding: «{crashing_gate.ERROR}»."),
        ("silent", "prosessen avsluttet uten å skrive resultatet."),
    ],
)
def test_a_gate_that_stops_without_its_result_refuses_and_says_how(
    crashing_gate_process: pytest.MonkeyPatch, how: str, reason: str
) -> None:
    crashing_gate_process.setenv(crashing_gate.HOW, how)
    (found,) = registry.gate_in_subprocess([RULES_ROOT / "pulje-5"], LAYOUT)
    assert found.code == "RULES_CRASHED" and found.severity == "error"
    assert found.message == (
        f"Kontrollen av de nye reglene stoppet før den var ferdig: {reason} "
        "Reglene i bruk er uendret."
    )
