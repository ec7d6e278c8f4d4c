"""The rules in use, and reloads that can only replace good rules with good rules.

The server serves every ruleset under `UTVALG_RULES_DIR` (one folder per round
with a `ruleset.yaml`, or that folder itself). A reload reads the folders again
and swaps them in only when all of them validate and the gate passes: each
round's own scenarios (features/<round id>/) run against that round's new rules,
and each round's example applications (examples/<round id>/) are evaluated with
them, in a separate process (api/reload_gate.py), so rules that crash durable-rules
crash only that process. Otherwise the old rules stay, and the diagnostics are returned (and
logged).

Published versions (api/store/rule_versions.py) take precedence over the files: a round
with an activation in the database is served from that version, written to a folder of its
own and loaded as any other; the files stay the starting point of a round with none. Every
instance follows the newest activation: `refresh` (at most once a second) compares the
newest activation's number with the snapshot's and swaps in what another instance put in force.

A request takes the snapshot in use when it starts and keeps it to the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.rounds import PROJECT_ROOT, Layout, rule_folders
from api.rules_files import folder_key, materialise
from api.store.rule_versions import Activation, RuleVersionStore
from engine import Diagnostic, InvalidRules, RuleSet, load_ruleset
from engine.diagnostics import Location

log = logging.getLogger("utvalg.rules")


FROM_FILES = "filer"  # a round served from the rules folder (no version in the database)
FROM_DATABASE = "database"


@dataclass(frozen=True)
class Origin:
    """Where a round's rules in force come from, and where its scenarios are."""

    source: str  # FROM_FILES or FROM_DATABASE
    features: Path
    activation: Activation | None = None


@dataclass(frozen=True)
class Snapshot:
    """The rulesets in use at one moment, by id."""

    rulesets: Mapping[str, RuleSet]
    loaded_at: dt.datetime
    origins: Mapping[str, Origin] = field(default_factory=dict)
    activation: int = 0  # the newest activation's number when this snapshot was made

    def features_of(self, round_id: str) -> Path | None:
        """The scenarios folder of the round's version in force."""
        origin = self.origins.get(round_id)
        return origin.features if origin is not None else None

    def rounds(self) -> dict[str, list[str]]:
        """Round id → the county numbers it knows (for validating applications)."""
        return {rid: list(rs.counties) for rid, rs in self.rulesets.items()}

    def digests(self) -> dict[str, str]:
        """Round id → digest."""
        return {rid: rs.digest for rid, rs in self.rulesets.items()}


@dataclass
class ReloadReport:
    """What a reload did: whether it swapped rules, and the problems that stopped it."""

    ok: bool
    changed: bool
    problems: list[Diagnostic] = field(default_factory=list)
    previous: Snapshot | None = None
    current: Snapshot | None = None


def load_all(root: Path) -> dict[str, RuleSet]:
    """Load every ruleset under root; raise InvalidRules listing the problems of all."""
    folders = rule_folders(root)
    if not folders:
        msg = f"Fant ingen regelsett i {root} (ventet ruleset.yaml der eller i en undermappe)."
        raise InvalidRules([Diagnostic("NO_RULESETS", msg, Location(str(root)))])
    out: dict[str, RuleSet] = {}
    problems: list[Diagnostic] = []
    for folder in folders:
        try:
            rs = load_ruleset(folder)
        except InvalidRules as exc:
            problems += exc.diagnostics
            continue
        if rs.id in out:
            msg = f"Regelsettet «{rs.id}» finnes både i {out[rs.id].folder} og i {folder}."
            problems.append(
                Diagnostic("DUPLICATE_RULESET", msg, Location(str(folder / "ruleset.yaml")))
            )
            continue
        out[rs.id] = rs
    if problems:
        raise InvalidRules(problems)
    return out


def files_fingerprint(root: Path) -> str:
    """A digest of names, sizes and modification times of every file under root."""
    h = hashlib.sha256()
    if root.exists():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


Gate = Callable[[list[Path]], list[Diagnostic]]


