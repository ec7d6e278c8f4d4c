"""`utvalg simulate DRAFT_DIR [--county 50] [--format text|json] [FIL…]`: a rules change tried out.

DRAFT_DIR is an edited copy of a round's rules folder. The given applications are evaluated
under the rules in force for that round (`--rules`, else the configured rules) and under the
draft; nothing is stored. Without FIL, every current case of the configured database (not
withdrawn or void, newest version) is simulated, under the version in force there (a
published version, else the files). Printed per county: what changes (outcome, score, place, within
capacity, before → after), the ranking before and after, and the draft's scenario results.
Exit 0 when simulated and every scenario passes, 1 when a scenario fails under the draft,
2 when the draft, the rules or an application is invalid (diagnostics on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from api.cli.evaluate import survey_lookup
from api.cli.shared import load_rounds_or_exit, print_diagnostics, shown_path, width_cut
from api.evaluation import survey_lookup as stored_lookup
from api.registry import RulesRegistry
from api.settings import Settings
from api.simulation import current_applications, draft_scenarios
from api.store.cases import CaseStore
from api.store.db import make_engine, migrate
from api.store.rule_versions import RuleVersionStore
from engine import Application, DiagnosticError, InvalidRules, RuleSet, load_application_file
from engine.evaluate import SurveyLookup
from engine.facts.core import RecordsLookup
from engine.loader import load_ruleset
from engine.simulate import Entry, ScenarioResults, Simulation, Standing, simulate
from engine.text import plural
from engine.types import Outcome


def cmd_simulate(args: argparse.Namespace) -> int:
    """`utvalg simulate`: 2 when anything is invalid, 1 when a draft scenario fails, else 0."""
    try:
        draft = load_ruleset(args.draft)
    except InvalidRules as exc:
        print_diagnostics(exc.diagnostics)
        print(f"Utkastet i {args.draft} er ugyldig: ingenting ble simulert.", file=sys.stderr)
        return 2
    stored: StoredCases | None = None
    if args.files:
        rulesets = load_rounds_or_exit(args.rules)
    else:
        stored = StoredCases(args.rules)
        rulesets = stored.rulesets()
    current = rulesets.get(draft.id)
    if current is None:
        print(
            f"Utkastet gjelder runde «{draft.id}», men reglene i bruk har ingen slik runde "
            f"(de har {', '.join(sorted(rulesets)) or 'ingen'}).",
            file=sys.stderr,
        )
        return 2
    if args.county is not None and args.county not in current.counties:
        known = ", ".join(sorted(current.counties))
        print(
            f"Fylke «{args.county}» finnes ikke i runde {current.id} (kjente: {known}).",
            file=sys.stderr,
        )
        return 2
    if stored is None:
        apps = _applications(args.files, current)
        figures, records = survey_lookup(apps)
    else:
        apps, figures, records = stored.applications(current, args.county)
    scenarios = None
    if not args.no_scenarios:
        scenarios = draft_scenarios(Path(args.draft), draft.id, Settings().layout(args.rules))
    try:
        result = simulate(
            current,
            draft,
            apps,
            county=args.county,
            survey_lookup=figures,
            records_lookup=records,
            scenarios=scenarios,
        )
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics)
        print("Ingenting ble simulert: rett feilene over og prøv igjen.", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(format_simulation(result, current, Path(args.draft)), end="")
    return 1 if scenarios is not None and not scenarios.ok else 0


class StoredCases:
    """The configured database's rules in force and current cases (no FIL given)."""

    def __init__(self, rules: Path | None) -> None:
        settings = Settings()
        self.engine = make_engine(settings.resolved_database_url())
        migrate(self.engine)
        self.registry = RulesRegistry(
            rules or settings.rules_dir,
            layout=settings.layout(rules),
            versions=RuleVersionStore(self.engine),
        )

    def rulesets(self) -> dict[str, RuleSet]:
        """The rulesets in force in the database (published versions, else the files)."""
        try:
            self.registry.load()
        except InvalidRules as exc:
            print_diagnostics(exc.diagnostics)
            print("Reglene i bruk er ugyldige: ingenting ble simulert.", file=sys.stderr)
            raise SystemExit(2) from None
        return dict(self.registry.current.rulesets)

    def applications(
        self, current: RuleSet, county: str | None
    ) -> tuple[list[Application], SurveyLookup | None, RecordsLookup | None]:
        """The newest version of every current case, with imported figures and records."""
        histories = CaseStore(self.engine).histories(round_id=current.id, county=county)
        apps = current_applications(histories, current)
        lookup = stored_lookup(self.engine, apps)
        return apps, lookup, (lookup.record if lookup is not None else None)


