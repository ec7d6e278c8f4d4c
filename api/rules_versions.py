"""Published rule versions: the history of a round, publishing a draft, rolling back, export.

The service behind `/v1/rulesets/{id}/versions`, `/v1/rulesets/{id}/activations`,
`utvalg rules …` and the rules page. A round starts from its files (`rules/<round>/`,
`features/<round>/`), reported as the version in their ruleset.yaml with source «filer».
Publishing takes the files in force, applies the draft (whole files or parameter changes),
sets ruleset.yaml's `version` to the new number (so decisions name it), runs the same gate
as a reload (loader, scenarios, examples; in a separate process) and only then stores the
version and activates it. A refused publish stores nothing. Rows are only ever inserted.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.registry import FROM_DATABASE, FROM_FILES, RulesRegistry, gate_in_subprocess
from api.rounds import RULESET_FILE, Layout
from api.rules_files import (
    FEATURE_NAME,
    FEATURES,
    feature_files,
    materialise,
    read_round,
    rule_files,
    unified_diff,
    write_round,
)
from api.store.rule_versions import (
    Activation,
    RuleVersionStore,
    StoredDraft,
    StoredVersion,
    VersionExists,
)
from engine import Diagnostic, InvalidRules, RuleSet
from engine.diagnostics import Location
from engine.simulate import draft_files, load_draft
from engine.yamledit import set_key

MAX_VERSION = 64
MAX_NOTE = 2000


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a round's history: a published version, or the files as starting point."""

    round: str
    version: str
    digest: str
    source: str  # "filer" (the rules folder) or "database" (published)
    note: str | None
    based_on: str | None
    created_at: dt.datetime | None
    created_by: str | None
    in_force: bool


@dataclass(frozen=True)
class VersionDetail:
    """A version with its whole files and the diff against the version it was based on."""

    info: VersionInfo
    files: dict[str, str]
    diff: str


@dataclass(frozen=True)
class Published:
    """What a publish did: the new version (in force) and its activation."""

    version: VersionInfo
    activation: Activation


class UnknownRound(LookupError):
    """No ruleset in use has this id."""


class UnknownVersion(LookupError):
    """The round has no version with this number."""


def _note_problems(note: str, required: str) -> list[Diagnostic]:
    """What is wrong with the note of a publication or an activation: absent or too long."""
    if not note:
        return [Diagnostic("NOTE_REQUIRED", required, loc=("note",))]
    if len(note) > MAX_NOTE:
        msg = f"Notatet kan ha høyst {MAX_NOTE} tegn, men har {len(note)}."
        return [Diagnostic("NOTE_TOO_LONG", msg, loc=("note",))]
    return []


def problem(code: str, msg: str, *loc: str) -> InvalidRules:
    """One diagnostic as the InvalidRules the HTTP layer turns into a 422."""
    return InvalidRules([Diagnostic(code, msg, loc=tuple(loc))])


