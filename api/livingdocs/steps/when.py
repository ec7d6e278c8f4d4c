"""Når-steps: evaluate the application, or evaluate and rank all of them."""

from __future__ import annotations

from pytest_bdd import when

from api.livingdocs.steps.world import Draft, World
from engine import Decision, InvalidApplication, evaluate, parse_application, rank, rankable
from engine.application import Application


def _evaluate(world: World, draft: Draft) -> tuple[Application, Decision] | None:
    """Validate and evaluate one draft; on refusal keep the diagnostics and return None."""
    rs = world.ruleset
    try:
        application = parse_application(draft.resolved(), rounds={rs.id: list(rs.counties)})
        decision = evaluate(application, rs)
    except InvalidApplication as exc:
        world.refusal = list(exc.diagnostics)
        world.refused = draft.label
        world.decision = None
        return None
    return application, decision


@when("søknaden vurderes")
def evaluate_application(world: World) -> None:
    """Evaluate the last application written."""
    world.refusal = None
    result = _evaluate(world, world.draft)
    if result is not None:
        world.decision = result[1]


@when("søknadene rangeres")
def rank_applications(world: World) -> None:
    """Evaluate every application of the scenario and rank them per county."""
    world.refusal = None
    items = []
    for draft in world.drafts:
        result = _evaluate(world, draft)
        if result is None:
            return
        application, decision = result
        world.labels[decision.application_id] = draft.label
        world.decision = decision  # the last application's, for «Så er utfallet …»
        items.append(rankable(application, decision))
    world.ranking = rank(items, world.ruleset)
