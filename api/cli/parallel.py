"""Load and evaluate many application files for `utvalg rank`, on every core.

durable-rules never releases the GIL (durable-rules-notes.md), so using more than one core
takes processes. From `PARALLEL_FROM` files on, the files are cut into chunks and each chunk
is loaded, looked up (imported survey figures, the office's records) and evaluated in a
forked worker; fewer files are done the same way in this process, where starting workers
would cost more than it saves. A worker sends back only what ranking reads of each file:
pickling whole applications and decisions cost as much as making them.

A crash of the rule engine in a worker ends the command with a Norwegian message (exit 1)
instead of killing it without one.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import gc
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from api.cli.evaluate import NOTHING_EVALUATED, survey_lookup
from api.cli.shared import print_diagnostics
from api.settings import Settings
from engine import (
    Application,
    Diagnostic,
    DiagnosticError,
    RuleSet,
    evaluate,
    load_application_file,
    rankable,
)
from engine.ranking import Rankable

# Below this many files one process is faster: a forked worker's start and its own compiled
# rules cost about as much as evaluating a few dozen applications.
PARALLEL_FROM = 40
_CHUNK = 16  # files per job: small enough to keep every worker busy to the end


@dataclass(frozen=True)
class Municipality:
    """The municipality of a ranked file, as the ranking names it."""

    number: str
    name: str


@dataclass(frozen=True)
class RankedFile:
    """What `utvalg rank` reads of one evaluated file (an engine.ranking.RankedApplication)."""

    id: str | None
    round: str
    received: dt.date | None
    municipality: Municipality
    rankable: Rankable


# per file: what was read, its diagnostics, or None when another file of its chunk was
# invalid (nothing in that chunk is evaluated, as nothing at all will be ranked)
_FileResult = RankedFile | list[Diagnostic] | None
_rulesets: dict[str, RuleSet] = {}  # the parent's rules, inherited by forked workers


def rank_inputs(files: Sequence[str], rulesets: dict[str, RuleSet]) -> list[RankedFile]:
    """Each file loaded and evaluated, in the order given.

    When any file is invalid, every file's diagnostics go to stderr (in file order) and the
    command exits with 2, as when nothing was evaluated.
    """
    chunks = [list(files[i : i + _CHUNK]) for i in range(0, len(files), _CHUNK)]
    workers = min(Settings().worker_count(), len(chunks))
    if len(files) < PARALLEL_FROM or workers < 2:
        results = [r for chunk in chunks for r in _evaluate_chunk(chunk, rulesets)]
    else:
        results = _in_workers(chunks, rulesets, workers)
    failed = False
    for result in results:
        if isinstance(result, list):
            failed = True
            print_diagnostics(result)
    if failed:
        print(NOTHING_EVALUATED, file=sys.stderr)
        raise SystemExit(2)
    return [r for r in results if isinstance(r, RankedFile)]


def _in_workers(
    chunks: list[list[str]], rulesets: dict[str, RuleSet], workers: int
) -> list[_FileResult]:
    # fork: the workers start with the rules already loaded (nothing else runs in this
    # process yet, so there is no thread that a fork could catch holding a lock)
    context = multiprocessing.get_context("fork")
    # what is loaded now (modules, rules) lives as long as the workers: out of the collector's
    # passes in each of them, and its memory pages are not written to after the fork
    gc.freeze()
    try:
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_keep_rules, initargs=(rulesets,)
        ) as pool:
            done = list(pool.map(_evaluate_in_worker, chunks))
    except BrokenProcessPool:
        print(
            "Regelmotoren stoppet under vurderingen (en arbeidsprosess krasjet), og ingen "
            "søknader ble rangert. Prøv igjen; skjer det igjen, send filene til driften.",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    return [r for chunk in done for r in chunk]


def _keep_rules(rulesets: dict[str, RuleSet]) -> None:
    _rulesets.update(rulesets)


def _evaluate_in_worker(files: list[str]) -> list[_FileResult]:
    return _evaluate_chunk(files, _rulesets)


def _evaluate_chunk(files: list[str], rulesets: dict[str, RuleSet]) -> list[_FileResult]:
    """Load each file; evaluate them all when every one is valid (else only diagnostics)."""
    rounds = {rid: list(rs.counties) for rid, rs in rulesets.items()}
    apps: list[Application] = []
    problems: list[_FileResult] = []
    for name in files:
        try:
            apps.append(load_application_file(name, rounds=rounds))
            problems.append(None)
        except DiagnosticError as exc:
            problems.append(list(exc.diagnostics))
    if len(apps) < len(files):
        return problems
    figures, records = survey_lookup(apps)
    out: list[_FileResult] = []
    for app in apps:
        ruleset = rulesets[app.round]
        decision = evaluate(app, ruleset, survey_lookup=figures, records_lookup=records)
        municipality = Municipality(app.municipality.number, app.municipality.name)
        ranked = rankable(app, decision)
        out.append(RankedFile(app.id, app.round, app.received, municipality, ranked))
    return out
