"""The OpenAPI examples: made from the example applications, stored in openapi_examples.json.

Run `python -m api.http.openapi_examples` after a change to the examples, the rules or the
decision format; `tests/api/http/test_openapi.py` checks that the stored file still matches
what the engine says. Apart from `api.http.openapi` because it needs the routers, which need
`api.http.openapi`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from api.http.openapi import EXAMPLES_FILE
from api.http.replay import differences
from api.http.rulesets import ruleset_detail
from api.registry import Snapshot
from api.settings import Settings
from engine import evaluate, load_application_file, load_ruleset, rank, rankable


def build_examples() -> dict[str, Any]:
    """Make the examples from the first round's example applications, with its rules."""
    layout = Settings().layout()
    rs = load_ruleset(layout.rule_folders()[0])
    rounds = {rs.id: list(rs.counties)}
    names = ["trondheim-2020", "malvik-2020"]
    folder = layout.examples_of(rs.id)
    apps = [load_application_file(folder / f"{n}.yaml", rounds=rounds) for n in names]
    raw = [a.model_dump(mode="json", exclude_none=False) for a in apps]
    decisions = [evaluate(a, rs) for a in apps]
    dumped = [d.model_dump(mode="json") for d in decisions]
    ranking = rank([rankable(a, d) for a, d in zip(apps, decisions, strict=True)], rs)
    created = dt.datetime(2020, 2, 3, 9, 15, 2, tzinfo=dt.UTC).isoformat()
    ev_id = "ev-0170098a2f5e3b9c1d7e4a20"
    summary = {
        "evaluation_id": ev_id,
        "application_id": dumped[0]["application_id"],
        "round": rs.id,
        "county": apps[0].county,
        "municipality": {
            "number": apps[0].municipality.number,
            "name": apps[0].municipality.name,
        },
        "received": apps[0].received.isoformat() if apps[0].received else None,
        "outcome": dumped[0]["outcome"],
        "score": dumped[0]["score"],
        "ruleset": dumped[0]["ruleset"],
        "created_at": created,
        "api_key": "saksbehandling",
        "links": {
            "self": f"/v1/evaluations/{ev_id}",
            "record": f"/v1/evaluations/{ev_id}/record",
            "replay": f"/v1/evaluations/{ev_id}:replay",
        },
    }
    snapshot = Snapshot({rs.id: rs}, dt.datetime(2020, 1, 6, 8, 0, tzinfo=dt.UTC))
    detail = json.loads(json.dumps(ruleset_detail(rs, snapshot), default=str))
    detail["loaded_at"] = snapshot.loaded_at.isoformat()
    ref = dumped[0]["ruleset"]
    previous = dict(ref, version="2020.0", digest="sha256:" + "3f1c" * 16)
    changed = json.loads(json.dumps(dumped[0]))
    changed["score"] = dumped[0]["score"] - 3
    stored = json.loads(json.dumps(dumped[0]))
    summary_keys = ("id", "version", "title", "digest", "loaded_at", "links")
    return {
        "application": raw[0],
        "batch": {"applications": raw},
        "ranking_request": {"applications": raw},
        "ranking_request_county": {"county": "50", "round": rs.id},
        "decision": {"evaluation_id": ev_id, **_case_of(apps[0], rs.id), **dumped[0]},
        "decisions": [
            {"evaluation_id": f"ev-0170098a2f5e3b9c1d7e4a2{i}", **_case_of(a, rs.id), **d}
            for i, (a, d) in enumerate(zip(apps, dumped, strict=True))
        ],
        "judgement_request": {
            "proposal": "propose",
            "justification": "Kommunen har høye mobbetall over tid og er motivert.",
        },
        "reason_request": {"reason": "Kommunen trakk søknaden i brev 12. februar 2020."},
        "simulation_request": {
            "round": rs.id,
            "county": "50",
            "parameters": {"K1": {"margin": 2.5}},
        },
        "publish_request": {
            "version": "2020.2",
            "note": "K1: terskelen senket fra 3,0 til 2,5 prosentpoeng over landssnittet.",
            "parameters": {"K1": {"margin": 2.5}},
        },
        "activation_request": {
            "version": rs.version,
            "note": "Tilbake til forrige versjon: den nye terskelen var ikke vedtatt ennå.",
        },
        "ranking": ranking.model_dump(mode="json"),
        "ruleset_list": {"rulesets": [{k: detail[k] for k in summary_keys}]},
        "ruleset_detail": detail,
        "reload": {
            "changed": True,
            "message": "Nye regler er i bruk.",
            "rulesets": [ref],
            "previous": [previous],
        },
        "health": {"status": "ok"},
        "ready": {"status": "ready", "rulesets": [ref], "database": "ok", "workers": 2},
        "evaluation_list": {"items": [summary], "next_cursor": None, "next": None},
        "evaluation_record": {**summary, "application": raw[0], "decision": dumped[0]},
        "replay": {
            "evaluation_id": ev_id,
            "same": False,
            "stored": stored,
            "current": changed,
            "differences": differences(stored, changed),
        },
    }


def _case_of(app: Any, round_id: str) -> dict[str, Any]:
    return {"case_id": f"{round_id}:{app.municipality.number}", "case_version": 1}


def main() -> None:
    """Write the examples to `api/http/openapi_examples.json`."""
    EXAMPLES_FILE.write_text(
        json.dumps(build_examples(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"skrev {EXAMPLES_FILE}")


if __name__ == "__main__":
    main()