class RulesRegistry:
    """Holds the snapshot in use and swaps it only for rules that pass the gate."""

    def __init__(
        self,
        root: Path,
        *,
        gate: Gate | None = None,
        on_load: Callable[[RuleSet], None] | None = None,
        layout: Layout | None = None,
        versions: RuleVersionStore | None = None,
        on_swap: Callable[[Snapshot], None] | None = None,
        refresh_seconds: float = 1.0,
    ) -> None:
        self.root = root
        self.refresh_seconds = refresh_seconds
        self._next_refresh = 0.0  # time.monotonic() before which `refresh` does not ask
        self.versions = versions
        self.on_swap = on_swap
        self._folders: Path | None = None  # where published versions are written, made on use
        self._published: dict[tuple[str, str], RuleSet] = {}
        self.layout = layout if layout is not None else Layout.beside(root)
        self.gate = gate if gate is not None else self._default_gate
        self.on_load = on_load
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self.last_report: ReloadReport | None = None

    def _default_gate(self, folders: list[Path]) -> list[Diagnostic]:
        return gate_in_subprocess(folders, self.layout)

    @property
    def current(self) -> Snapshot:
        """The snapshot in use."""
        if self._current is None:
            raise RuntimeError("rules not loaded")
        return self._current

    def loaded(self) -> bool:
        """Whether rules are loaded."""
        return self._current is not None

    def load(self) -> Snapshot:
        """Load the rules at start (validation only); raise InvalidRules when they fail."""
        with self._lock:
            rulesets = load_all(self.root)
            self._swap(*self._with_published(rulesets))
            return self.current

    def reload(self) -> ReloadReport:
        """Read the rules again; swap them in only if they validate and pass the gate."""
        with self._lock:
            previous = self._current
            try:
                files, origins, seen = self._with_published(load_all(self.root))
            except InvalidRules as exc:
                return self._refused(previous, exc.diagnostics)
            rulesets = dict(files)
            old = previous.digests() if previous else {}
            if {rid: rs.digest for rid, rs in rulesets.items()} == old:
                report = ReloadReport(True, False, [], previous, previous)
                self.last_report = report
                return report
            problems = [
                d
                # published versions passed the gate when they were published
                for d in self.gate(
                    [
                        Path(rs.folder)
                        for rid, rs in rulesets.items()
                        if origins[rid].source == FROM_FILES
                    ]
                )
                if d.severity == "error"
            ]
            if problems:
                return self._refused(previous, problems)
            self._swap(rulesets, origins, seen)
            report = ReloadReport(True, True, [], previous, self._current)
            self.last_report = report
            log.info("nye regler i bruk: %s", _describe(self.current))
            return report

    def _refused(self, previous: Snapshot | None, problems: list[Diagnostic]) -> ReloadReport:
        report = ReloadReport(False, False, problems, previous, previous)
        self.last_report = report
        log.warning(
            "regelendringen ble avvist (%d feil); reglene i bruk er uendret%s",
            len(problems),
            "".join("\n  " + d.render() for d in problems),
        )
        return report

    def refresh(self, *, force: bool = False) -> bool:
        """Swap in the versions in force when an activation newer than the snapshot's exists.

        Called by requests, so every instance on one database serves the version another
        instance put in force; it asks the database (one indexed query, on the caller's
        thread) at most once per `refresh_seconds`, and always with `force` (this instance's
        own publish or rollback). Rounds served from files keep the rules of the snapshot (a
        file change goes through the gate of `reload`).
        """
        if self.versions is None or self._current is None:
            return False
        now = time.monotonic()
        if not force and now < self._next_refresh:
            return False
        self._next_refresh = now + self.refresh_seconds
        try:
            newest = self.versions.newest_activation()
        except Exception:  # the database is away: keep serving the rules in force
            log.exception("kunne ikke lese hvilken regelversjon som er i bruk")
            return False
        if newest == self._current.activation:
            return False
        with self._lock:
            current = self._current
            if newest == current.activation:
                return False
            files = {
                rid: rs
                for rid, rs in current.rulesets.items()
                if current.origins.get(rid, Origin(FROM_FILES, Path())).source == FROM_FILES
            }
            self._swap(*self._with_published(files))
            log.info("regelversjon i bruk endret: %s", _describe(self.current))
            return True

    def _with_published(
        self, files: Mapping[str, RuleSet]
    ) -> tuple[dict[str, RuleSet], dict[str, Origin], int]:
        """The rulesets from files with every round that has a version in force replaced by it."""
        rulesets = dict(files)
        origins = {rid: Origin(FROM_FILES, self.layout.features_of(rid)) for rid in rulesets}
        if self.versions is None:
            return rulesets, origins, 0
        seen = self.versions.newest_activation()
        for rid, activation in self.versions.in_force().items():
            ruleset, features = self.published(rid, activation.version)
            rulesets[rid] = ruleset
            origins[rid] = Origin(FROM_DATABASE, features, activation)
        return rulesets, origins, seen

    def published(self, round_id: str, version: str) -> tuple[RuleSet, Path]:
        """A published version loaded from its own folder (written once per process)."""
        if self._folders is None:
            self._folders = Path(tempfile.mkdtemp(prefix="utvalg-versions-"))
        root = self._folders / folder_key(round_id, version)
        features = root / "features" / round_id
        cached = self._published.get((round_id, version))
        if cached is not None:
            return cached, features
        if self.versions is None:
            raise RuntimeError("no version store")
        stored = self.versions.version(round_id, version)
        if stored is None:
            raise RuntimeError(f"activation names a version that is not stored: {version}")
        rules, features = materialise(stored.files, root, round_id)
        ruleset = load_ruleset(rules)
        self._published[(round_id, version)] = ruleset
        return ruleset, features

    def _swap(
        self,
        rulesets: dict[str, RuleSet],
        origins: Mapping[str, Origin] | None = None,
        activation: int = 0,
    ) -> None:
        if self.on_load is not None:
            for rs in rulesets.values():
                self.on_load(rs)
        self._current = Snapshot(
            dict(rulesets), dt.datetime.now(dt.UTC), dict(origins or {}), activation
        )
        if self.on_swap is not None:
            try:
                self.on_swap(self._current)
            except Exception:  # e.g. the docs could not be rebuilt: the rules are still in force
                log.exception("etterarbeid etter regelbytte feilet")


