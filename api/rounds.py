"""Where each round lives: rules/<round>/, features/<round>/ and examples/<round>/.

A round is a folder with a `ruleset.yaml` under the rules root; its own scenarios are in
`features/<ruleset id>/` and its example applications in `examples/<ruleset id>/`. The
features and examples roots sit beside the rules root (a copy of the project is
self-contained), else the project's own folders are used (a copy of the rules alone is
checked against the project's scenarios). No round is named in the code: rounds are found
by listing the rules root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The project: the folder that holds the `api` package, and rules/, features/, examples/.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
RULESET_FILE = "ruleset.yaml"


def is_ruleset(folder: Path) -> bool:
    """Whether `folder` is one round's rules (it holds a ruleset.yaml)."""
    return (folder / RULESET_FILE).is_file()


def rule_folders(path: Path) -> list[Path]:
    """The ruleset folders under `path` (`path` itself when it holds a ruleset.yaml)."""
    if is_ruleset(path):
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if is_ruleset(p))


@dataclass(frozen=True)
class Layout:
    """The rules (a rules root or one round's folder) and the roots of scenarios and examples."""

    rules: Path
    features: Path
    examples: Path

    @classmethod
    def beside(
        cls, rules: Path, features: Path | None = None, examples: Path | None = None
    ) -> Layout:
        """`rules` with features/ and examples/ beside its root, unless given."""
        parent = (rules.parent if is_ruleset(rules) else rules).parent

        def sibling(name: str) -> Path:
            near = parent / name
            return near if near.is_dir() else PROJECT_ROOT / name

        return cls(rules, features or sibling("features"), examples or sibling("examples"))

    @property
    def root(self) -> Path:
        """The rules root: the folder that holds one folder per round."""
        return self.rules.parent if is_ruleset(self.rules) else self.rules

    def rule_folders(self) -> list[Path]:
        """The ruleset folders in use (every round under the root, or the one named)."""
        return rule_folders(self.rules)

    def features_of(self, round_id: str) -> Path:
        """The folder of a round's own scenarios."""
        return self.features / round_id

    def examples_of(self, round_id: str) -> Path:
        """The folder of a round's example applications."""
        return self.examples / round_id
