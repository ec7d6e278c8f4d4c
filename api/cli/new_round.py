"""`utvalg new-round NEW --from OLD`: a new round as a copy of one that passes `utvalg check`.

The rules (rules/OLD), the round's own scenarios (features/OLD) and example applications
(examples/OLD) are copied to NEW. The copies are edited as text, so every comment stays:
`id` and `version` (and `title` when given) in ruleset.yaml, `round:` in each example, and
the round's id where a feature file names it. The copy passes `utvalg check` as it is; the
rådgiver then changes what differs in the new round (rules/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path

from api.cli.shared import print_diagnostics, shown_path
from api.rounds import Layout, is_ruleset, rule_folders
from api.settings import Settings
from engine import InvalidRules, check_rules, load_ruleset
from engine.yamledit import set_key


def cmd_new_round(args: argparse.Namespace) -> int:
    """`utvalg new-round`: copy a round; 2 when NEW exists, OLD is unknown or the copy is bad."""
    layout = Settings().layout()
    new: str = args.new
    old_folder = layout.root / args.old
    if Path(new).name != new or new in (".", ".."):
        return _refuse(f"«{new}» kan ikke være navnet på en runde: skriv det uten «/».")
    if args.old in (".", "..") or not is_ruleset(old_folder):
        known = ", ".join(p.name for p in rule_folders(layout.root)) or "ingen"
        return _refuse(
            f"Fant ikke runden «{args.old}» i {shown_path(layout.root)}. Rundene som finnes: "
            f"{known}."
        )
    try:
        old = load_ruleset(old_folder)
    except InvalidRules as exc:
        print_diagnostics(exc.diagnostics)
        return _refuse(f"Reglene for {args.old} er ugyldige; rett dem før du lager en ny runde.")
    targets = [layout.root / new, layout.features_of(new), layout.examples_of(new)]
    taken = [p for p in targets if p.exists()]
    if taken:
        return _refuse(f"Runden «{new}» finnes fra før: {', '.join(map(shown_path, taken))}.")
    version = args.version or f"{dt.date.today().year}.0"
    copied = _copy(layout, old.id, old_folder, new)
    ruleset_file = layout.root / new / "ruleset.yaml"
    text = ruleset_file.read_text(encoding="utf-8")
    text = set_key(text, "id", new)
    text = set_key(text, "version", json.dumps(version, ensure_ascii=False))
    if args.title:
        text = set_key(text, "title", json.dumps(args.title, ensure_ascii=False))
    ruleset_file.write_text(text, encoding="utf-8")
    for path in sorted(layout.examples_of(new).glob("*.yaml")):
        path.write_text(set_round(path.read_text(encoding="utf-8"), old.id, new), "utf-8")
    for path in sorted(layout.features_of(new).glob("*.feature")):
        path.write_text(rename_round(path.read_text(encoding="utf-8"), old.id, new), "utf-8")
    problems = [d for d in check_rules(layout.root / new) if d.severity == "error"]
    if problems:
        print_diagnostics(problems)
        for path in copied:
            shutil.rmtree(path)
        return _refuse(f"Den nye runden ble ugyldig, og ingenting er laget: rett «{new}».")
    _report(layout, old.id, new, version, args.title, old.title)
    return 0


def _copy(layout: Layout, old_id: str, old_folder: Path, new: str) -> list[Path]:
    """Copy the rules, and the scenarios and examples when the old round has them."""
    pairs = [
        (old_folder, layout.root / new),
        (layout.features_of(old_id), layout.features_of(new)),
        (layout.examples_of(old_id), layout.examples_of(new)),
    ]
    copied = []
    for source, target in pairs:
        if source.is_dir():
            shutil.copytree(source, target)
            copied.append(target)
    return copied


def set_round(text: str, old: str, new: str) -> str:
    """An example application's text with `round: OLD` changed to `round: NEW`."""
    pattern = re.compile(rf"^(round:[ \t]*)([\"']?){re.escape(old)}\2(?=[ \t]*(#|$))", re.M)
    return pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{new}{m.group(2)}", text)


def rename_round(text: str, old: str, new: str) -> str:
    """A feature file's text with the old round's id, where it stands as a word, changed."""
    return re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)


def _report(
    layout: Layout, old: str, new: str, version: str, title: str | None, old_title: str
) -> None:
    features = sorted(layout.features_of(new).glob("*.feature"))
    examples = sorted(layout.examples_of(new).glob("*.yaml"))
    rules = shown_path(layout.root / new)
    print(f"Ny runde {new} (versjon {version}) er laget som en kopi av {old}:")
    print(f"  regler:     {rules}")
    print(
        f"  scenarioer: {shown_path(layout.features_of(new))} ({_count(features, 'fil', 'filer')})"
    )
    print(
        f"  eksempler:  {shown_path(layout.examples_of(new))} "
        f"({_count(examples, 'søknad', 'søknader')})"
    )
    if title is None:
        print(f"Tittelen er den samme som før («{old_title}»); endre «title» i ruleset.yaml.")
    print(
        f"Endre det som er nytt i runden (frister, fylker, landssnitt, kriterier) i {rules}, "
        f"rett scenarioene og eksemplene så de beskriver det, og kjør «utvalg check {rules}»."
    )


def _count(items: list[Path], one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2