def _applications(files: Sequence[str], current: RuleSet) -> list[Application]:
    rounds = {current.id: list(current.counties)}
    apps, failed = [], False
    for name in files:
        try:
            apps.append(load_application_file(name, rounds=rounds))
        except DiagnosticError as exc:
            failed = True
            print_diagnostics(exc.diagnostics)
    if failed:
        print("Ingenting ble simulert: rett feilene over og prøv igjen.", file=sys.stderr)
        raise SystemExit(2)
    return apps


def format_simulation(result: Simulation, current: RuleSet, draft_dir: Path) -> str:
    """The simulation as Norwegian text: per county the changes, then both rankings."""
    before, after = result.ruleset_before, result.ruleset_after
    out = [
        f"Simulering av runde {result.round}: reglene i bruk (versjon {before.version}) mot "
        f"utkastet i {shown_path(draft_dir)} (versjon {after.version}). Ingenting er lagret.",
        "",
    ]
    if not result.counties:
        out.append("Ingen søknader å simulere.")
    labels = current.labels.outcome
    for county in result.counties:
        capacity = f"kapasitet {county.capacity_before}"
        if county.capacity_after != county.capacity_before:
            capacity += f" → {county.capacity_after}"
        out.append(f"Fylke {county.county} {county.name} – {capacity}")
        if county.changes:
            out.append(f"  Endringer ({plural(len(county.changes), 'kommune', 'kommuner')}):")
            for change in county.changes:
                parts = _changed_parts(change.before, change.after, change.changed, labels)
                out.append(
                    f"    {change.municipality_number} {change.municipality_name} "
                    f"({change.case_id}): {', '.join(parts)}"
                )
        else:
            out.append("  Ingen endringer: utfall, poeng, plass og kapasitet er som før.")
        out.append(f"  {'Nr.':<4} {'Kommune':<26} {'Før':<22} {'Etter':<22}")
        old = {e.case_id: e for e in county.before}
        for entry in county.after:
            was = old[entry.case_id]
            municipality = width_cut(f"{entry.municipality_number} {entry.municipality_name}", 26)
            out.append(
                f"  {entry.rank:<4} {municipality:<26} {_cell(was, labels):<22} "
                f"{_cell(entry, labels):<22}"
            )
        out.append("")
    if result.counties:
        out.extend(["* = innenfor kapasiteten", ""])
    out.extend(_scenario_lines(result.scenarios))
    return "\n".join(out).rstrip() + "\n"


def _changed_parts(
    before: Standing, after: Standing, changed: Sequence[str], labels: Mapping[Outcome, str]
) -> list[str]:
    return [
        f"{_NAMES[n]} {_shown(n, before, labels)} → {_shown(n, after, labels)}" for n in changed
    ]


_NAMES = {
    "outcome": "utfall",
    "score": "poeng",
    "rank": "plass",
    "within_capacity": "innenfor kapasitet",
}


def _shown(name: str, standing: Standing, labels: Mapping[Outcome, str]) -> str:
    if name == "outcome":
        return labels[standing.outcome]
    if name == "within_capacity":
        return "ja" if standing.within_capacity else "nei"
    return str(getattr(standing, name))


def _cell(entry: Entry, labels: Mapping[Outcome, str]) -> str:
    within = " *" if entry.within_capacity else ""
    return f"{entry.rank}. {labels[entry.outcome]} {entry.score}p{within}"


def _scenario_lines(scenarios: ScenarioResults | None) -> list[str]:
    if scenarios is None:
        return ["Scenarioene ble ikke kjørt (--no-scenarios)."]
    out = []
    if scenarios.problem:
        out.append(f"Scenarioene kunne ikke kjøres ferdig: {scenarios.problem}")
    failed = len(scenarios.failed)
    out.append(
        f"Scenarioer mot utkastet: {scenarios.total} kjørt, "
        f"{scenarios.passed} bestått, {failed} feilet."
    )
    for failure in scenarios.failed:
        out.append(f"  {failure.file}:{failure.line}: «{failure.feature}» – {failure.scenario}")
        if failure.step:
            out.append(f"    Steg:      {failure.step}")
        if failure.expected is not None:
            out.append(f"    Forventet: {failure.expected}")
            out.append(f"    Fikk:      {failure.got or ''}")
        elif failure.message:
            out.append(f"    Feil:      {failure.message}")
    if failed:
        out.append(
            "Et scenario som feiler, viser at utkastet endrer det scenarioet venter. Er "
            "endringen ment, endre forventningen i scenarioet (features/<runde>/) sammen med "
            "utkastet før det tas i bruk."
        )
    return out
