"""The worker processes: they evaluate the application the server validated, rebuilt from its
JSON, and tell the engine's errors apart by type (the input's fault or the engine's)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.workers import EngineFailed, WorkerPool
from engine import (
    FactRefused,
    InvalidApplication,
    RuleRuntimeError,
    SurveySource,
    evaluate,
    parse_application,
)
from tests.api.conftest import unique_id
from tests.builders import application, baseline, changed, ruleset

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy


def test_a_worker_decides_the_validated_application_it_is_sent_as_the_engine_does() -> None:
    rs = ruleset()
    app = application(dict(baseline(), id=unique_id()))

    async def scenario() -> None:
        pool = WorkerPool(1)
        pool.start()
        try:
            (result,) = await pool.evaluate(rs, [app])
        finally:
            pool.close()
        expected = evaluate(app, rs)
        assert (result.application_id, result.outcome, result.score) == (
            expected.application_id,
            expected.outcome,
            expected.score,
        )
        assert result.decision() == expected.model_dump(mode="json")

    asyncio.run(scenario())


def test_a_worker_refuses_a_model_that_never_passed_validation() -> None:
    # the application travels as the validated model's JSON and is rebuilt from it (cheaper
    # than pickling the model); one that was never valid cannot be rebuilt, and is not decided
    rs = ruleset()
    app = application(dict(baseline(), id=unique_id()))
    unchecked = app.model_copy(
        update={"municipality": app.municipality.model_copy(update={"name": ""})}
    )
    with pytest.raises(InvalidApplication):
        parse_application(unchecked.model_dump(mode="json"))

    async def scenario() -> None:
        pool = WorkerPool(1)
        pool.start()
        try:
            with pytest.raises(EngineFailed) as failed:
                await pool.evaluate(rs, [unchecked])
        finally:
            pool.close()
        assert failed.value.kind == "error"

    asyncio.run(scenario())


def runtime_error(org_number: str) -> SurveySource | None:
    """A survey lookup that fails the way the rule runtime does (runs in the worker)."""
    raise RuleRuntimeError("durable-rules failed: engine trouble")


def refused_value(org_number: str) -> SurveySource | None:
    """A survey lookup that fails the way the runtime refuses a fact value (in the worker)."""
    raise FactRefused("fact 'school:1#1': float 1e-05 cannot be passed to durable-rules")


def without_survey_figures() -> dict[str, Any]:
    """A valid application whose first school's figures must be looked up."""
    return dict(changed(**{"schools.0.bullying": None}), id=unique_id())


def failure(lookup: Any) -> EngineFailed:
    """The failure a worker answers with when the lookup raises."""

    async def scenario() -> EngineFailed:
        pool = WorkerPool(1)
        pool.start()
        try:
            with pytest.raises(EngineFailed) as caught:
                await pool.evaluate(
                    ruleset(), [application(without_survey_figures())], lookup=lookup
                )
            assert pool.restarts == 0  # the worker lives on
            return caught.value
        finally:
            pool.close()

    return asyncio.run(scenario())


def test_a_rule_runtime_error_in_a_worker_is_the_engines_fault() -> None:
    failed = failure(runtime_error)
    assert failed.kind == "error"  # answered 500 ENGINE_ERROR
    assert str(failed).startswith("RuleRuntimeError: durable-rules failed")


def test_a_refused_fact_value_in_a_worker_is_the_inputs_fault() -> None:
    failed = failure(refused_value)
    assert failed.kind == "refused"  # answered 422 ENGINE_REFUSED_INPUT
    assert str(failed).startswith("FactRefused: fact 'school:1#1'")


class _IdleSlot:
    """A stand-in for a worker that is ready and records what it is sent."""

    def __init__(self) -> None:
        self.sent: list[list[Any]] = []
        self.ready, self.quick_deaths = True, 0

    def idle(self) -> bool:
        return not self.sent

    def send(self, batch: list[Any]) -> None:
        self.sent.append(batch)


def test_waiting_jobs_are_shared_among_the_idle_workers() -> None:
    async def scenario() -> list[int]:
        pool = WorkerPool(2, max_per_call=16)
        slots = [_IdleSlot(), _IdleSlot()]
        pool._slots = slots  # type: ignore[assignment]
        pool._loop = asyncio.get_running_loop()
        app = application(dict(baseline(), id=unique_id()))
        waiting = asyncio.ensure_future(pool.evaluate(ruleset(), [app] * 7))
        for _ in range(3):  # the dispatch runs once this turn of the loop is over
            await asyncio.sleep(0)
        waiting.cancel()
        return [len(batch) for slot in slots for batch in slot.sent]

    assert asyncio.run(scenario()) == [4, 3]  # not 7 to the first and none to the other