def _describe(snapshot: Snapshot) -> str:
    return ", ".join(
        f"{rid} {rs.version} {rs.digest[:19]}" for rid, rs in snapshot.rulesets.items()
    )


class RulesWatcher:
    """Polls the rules folder and reloads (through the gate) when files change."""

    def __init__(self, registry: RulesRegistry, interval: float = 1.0) -> None:
        self.registry = registry
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="utvalg-watch", daemon=True)
        self.reloads = 0

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        seen = files_fingerprint(self.registry.root)
        while not self._stop.wait(self.interval):
            now = files_fingerprint(self.registry.root)
            if now == seen:
                continue
            # wait until the editor (or git checkout) has finished writing
            while not self._stop.wait(self.interval):
                later = files_fingerprint(self.registry.root)
                if later == now:
                    break
                now = later
            seen = now
            log.info("endring i %s oppdaget; kontrollerer reglene", self.registry.root)
            try:
                self.registry.reload()
            except Exception:  # a broken watcher must not stop the server
                log.exception("omlasting av reglene feilet")
            self.reloads += 1


# --- the gate, run in a separate process ----------------------------------------------

GATE_MODULE = "api.reload_gate"  # run as `python -m`; not imported here (it imports pytest)
GATE_TIMEOUT = 600.0


def gate_in_subprocess(folders: list[Path], layout: Layout) -> list[Diagnostic]:
    """Run the reload gate (api/reload_gate.py) in a fresh process; a crash there refuses."""
    request = {
        "folders": [str(f) for f in folders],
        "features": str(layout.features),
        "examples": str(layout.examples),
    }
    with tempfile.TemporaryDirectory(prefix="utvalg-kontroll-") as tmp:
        result = Path(tmp) / "funn.json"
        try:
            proc = subprocess.run(
                [sys.executable, "-m", GATE_MODULE, json.dumps(request), str(result)],
                cwd=PROJECT_ROOT,
                # as the scenario runner's subprocess: no pytest plugin but pytest-bdd's
                env={
                    **os.environ,
                    "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                },
                capture_output=True,
                text=True,
                timeout=GATE_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            msg = "Kontrollen av de nye reglene tok mer enn 10 minutter og ble avbrutt."
            return [Diagnostic("RULES_TIMEOUT", msg)]
        if proc.returncode != 0 or not result.is_file():
            log.error(
                "kontrollen av reglene stoppet (kode %s):\n%s",
                proc.returncode,
                "\n".join((proc.stdout + proc.stderr).splitlines()[-40:]),
            )
            msg = (
                "Kontrollen av de nye reglene stoppet før den var ferdig: "
                f"{_how_it_stopped(proc.returncode, proc.stderr)} Reglene i bruk er uendret."
            )
            return [Diagnostic("RULES_CRASHED", msg)]
        found: list[dict[str, Any]] = json.loads(result.read_text(encoding="utf-8"))
    return [_diagnostic(d) for d in found]


# the signals of a process that crashed by itself (durable-rules' C core: SIGSEGV, SIGABRT)
_CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE}
_MAX_LAST_LINE = 300


def _how_it_stopped(returncode: int, stderr: str) -> str:
    """Why the gate's process gave no result, in Norwegian: its signal or exit code."""
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
        except ValueError:
            return f"prosessen ble stoppet av signal {-returncode}."
        if sig in _CRASH_SIGNALS:
            return f"prosessen krasjet med signal {sig.value} ({sig.name}), typisk i regelmotoren."
        return f"prosessen ble stoppet av signal {sig.value} ({sig.name})."
    if returncode == 0:
        return "prosessen avsluttet uten å skrive resultatet."
    # an uncaught Python error ends with its type and message on stderr's last line
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    said = f" Siste melding: «{lines[-1][:_MAX_LAST_LINE]}»." if lines else ""
    return f"prosessen avsluttet med kode {returncode}.{said}"


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        d["code"], d["message"], Location(*d["location"]), tuple(d["loc"]), d["severity"]
    )
