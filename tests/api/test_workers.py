"""The worker processes evaluate the application the server validated, as it is."""

from __future__ import annotations

import asyncio

import pytest

from api.workers import WorkerPool
from engine import InvalidApplication, evaluate, parse_application
from tests.api.conftest import unique_id
from tests.builders import application, baseline, ruleset


def test_a_worker_evaluates_the_application_object_it_is_sent_without_parsing_it_again() -> None:
    rs = ruleset()
    app = application(dict(baseline(), id=unique_id()))
    # an empty name is refused by validation: a worker that parsed the application again
    # would answer "invalid" instead of evaluating what it was sent
    unchecked = app.model_copy(
        update={"municipality": app.municipality.model_copy(update={"name": ""})}
    )
    with pytest.raises(InvalidApplication):
        parse_application(unchecked.model_dump(mode="json"))

    async def scenario() -> None:
        pool = WorkerPool(1)
        pool.start()
        try:
            (result,) = await pool.evaluate(rs, [unchecked])
        finally:
            pool.close()
        expected = evaluate(unchecked, rs)
        assert (result.application_id, result.outcome, result.score) == (
            expected.application_id,
            expected.outcome,
            expected.score,
        )
        assert result.decision() == expected.model_dump(mode="json")

    asyncio.run(scenario())
