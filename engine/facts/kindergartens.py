"""Facts about kindergartens: the schools they feed and challenges the office knows of."""

from __future__ import annotations

from engine.facts.core import Derived, FactContext, fact
from engine.memo import IdentityMemo
from engine.text import in_sentence, join_list


@fact(
    "feeds_participating_schools",
    ["kindergarten"],
    "int",
    "Antall skoler i søknaden som barnehagen sender barn til, og som ikke er utelatt.",
    texts=("fed_school_names", "feeds_text"),
    stage=2,
)
def feeds_participating_schools(ctx: FactContext) -> Derived:
    """Schools of this application that the kindergarten feeds and that are not excluded."""
    feeds = ctx.subject.feeds_schools
    if feeds is None:
        return Derived(
            None,
            {},
            {
                "fed_school_names": "ukjent",
                "feeds_text": "det er ikke oppgitt hvilke skoler barnehagen sender barn til",
            },
            [(f"{ctx.path}.feeds_schools", "hvilke skoler barnehagen sender barn til")],
        )
    schools = ctx.schools_by_org or {s.org_number: s for s in ctx.application.schools}
    fed = [
        schools[n] for n in feeds if n in schools and ctx.inclusion.get(n, "unknown") != "not_met"
    ]
    names = join_list((s.name for s in fed), empty="ingen")
    text = (
        f"barnehagen sender barn til {names}"
        if fed
        else "barnehagen sender ikke barn til noen deltakende skole i søknaden"
    )
    return Derived(
        len(fed),
        {"feeds_schools": [s.org_number for s in fed]},
        {"fed_school_names": names, "feeds_text": text},
    )


@fact(
    "known_challenges",
    ["kindergarten"],
    "bool",
    "Embetet (ruleset.yaml «office») kjenner til utfordringer med læringsmiljøet i barnehagen.",
    texts=("challenges_text",),
)
def known_challenges(ctx: FactContext) -> Derived:
    """The office knows of learning-environment challenges in the kindergarten."""
    value = ctx.subject.known_challenges
    texts = _challenge_texts.get(ctx.ruleset.office)
    missing = [] if value is not None else [(f"{ctx.path}.known_challenges", texts["missing"])]
    return Derived(value, {"known_challenges": value}, {"challenges_text": texts[value]}, missing)


def _texts_of(office_name: str, _: object) -> dict[bool | str | None, str]:
    office = in_sentence(office_name)
    return {
        True: f"{office} kjenner til utfordringer i barnehagen",
        False: f"{office} kjenner ikke til utfordringer i barnehagen",
        None: f"det er ikke oppgitt om {office} kjenner til utfordringer",
        "missing": f"om {office} kjenner til utfordringer",
    }


# the same four texts for every kindergarten under one ruleset's office
_challenge_texts: IdentityMemo[dict[bool | str | None, str]] = IdentityMemo(_texts_of)