class RulesVersions:
    """Publishing, activating and reading the versions of each round's rules."""

    def __init__(self, store: RuleVersionStore, registry: RulesRegistry) -> None:
        self.store = store
        self.registry = registry

    # --- reading ----------------------------------------------------------------------

    def in_force(self, round_id: str) -> RuleSet:
        """The ruleset in force for a round (UnknownRound when no ruleset has the id)."""
        self.registry.refresh(force=True)
        ruleset = self.registry.current.rulesets.get(round_id)
        if ruleset is None:
            raise UnknownRound(round_id)
        return ruleset

    def files_in_force(self, round_id: str) -> dict[str, str]:
        """The files of the round's version in force: rules and scenarios."""
        ruleset = self.in_force(round_id)
        features = self.registry.current.features_of(round_id)
        if features is None:
            features = self.registry.layout.features_of(round_id)
        return read_round(Path(ruleset.folder), features)

    def history(self, round_id: str) -> list[VersionInfo]:
        """The round's versions, oldest first; the files' version first when none is published."""
        ruleset = self.in_force(round_id)
        stored = self.store.versions(round_id)
        origin = self.registry.current.origins.get(round_id)
        if not stored:
            return [_files_info(ruleset)]
        current = origin.activation.version if origin and origin.activation else None
        return [_info(v, in_force=v.version == current) for v in stored]

    def detail(self, round_id: str, version: str) -> VersionDetail:
        """One version's files and diff (UnknownVersion when the round has none such)."""
        ruleset = self.in_force(round_id)
        stored = self.store.version(round_id, version)
        if stored is not None:
            current = self.registry.current.origins.get(round_id)
            in_force = bool(
                current and current.activation and current.activation.version == version
            )
            return VersionDetail(_info(stored, in_force=in_force), stored.files, stored.diff)
        if not self.store.versions(round_id) and version == ruleset.version:
            return VersionDetail(_files_info(ruleset), self.files_in_force(round_id), "")
        raise UnknownVersion(version)

    def activations(self, round_id: str) -> list[Activation]:
        """Every activation of the round, oldest first (who put which version in force, why)."""
        self.in_force(round_id)
        return self.store.activations(round_id)

    # --- drafts -----------------------------------------------------------------------

    def draft_of(
        self,
        round_id: str,
        *,
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        files: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The files in force with the changes applied (InvalidRules for a bad name or key)."""
        base = self.files_in_force(round_id)
        return apply_changes(self.in_force(round_id), base, parameters=parameters, files=files)

    def save_draft(
        self,
        draft_id: str,
        round_id: str,
        files: Mapping[str, str],
        who: str | None,
    ) -> StoredDraft:
        """Store a save of a draft of the rules page (a new row every time)."""
        ruleset = self.in_force(round_id)
        return self.store.save_draft(draft_id, round_id, ruleset.version, files, who, _now())

    def draft(self, draft_id: str) -> StoredDraft | None:
        """The newest save of a draft, or None."""
        return self.store.draft(draft_id)

    def drafts(self, round_id: str) -> list[StoredDraft]:
        """The open drafts of a round (not yet published), newest first."""
        return self.store.drafts(round_id)

    # --- publishing and activating ----------------------------------------------------

    def publish(
        self,
        round_id: str,
        version: str,
        note: str,
        who: str | None,
        *,
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        files: Mapping[str, str] | None = None,
        draft_id: str | None = None,
    ) -> Published:
        """Publish a draft as a new version and put it in force, after the reload's gate.

        Raises InvalidRules (VERSION_REQUIRED, VERSION_EXISTS, NOTE_REQUIRED, the loader's
        diagnostics, SCENARIO_FAILED …) and stores nothing then; UnknownRound for a round
        not in use.
        """
        current = self.in_force(round_id)
        version, note = version.strip(), note.strip()
        self._check_new(round_id, current, version, note)
        base = self.files_in_force(round_id)
        changed = apply_changes(current, base, parameters=parameters, files=files)
        changed[RULESET_FILE] = set_key(
            changed[RULESET_FILE], "version", json.dumps(version, ensure_ascii=False)
        )
        with tempfile.TemporaryDirectory(prefix="utvalg-publish-") as tmp:
            root = Path(tmp)
            rules_folder = root / "rules" / round_id
            rules_folder.mkdir(parents=True)
            draft = load_draft(rule_files(changed), rules_folder, current)
            features_folder = root / "features" / round_id
            write_round(feature_files(changed), rules_folder, features_folder)
            layout = Layout(root / "rules", root / "features", self.registry.layout.examples)
            problems = [
                _shown(d, root, round_id)
                for d in gate_in_subprocess([rules_folder], layout)
                if d.severity == "error"
            ]
        if problems:
            raise InvalidRules(problems)
        now = _now()
        stored = self.store.versions(round_id)
        based_on = _in_force_version(self.registry, round_id, current)
        rows: list[StoredVersion] = []
        if not stored:
            # the starting point (the files) goes into the history, so a rollback can reach it
            rows.append(
                StoredVersion(
                    round_id,
                    current.version,
                    base,
                    current.digest,
                    "Reglene fra filene i regelmappen (startpunktet).",
                    None,
                    "",
                    None,
                    now,
                    who,
                )
            )
        rows.append(
            StoredVersion(
                round_id,
                version,
                changed,
                draft.digest,
                note,
                based_on,
                unified_diff(base, changed),
                draft_id,
                now,
                who,
            )
        )
        try:
            activation = self.store.publish(rows, note)
        except VersionExists:
            raise _exists(version) from None
        self.registry.refresh(force=True)
        return Published(_info(rows[-1], in_force=True), activation)

    def activate(self, round_id: str, version: str, note: str, who: str | None) -> Activation:
        """Put an earlier (or later) published version in force again, with a note."""
        self.in_force(round_id)
        version, note = version.strip(), note.strip()
        problems: list[Diagnostic] = []
        if not version:
            msg = "Oppgi hvilken versjon som skal tas i bruk."
            problems.append(Diagnostic("VERSION_REQUIRED", msg, loc=("version",)))
        elif self.store.version(round_id, version) is None:
            known = ", ".join(v.version for v in self.store.versions(round_id)) or "ingen"
            msg = f"Runde {round_id} har ingen publisert versjon «{version}». Publiserte: {known}."
            problems.append(Diagnostic("UNKNOWN_VERSION", msg, loc=("version",)))
        problems.extend(_note_problems(note, "Skriv hvorfor denne versjonen skal tas i bruk."))
        if problems:  # every problem at once, as for publishing
            raise InvalidRules(problems)
        activation = self.store.activate(round_id, version, note, who, _now())
        self.registry.refresh(force=True)
        return activation

    def _check_new(self, round_id: str, current: RuleSet, version: str, note: str) -> None:
        problems: list[Diagnostic] = []
        if not version:
            msg = "Oppgi et versjonsnummer for den nye utgaven (for eksempel 2020.2)."
            problems.append(Diagnostic("VERSION_REQUIRED", msg, loc=("version",)))
        elif len(version) > MAX_VERSION or any(not c.isprintable() for c in version):
            msg = f"Versjonsnummeret kan ha høyst {MAX_VERSION} tegn, uten kontrolltegn."
            problems.append(Diagnostic("VERSION_INVALID", msg, loc=("version",)))
        else:
            earlier = {v.version for v in self.store.versions(round_id)} | {current.version}
            if version in earlier:
                problems.extend(_exists(version).diagnostics)
        problems.extend(_note_problems(note, "Skriv et endringsnotat: hva er endret, og hvorfor."))
        if problems:
            raise InvalidRules(problems)

    # --- export -----------------------------------------------------------------------

    def export(self, round_id: str, version: str, folder: Path) -> tuple[Path, Path]:
        """Write a version back to files: `folder/rules/<round>/` and `folder/features/<round>/`."""
        return materialise(self.detail(round_id, version).files, folder, round_id)


def apply_changes(
    current: RuleSet,
    base: Mapping[str, str],
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    files: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """`base` (rules and scenarios) with whole files replaced and parameters set."""
    features = {**feature_files(base)}
    rules_given: dict[str, str] = {}
    bad: list[Diagnostic] = []
    for name, text in (files or {}).items():
        if name.startswith(FEATURES):
            if not FEATURE_NAME.fullmatch(name):
                msg = (
                    f"Filen «{name}» kan ikke være med i et utkast. Scenarioer heter "
                    "features/<navn>.feature (bokstaver, sifre, punktum, bindestrek)."
                )
                bad.append(Diagnostic("BAD_FILE_NAME", msg, loc=("files", name)))
                continue
            features[name] = text
        else:
            rules_given[name] = text
    try:
        rules = draft_files(
            current,
            parameters=parameters,
            files=rules_given,
            base=rule_files(base),
        )
    except InvalidRules as exc:
        bad.extend(exc.diagnostics)
        rules = {}
    if bad:
        raise InvalidRules(bad)
    return rules | features


def _exists(version: str) -> InvalidRules:
    return problem(
        "VERSION_EXISTS",
        f"Versjon «{version}» finnes allerede i denne runden. Velg et nytt versjonsnummer.",
        "version",
    )


def _in_force_version(registry: RulesRegistry, round_id: str, current: RuleSet) -> str:
    origin = registry.current.origins.get(round_id)
    if origin is not None and origin.source == FROM_DATABASE and origin.activation is not None:
        return origin.activation.version
    return current.version


def _shown(d: Diagnostic, root: Path, round_id: str) -> Diagnostic:
    """A gate diagnostic with the temporary folder replaced by the draft's own file names."""
    file = d.location.file
    if file is None:
        return d
    path = Path(file)
    for folder, prefix in (
        (root / "rules" / round_id, ""),
        (root / "features" / round_id, FEATURES),
    ):
        try:
            shown = prefix + path.relative_to(folder).as_posix()
        except ValueError:
            continue
        return Diagnostic(
            d.code,
            d.message.replace(str(folder), prefix.rstrip("/") or "utkastet"),
            Location(shown, d.location.line, d.location.column, d.location.criterion),
            d.loc,
            d.severity,
        )
    return d


def _files_info(ruleset: RuleSet) -> VersionInfo:
    return VersionInfo(
        ruleset.id, ruleset.version, ruleset.digest, FROM_FILES, None, None, None, None, True
    )


def _info(v: StoredVersion, *, in_force: bool) -> VersionInfo:
    return VersionInfo(
        v.round,
        v.version,
        v.digest,
        FROM_DATABASE,
        v.note,
        v.based_on,
        v.created_at,
        v.created_by,
        in_force,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
