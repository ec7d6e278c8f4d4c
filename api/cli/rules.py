"""`utvalg rules list|export`: the published versions of a round's rules, and a version as files.

Reads the configured database (UTVALG_DATABASE_URL) beside the rules folder: `list` shows
each version with who, when and the note, and which is in force; `export VERSION DIR` writes
the version's rules to DIR/rules/<round>/ and its scenarios to DIR/features/<round>/, so
`utvalg check DIR/rules/<round>` runs it as any rules folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.registry import RulesRegistry
from api.rules_versions import RulesVersions, UnknownRound, UnknownVersion
from api.settings import Settings
from api.store.db import make_engine, migrate
from api.store.rule_versions import RuleVersionStore
from engine import InvalidRules


def cmd_rules(args: argparse.Namespace) -> int:
    """`utvalg rules`: 0 done, 2 when the round, the version or the target is not usable."""
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        migrate(engine)
        registry = RulesRegistry(
            settings.rules_dir, layout=settings.layout(), versions=RuleVersionStore(engine)
        )
        try:
            registry.load()
        except InvalidRules as exc:
            for d in exc.diagnostics:
                print(d.render(), file=sys.stderr)
            return 2
        versions = RulesVersions(RuleVersionStore(engine), registry)
        round_id = _round(args.round, sorted(registry.current.rulesets))
        if round_id is None:
            return 2
        try:
            if args.action == "list":
                return _list(versions, round_id)
            return _export(versions, round_id, args.version, args.dir)
        except UnknownRound:
            print(f"Runden «{round_id}» er ikke i bruk.", file=sys.stderr)
            return 2
        except UnknownVersion:
            known = ", ".join(v.version for v in versions.history(round_id))
            print(
                f"Runde {round_id} har ingen versjon «{args.version}» (versjoner: {known}).",
                file=sys.stderr,
            )
            return 2
    finally:
        engine.dispose()


def _round(wanted: str | None, known: list[str]) -> str | None:
    if wanted is not None:
        if wanted in known:
            return wanted
        print(f"Runden «{wanted}» er ikke i bruk (i bruk: {', '.join(known)}).", file=sys.stderr)
        return None
    if len(known) == 1:
        return known[0]
    print(f"Det er flere runder i bruk ({', '.join(known)}); velg én med --round.", file=sys.stderr)
    return None


def _list(versions: RulesVersions, round_id: str) -> int:
    history = versions.history(round_id)
    print(f"Versjoner av reglene for runde {round_id} (eldste først; * = i bruk):")
    for v in history:
        mark = "*" if v.in_force else " "
        if v.created_at is None:
            print(f"{mark} {v.version}  fra filene i regelmappen (ingen versjon er publisert)")
            continue
        who = v.created_by or "ukjent"
        print(f"{mark} {v.version}  {v.created_at:%Y-%m-%d %H:%M} UTC  {who}  {v.digest[:19]}")
        print(f"    {v.note}")
    return 0


def _export(versions: RulesVersions, round_id: str, version: str, target: Path) -> int:
    rules_folder = target / "rules" / round_id
    if rules_folder.exists() and any(rules_folder.iterdir()):
        print(f"{rules_folder} finnes allerede og er ikke tom; velg en ny mappe.", file=sys.stderr)
        return 2
    rules, features = versions.export(round_id, version, target)
    print(f"Versjon {version} av runde {round_id} er skrevet til {rules} (regler) og {features}")
    print(f"(scenarioer). Kontroller den med «utvalg check {rules}».")
    return 0
