"""Simulating a rules change: the same applications under the rules in force and a draft.

CONTRACT section 10. A draft is the ruleset in force with parameter changes
(`{"K1": {"margin": 2.5}}`) or whole files (`{"criteria/k1-hoye-mobbetall.yaml": "…"}`);
`draft_files` makes its files, `load_draft` writes and loads them (the loader's own
diagnostics when they do not load), and `simulate` evaluates every given application under
both and returns, per county, the ranking before and after and each change. Nothing is
stored. The draft's scenario results come from the caller (the scenario runner lives in
`api.livingdocs`), as do the applications: files today, the current cases later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from engine.application import Application
from engine.decision import Decision, RulesetRef
from engine.diagnostics import Diagnostic, InvalidApplication, InvalidRules, Location
from engine.evaluate import SurveyLookup, evaluate
from engine.facts.core import RecordsLookup
from engine.loader import load_ruleset
from engine.messages import did_you_mean
from engine.ranking import Rankable, municipality_clashes, rank
from engine.ruleset import RuleSet
from engine.types import Outcome

_FILE_NAME = re.compile(r"^(ruleset\.yaml|criteria/[a-z0-9][a-z0-9._-]{0,80}\.yaml)$")
COMPARED = ("outcome", "score", "rank", "within_capacity")
# the key of `parameters` that addresses ruleset.yaml rather than a criterion
RULESET_PARAMETERS = "ruleset"
_RULESET_FILE = "ruleset.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Standing(_Model):
    """Where one application stands in its county under one ruleset."""

    rank: int
    outcome: Outcome
    score: int
    within_capacity: bool


class Entry(Standing):
    """One place in a county's ranking, with the case it belongs to."""

    case_id: str
    application_id: str
    municipality_number: str
    municipality_name: str


class CaseChange(_Model):
    """An application whose outcome, score, rank or within_capacity differs under the draft."""

    case_id: str
    application_id: str
    municipality_number: str
    municipality_name: str
    changed: list[str]  # the names in COMPARED that differ, in that order
    before: Standing
    after: Standing


Change = CaseChange  # the earlier name (OpenAPI needs one unique name: CaseChange)


class CountySimulation(_Model):
    """One county: its ranking before and after, and what changed."""

    county: str
    name: str
    capacity_before: int
    capacity_after: int
    before: list[Entry]
    after: list[Entry]
    changes: list[CaseChange]


class ScenarioFailure(_Model):
    """A scenario that fails under the draft, in the words `utvalg check` uses."""

    feature: str
    scenario: str
    file: str
    line: int
    step: str | None = None
    expected: str | None = None
    got: str | None = None
    message: str | None = None
    example: dict[str, str] = Field(default_factory=dict)  # an outline's example row


class ScenarioResults(_Model):
    """The draft's scenario results: how many ran and passed, and each failure."""

    total: int
    passed: int
    failed: list[ScenarioFailure] = Field(default_factory=list)
    problem: str | None = None  # set when the scenarios could not run as a whole

    @property
    def ok(self) -> bool:
        """True when the scenarios ran and every one passed."""
        return self.problem is None and self.total > 0 and not self.failed


class Simulation(_Model):
    """The whole answer (CONTRACT section 10)."""

    round: str
    ruleset_before: RulesetRef
    ruleset_after: RulesetRef
    counties: list[CountySimulation]
    scenarios: ScenarioResults | None = None


# --- the draft ---------------------------------------------------------------------------


