"""engine.decision: decisions built without validation serialise as validated ones do."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from engine.decision import CriterionResult, Subject, UnitResult, trusted


def _result_values(subject: Subject) -> dict[str, Any]:
    return {
        "criterion": "K1",
        "title": "Høye mobbetall over tid",
        "role": "need",
        "subject": subject,
        "status": "met",
        "explanation": "Nordby skole har høye tall i 2017 og 2018.",
        "evidence": {"survey": [{"year": 2017, "percent": 9.6, "threshold": 9.6}]},
        "missing": [],
    }


def test_a_trusted_model_equals_and_serialises_as_the_validated_one() -> None:
    subject_values = {"kind": "school", "id": "974760673", "name": "Nordby skole"}
    validated = CriterionResult(**_result_values(Subject(**subject_values)))
    built = trusted(CriterionResult, _result_values(trusted(Subject, subject_values)))
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump() == validated.model_dump()
    assert built.model_fields_set == validated.model_fields_set


def test_a_trusted_model_stays_frozen() -> None:
    unit = trusted(
        UnitResult,
        {
            "kind": "school",
            "org_number": "974760673",
            "name": "Nordby skole",
            "status": "priority",
            "label": "Prioritert",
        },
    )
    with pytest.raises(ValidationError, match="frozen"):
        unit.status = "excluded"  # type: ignore[misc]


def test_trusted_models_sharing_their_fields_set_stay_apart() -> None:
    # every field given: the set of set fields is one object per model, shared
    subject = trusted(Subject, {"kind": "school", "id": "974123456", "name": "Nordby skole"})
    first = trusted(CriterionResult, _result_values(subject))
    second = trusted(CriterionResult, _result_values(subject))
    assert first.model_fields_set == set(CriterionResult.model_fields)
    copied = first.model_copy(update={"status": "not_met"})
    assert copied.status == "not_met" and first.status == "met"
    assert second.model_fields_set == set(CriterionResult.model_fields)
    with pytest.raises(ValidationError):
        second.status = "unknown"  # type: ignore[misc]
    assert second.model_fields_set == set(CriterionResult.model_fields)
    # fewer values than fields: its own set, not the shared one
    partial = trusted(Subject, {"kind": "school", "id": "974123456"})
    assert partial.model_fields_set == {"kind", "id"}
    assert subject.model_fields_set == {"kind", "id", "name"}
