"""A round's rules as files: relative path → text, read from folders, written back, compared.

One naming for every place that holds a round's files (a published version, a draft, a
simulation's `files`): `ruleset.yaml` and `criteria/<name>.yaml` are the rules folder's files,
`features/<name>.feature` the round's own scenarios, so the scenarios travel with the rules.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from api.rounds import RULESET_FILE

FEATURES = "features/"
FEATURE_NAME = re.compile(r"^features/[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.feature$")


def read_round(rules_folder: Path, features_folder: Path) -> dict[str, str]:
    """The files of one round: its rules folder and its scenarios folder."""
    out = {RULESET_FILE: _read(rules_folder / RULESET_FILE)}
    for path in sorted((rules_folder / "criteria").glob("*.yaml")):
        out[f"criteria/{path.name}"] = _read(path)
    if features_folder.is_dir():
        for path in sorted(features_folder.glob("*.feature")):
            out[f"{FEATURES}{path.name}"] = _read(path)
    return out


def _read(path: Path) -> str:
    # bytes as they are (no newline translation): the digest of a written-back folder is the same
    return path.read_bytes().decode("utf-8")


def rule_files(files: Mapping[str, str]) -> dict[str, str]:
    """Only the rules folder's files (ruleset.yaml, criteria/…)."""
    return {k: v for k, v in files.items() if not k.startswith(FEATURES)}


def feature_files(files: Mapping[str, str]) -> dict[str, str]:
    """Only the scenarios (features/…)."""
    return {k: v for k, v in files.items() if k.startswith(FEATURES)}


def write_round(files: Mapping[str, str], rules_folder: Path, features_folder: Path) -> None:
    """Write a round's files: rules into `rules_folder`, scenarios into `features_folder`."""
    for name, text in files.items():
        if name.startswith(FEATURES):
            target = features_folder / name[len(FEATURES) :]
        else:
            target = rules_folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    features_folder.mkdir(parents=True, exist_ok=True)


def materialise(files: Mapping[str, str], root: Path, round_id: str) -> tuple[Path, Path]:
    """Write a round's files under `root` as `rules/<round>/` and `features/<round>/`."""
    rules, features = root / "rules" / round_id, root / "features" / round_id
    write_round(files, rules, features)
    return rules, features


def folder_key(round_id: str, version: str) -> str:
    """A folder name for one version of a round (the version may hold any character)."""
    return hashlib.sha256(f"{round_id}\0{version}".encode()).hexdigest()[:20]


def unified_diff(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """The unified diff of two sets of files (every file that differs, in name order)."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        out.extend(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=f"a/{name}" if before is not None else "/dev/null",
                tofile=f"b/{name}" if after is not None else "/dev/null",
            )
        )
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return "".join(out)