def draft_files(
    current: RuleSet,
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    files: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The draft's files (relative path → text): the rules in force, changed as told.

    `files` replaces (or adds) whole files, `ruleset.yaml` or `criteria/<name>.yaml`;
    `parameters` then sets parameters in their files, keeping every comment and the layout:
    a criterion's (`{"K1": {"margin": 2.5}}`) or, under RULESET_PARAMETERS, any value of
    ruleset.yaml by its path (`{"ruleset": {"counties.50.capacity": 3}}`, nested mappings
    too: deadlines, capacities, national averages, min_respondents …). Raises InvalidRules
    for a file name that is not allowed, an unknown criterion or an unknown parameter;
    whether the values are valid is the loader's say. `base` replaces the files of
    `current` as the starting point (a published version's files).
    """
    out = dict(base) if base is not None else current_files(current)
    problems: list[Diagnostic] = []
    for name, text in (files or {}).items():
        if not _FILE_NAME.fullmatch(name):
            msg = (
                f"Filen «{name}» kan ikke være med i et utkast. Tillatt: ruleset.yaml og "
                "criteria/<navn>.yaml (små bokstaver, sifre, punktum, bindestrek)."
            )
            problems.append(Diagnostic("BAD_FILE_NAME", msg, loc=("files", name)))
            continue
        out[name] = text
    for cid, changes in (parameters or {}).items():
        if cid == RULESET_PARAMETERS:
            problems.extend(_set_ruleset_values(out, changes))
        else:
            problems.extend(_set_parameters(out, cid, changes))
    if problems:
        raise InvalidRules(problems)
    return out


def current_files(ruleset: RuleSet) -> dict[str, str]:
    """The files of a loaded ruleset as they are on disk (relative path → text)."""
    folder = FsPath(ruleset.folder)
    paths = [folder / "ruleset.yaml", *sorted((folder / "criteria").glob("*.yaml"))]
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig") for p in paths}


def load_draft(files: Mapping[str, str], folder: FsPath, current: RuleSet) -> RuleSet:
    """Write the draft's files into the empty `folder` and load them as a ruleset.

    Raises InvalidRules with the loader's diagnostics, each naming the draft's file
    (`criteria/k1-hoye-mobbetall.yaml`), not the folder it was written to. A draft of
    another round than `current` is refused (DRAFT_ROUND_MISMATCH).
    """
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    try:
        draft = load_ruleset(folder)
    except InvalidRules as exc:
        raise InvalidRules([_relative(d, folder) for d in exc.diagnostics]) from None
    check_same_round(current, draft)
    return draft


def check_same_round(current: RuleSet, draft: RuleSet) -> None:
    """Refuse (InvalidRules) a draft whose id is not the round of the rules in force."""
    if draft.id != current.id:
        msg = (
            f"Utkastet har id «{draft.id}», men reglene i bruk er runde «{current.id}». "
            "Et utkast må gjelde samme runde: behold «id» i ruleset.yaml."
        )
        raise InvalidRules([Diagnostic("DRAFT_ROUND_MISMATCH", msg, Location("ruleset.yaml"))])


def _relative(d: Diagnostic, folder: FsPath) -> Diagnostic:
    file = d.location.file
    if file is None:
        return d
    try:
        shown = FsPath(file).relative_to(folder).as_posix()
    except ValueError:
        return d
    return replace(d, location=replace(d.location, file=shown))


def _set_parameters(
    files: dict[str, str], cid: str, changes: Mapping[str, Any]
) -> list[Diagnostic]:
    found = _criterion_file(files, cid)
    if found is None:
        known = sorted(filter(None, (_criterion_id(t) for t in files.values())))
        msg = f"Kriteriet «{cid}» finnes ikke i reglene.{did_you_mean(cid, known)}"
        msg += f" Kriteriene er {', '.join(known)}."
        return [Diagnostic("UNKNOWN_CRITERION", msg, loc=("parameters", cid))]
    name, root = found
    text = files[name]
    params = _value_of(root, "parameters")
    slots = dict(_pairs(params)) if isinstance(params, yaml.MappingNode) else {}
    problems: list[Diagnostic] = []
    edits: list[tuple[int, int, str]] = []
    for key, value in changes.items():
        node = slots.get(key)
        if node is None:
            names = ", ".join(sorted(slots)) or "ingen"
            msg = (
                f"Kriteriet {cid} har ingen parameter «{key}».{did_you_mean(key, slots)}"
                f" Parameterne er: {names}."
            )
            problems.append(
                Diagnostic("UNKNOWN_PARAMETER", msg, Location(name), ("parameters", cid, key))
            )
            continue
        start, end = node.start_mark.index, node.end_mark.index
        old = text[start:end]
        edits.append((start, end, _as_yaml(value) + old[len(old.rstrip()) :]))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    files[name] = text
    return problems


def _set_ruleset_values(files: dict[str, str], changes: Mapping[str, Any]) -> list[Diagnostic]:
    """Set values of ruleset.yaml by their paths (dotted keys or nested mappings)."""
    text = files.get(_RULESET_FILE, "")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # the loader reports it when the draft is loaded
    if not isinstance(root, yaml.MappingNode):
        return []
    problems: list[Diagnostic] = []
    edits: list[tuple[int, int, str]] = []
    for key, value in changes.items():
        _plan(root, str(key).split("."), value, [RULESET_PARAMETERS], text, edits, problems)
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    files[_RULESET_FILE] = text
    return problems


def _plan(
    node: yaml.MappingNode,
    path: list[str],
    value: Any,
    shown: list[str],
    text: str,
    edits: list[tuple[int, int, str]],
    problems: list[Diagnostic],
) -> None:
    """Plan the edit of the value at `path` under `node` (nested mappings go one level down)."""
    head, rest = path[0], path[1:]
    slots = dict(_pairs(node))
    target = slots.get(head)
    where = [*shown, head]
    if target is None:
        names = ", ".join(sorted(slots)) or "ingen"
        msg = (
            f"ruleset.yaml har ingen verdi «{'.'.join(where[1:])}».{did_you_mean(head, slots)}"
            f" Her finnes: {names}."
        )
        problems.append(
            Diagnostic(
                "UNKNOWN_PARAMETER", msg, Location(_RULESET_FILE), tuple(["parameters", *where])
            )
        )
        return
    if rest:
        if isinstance(target, yaml.MappingNode):
            _plan(target, rest, value, where, text, edits, problems)
            return
        msg = f"«{'.'.join(where[1:])}» i ruleset.yaml er en enkeltverdi, ikke en gruppe."
        problems.append(
            Diagnostic("UNKNOWN_PARAMETER", msg, Location(_RULESET_FILE), ("parameters", *where))
        )
        return
    if isinstance(value, Mapping) and isinstance(target, yaml.MappingNode):
        for key, inner in value.items():
            _plan(target, [str(key)], inner, where, text, edits, problems)
        return
    start, end = target.start_mark.index, target.end_mark.index
    old = text[start:end]
    edits.append((start, end, _as_yaml(value) + old[len(old.rstrip()) :]))


def _criterion_file(files: Mapping[str, str], cid: str) -> tuple[str, yaml.MappingNode] | None:
    for name, text in files.items():
        if not name.startswith("criteria/"):
            continue
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            continue  # the loader reports it when the draft is loaded
        if isinstance(root, yaml.MappingNode) and _scalar_of(root, "id") == cid:
            return name, root
    return None


def _criterion_id(text: str) -> str | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    return _scalar_of(root, "id") if isinstance(root, yaml.MappingNode) else None


def _pairs(node: yaml.MappingNode) -> Iterable[tuple[str, yaml.Node]]:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            yield str(key.value), value


def _value_of(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return dict(_pairs(node)).get(key)


def _scalar_of(node: yaml.MappingNode, key: str) -> str | None:
    value = _value_of(node, key)
    return str(value.value) if isinstance(value, yaml.ScalarNode) else None


def _as_yaml(value: Any) -> str:
    """A value as YAML flow text: JSON is YAML, dates are written as ÅÅÅÅ-MM-DD."""
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def set_values(files: dict[str, str], values: Mapping[tuple[str, tuple[str, ...]], Any]) -> None:
    """Set the values at (file, key path) in the draft's files, keeping comments and layout.

    A value equal to the one in the file leaves the file byte for byte as it was; a path
    that is not in its file, or a file that does not parse, is left alone (the loader
    reports what is wrong with the draft when it is loaded).
    """
    by_file: dict[str, dict[tuple[str, ...], Any]] = {}
    for (name, path), value in values.items():
        by_file.setdefault(name, {})[path] = value
    for name, changes in by_file.items():
        text = files.get(name)
        if text is None:
            continue
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            continue
        if isinstance(root, yaml.MappingNode):
            files[name] = _replaced(text, root, changes)


def node_at(root: yaml.Node, path: Sequence[str]) -> yaml.Node | None:
    """The node at a key path of a composed YAML document (keys compared as text)."""
    node: yaml.Node | None = root
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = _value_of(node, key)
    return node


def _replaced(text: str, root: yaml.Node, values: Mapping[tuple[str, ...], Any]) -> str:
    edits: list[tuple[int, int, str]] = []
    for path, value in values.items():
        node = node_at(root, path)
        if node is None or _same(node, value):
            continue
        start, end = node.start_mark.index, node.end_mark.index
        old = text[start:end]
        edits.append((start, end, _as_yaml(value) + old[len(old.rstrip()) :]))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _same(node: yaml.Node, value: Any) -> bool:
    try:
        old = yaml.SafeLoader("").construct_object(node, deep=True)
    except yaml.YAMLError:
        return False
    return bool(type(old) is type(value) and old == value)


# --- the simulation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Evaluated:
    case_id: str
    application: Application
    decision: Decision


def case_id_of(application: Application) -> str:
    """The case an application belongs to: `{round}:{municipality number}` (CONTRACT 6)."""
    return f"{application.round}:{application.municipality.number}"


def simulate(
    current: RuleSet,
    draft: RuleSet,
    applications: Sequence[Application],
    *,
    county: str | None = None,
    survey_lookup: SurveyLookup | None = None,
    records_lookup: RecordsLookup | None = None,
    scenarios: ScenarioResults | None = None,
) -> Simulation:
    """Evaluate `applications` under the rules in force and under the draft; nothing is stored.

    Only applications of `county` when given. Each municipality may appear once (its case);
    two applications from one municipality are refused whole (InvalidApplication with
    DUPLICATE_MUNICIPALITY). Returns per county the ranking before and after and `changes`:
    each application whose outcome, score, rank or within_capacity differs, with both.
    """
    check_same_round(current, draft)
    chosen = [a for a in applications if county is None or a.county == county]
    clashes = municipality_clashes(chosen, [case_id_of(a) for a in chosen])
    if clashes:
        raise InvalidApplication([d for _, d in clashes])
    before = [
        _Evaluated(
            case_id_of(a),
            a,
            evaluate(a, current, survey_lookup=survey_lookup, records_lookup=records_lookup),
        )
        for a in chosen
    ]
    after = [
        _Evaluated(
            case_id_of(a),
            a,
            evaluate(a, draft, survey_lookup=survey_lookup, records_lookup=records_lookup),
        )
        for a in chosen
    ]
    ranked_before = _ranked(before, current)
    ranked_after = _ranked(after, draft)
    counties = []
    for code in sorted(ranked_before):
        old, new = ranked_before[code], ranked_after[code]
        counties.append(
            CountySimulation(
                county=code,
                name=draft.counties[code].name,
                capacity_before=current.counties[code].capacity,
                capacity_after=draft.counties[code].capacity,
                before=old,
                after=new,
                changes=_changes(old, new),
            )
        )
    return Simulation(
        round=current.id,
        ruleset_before=_ref(current),
        ruleset_after=_ref(draft),
        counties=counties,
        scenarios=scenarios,
    )


def _ref(ruleset: RuleSet) -> RulesetRef:
    return RulesetRef(id=ruleset.id, version=ruleset.version, digest=ruleset.digest)


def _ranked(evaluated: Sequence[_Evaluated], ruleset: RuleSet) -> dict[str, list[Entry]]:
    # Ranked by case id in the application id's place: one case per municipality, so the
    # id never decides an order (the municipality number comes before it).
    by_case = {e.case_id: e for e in evaluated}
    ranking = rank(
        (
            Rankable(
                e.case_id,
                e.decision.outcome,
                e.decision.score,
                e.application.county,
                e.application.municipality.number,
                e.application.received,
            )
            for e in evaluated
        ),
        ruleset,
    )
    out: dict[str, list[Entry]] = {}
    for county in ranking.counties:
        out[county.county] = [
            Entry(
                case_id=entry.application_id,
                application_id=by_case[entry.application_id].decision.application_id,
                municipality_number=by_case[entry.application_id].application.municipality.number,
                municipality_name=by_case[entry.application_id].application.municipality.name,
                rank=entry.rank,
                outcome=entry.outcome,
                score=entry.score,
                within_capacity=entry.within_capacity,
            )
            for entry in county.ranking
        ]
    return out


def _standing(entry: Entry) -> Standing:
    return Standing(
        rank=entry.rank,
        outcome=entry.outcome,
        score=entry.score,
        within_capacity=entry.within_capacity,
    )


def _changes(before: Sequence[Entry], after: Sequence[Entry]) -> list[CaseChange]:
    """The entries whose standing differs, in the order of the ranking after the change."""
    old = {e.case_id: e for e in before}
    out = []
    for new in after:
        was = old[new.case_id]
        changed = [name for name in COMPARED if getattr(was, name) != getattr(new, name)]
        if changed:
            out.append(
                CaseChange(
                    case_id=new.case_id,
                    application_id=new.application_id,
                    municipality_number=new.municipality_number,
                    municipality_name=new.municipality_name,
                    changed=changed,
                    before=_standing(was),
                    after=_standing(new),
                )
            )
    return out
