"""The living documentation of the published versions in force, built when first asked for.

`utvalg docs` writes the site of the rules folder to UTVALG_DOCS_DIR, and /dokumentasjon/
serves that folder while every round is served from its files. Once a round is served from
a published version (api/rules_versions.py), the prebuilt folder describes rules no longer
in force: the site of the rulesets in force is then built (the same `build_docs` as
`utvalg docs`, with the version's own scenarios) into a folder of its own per set of
digests, once, the first time a page is asked for after the publish or rollback.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

from api.livingdocs.runner import run_scenarios
from api.livingdocs.site import build_docs, build_round_index
from api.registry import FROM_DATABASE, Snapshot

_LOCK = threading.Lock()
_ROOT: list[Path] = []  # where the built sites live (made on first use, one per process)


def published_in_force(snapshot: Snapshot) -> bool:
    """Whether any round in force is served from a published version."""
    return any(o.source == FROM_DATABASE for o in snapshot.origins.values())


def site_of(snapshot: Snapshot) -> Path:
    """The folder of the living documentation of the rulesets in force (built when missing)."""
    key = hashlib.sha256(
        "\n".join(f"{rid}\0{rs.digest}" for rid, rs in sorted(snapshot.rulesets.items())).encode()
    ).hexdigest()[:20]
    with _LOCK:
        if not _ROOT:
            _ROOT.append(Path(tempfile.mkdtemp(prefix="utvalg-docs-")))
        target = _ROOT[0] / key
        if (target / "index.html").is_file():
            return target
        rulesets = [snapshot.rulesets[rid] for rid in sorted(snapshot.rulesets)]
        for ruleset in rulesets:
            features = snapshot.features_of(ruleset.id)
            report = run_scenarios(Path(ruleset.folder), features or Path(ruleset.folder))
            out = target / ruleset.id if len(rulesets) > 1 else target
            build_docs(ruleset, report, out)
        if len(rulesets) > 1:
            build_round_index(rulesets, target)
        return target
