"""engine.loader: the shipped ruleset, and one broken fixture per diagnostic code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine import InvalidRules, check_rules, load_ruleset

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "pulje-5"
FIXTURES = ROOT / "tests" / "fixtures" / "invalid_rules"
HEADER = re.compile(r"# fixture: (\w+) — (replaces|adds) (\S+); expect line (\d+)")


def copy_rules(tmp_path: Path) -> Path:
    """A private copy of the shipped rules that a test may break."""
    target = tmp_path / "pulje-5"
    shutil.copytree(RULES, target)
    return target


def apply_fixture(fixture: Path, rules: Path) -> tuple[str, Path, int]:
    """Put a broken file into a rules copy; return (expected code, file, line)."""
    text = fixture.read_text(encoding="utf-8")
    match = HEADER.match(text.splitlines()[0])
    assert match, f"{fixture.name} lacks its header line"
    code, _, relative, line = match.groups()
    target = rules / relative
    # The header comment is dropped so the file's lines are the original ones.
    target.write_text(text.split("\n", 1)[1], encoding="utf-8")
    return code, target, int(line)


def test_shipped_rules_load() -> None:
    ruleset = load_ruleset(RULES)
    assert [c.id for c in ruleset.criteria] == ["FRIST", "K1", "K2", "K3", "K4", "K5", "K6"]
    assert ruleset.counties["18"].capacity == 1
    assert ruleset.counties["18"].deadline.isoformat() == "2020-02-14"
    assert ruleset.digest.startswith("sha256:") and len(ruleset.digest) == 71
    assert check_rules(RULES) == []


def test_digest_follows_content(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    before = load_ruleset(rules).digest
    k1 = rules / "criteria" / "k1-hoye-mobbetall.yaml"
    k1.write_text(k1.read_text(encoding="utf-8").replace("margin: 3.0", "margin: 4.0"))
    assert load_ruleset(rules).digest != before


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_rules_are_refused_with_code_file_and_line(fixture: Path, tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    code, target, line = apply_fixture(fixture, rules)
    with pytest.raises(InvalidRules) as caught:
        load_ruleset(rules)
    found = [(d.code, d.location.file, d.location.line) for d in caught.value.diagnostics]
    assert (code, str(target), line) in found, found


def test_every_code_has_a_fixture() -> None:
    names = {p.stem for p in FIXTURES.glob("*.yaml")}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "engine").glob("*.py"))
    rule_codes = {
        "YAML_SYNTAX", "DUPLICATE_KEY", "UNKNOWN_KEY", "MISSING_KEY", "BAD_TYPE", "BAD_OPERATOR",
        "BAD_CONDITION", "UNKNOWN_FACT", "FACT_NOT_FOR_SUBJECT", "UNKNOWN_PARAMETER",
        "MISSING_PARAMETER", "UNKNOWN_PLACEHOLDER", "UNKNOWN_CRITERION", "DUPLICATE_CRITERION",
        "MISSING_NATIONAL_AVERAGE", "BAD_FORMAT", "OUT_OF_RANGE", "BAD_DATE",
    }  # fmt: skip
    assert rule_codes <= names
    for code in rule_codes:
        assert f'"{code}"' in source, code


def test_missing_ruleset_file(tmp_path: Path) -> None:
    (tmp_path / "criteria").mkdir()
    codes = [d.code for d in check_rules(tmp_path)]
    assert codes == ["MISSING_FILE"]


def test_no_criteria(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    for f in (rules / "criteria").glob("*.yaml"):
        f.unlink()
    assert "NO_CRITERIA" in [d.code for d in check_rules(rules)]


def test_unknown_key_lists_allowed_keys(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    apply_fixture(FIXTURES / "UNKNOWN_KEY.yaml", rules)
    (diag,) = [d for d in check_rules(rules) if d.code == "UNKNOWN_KEY"]
    assert "wieght" in diag.message and "weight" in diag.message
    assert diag.location.criterion == "K1"
    assert diag.render().startswith(f"{rules}/criteria/k1-hoye-mobbetall.yaml:14:1: UNKNOWN_KEY")


def test_unsafe_yaml_tag_is_refused(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    frist = rules / "criteria" / "frist.yaml"
    frist.write_text(
        frist.read_text(encoding="utf-8").replace(
            "weight: 0", "weight: !!python/object/apply:os.system [echo]"
        )
    )
    assert "BAD_VALUE" in [d.code for d in check_rules(rules)]


def test_labels_a_radgiver_may_change_are_read_from_the_ruleset() -> None:
    labels = load_ruleset(RULES).labels
    assert labels.kind == {
        "application": "søknaden",
        "municipality": "kommunen",
        "school": "skole",
        "kindergarten": "barnehage",
    }
    assert labels.role == {
        "requirement": "krav",
        "need": "behov",
        "advantage": "fordel",
        "inclusion": "avgjør om enheten er med",
    }


def test_the_office_is_named_by_the_ruleset_not_by_the_code(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    top = rules / "ruleset.yaml"
    text = top.read_text(encoding="utf-8")
    top.write_text(text.replace("office: Fylkesmannen\n", ""), encoding="utf-8")
    (diag,) = check_rules(rules)
    assert (diag.code, diag.loc) == ("MISSING_KEY", ("office",))


def test_a_label_table_must_name_every_value(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    top = rules / "ruleset.yaml"
    text = top.read_text(encoding="utf-8")
    top.write_text(text.replace("    inclusion: avgjør om enheten er med\n", ""), encoding="utf-8")
    (diag,) = check_rules(rules)
    assert (diag.code, diag.loc) == ("MISSING_KEY", ("labels", "role", "inclusion"))
    assert diag.message == "Nøkkelen «role.inclusion» mangler."
    line = text.splitlines().index("  role:") + 1
    assert (diag.location.file, diag.location.line) == (str(top), line)


def test_parameters_are_checked_against_the_types_their_facts_declare(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    k2 = rules / "criteria" / "k2-klagesaker.yaml"
    k2.write_text(
        k2.read_text(encoding="utf-8").replace("min_months_open: 6", "min_months_open: 6.5")
    )
    frist = rules / "criteria" / "frist.yaml"
    frist.write_text(
        frist.read_text(encoding="utf-8").replace(
            "max_days_late: 0", "max_days_late: 0\n  note: ja"
        )
    )
    found = {(d.code, d.loc, d.message) for d in check_rules(rules)}
    assert found == {
        (
            "BAD_TYPE",
            ("parameters", "min_months_open"),
            "Parameteren «min_months_open» må være et heltall.",  # qualifying_cases reads an int
        ),
        (
            "BAD_TYPE",
            ("parameters", "note"),
            "Parameteren «note» må være et tall, men er tekst «ja».",  # read by no fact: a number
        ),
    }


@pytest.mark.parametrize(
    ("file", "old", "new", "key", "fix"),
    [
        ("criteria/k1-hoye-mobbetall.yaml", "margin: 3.0", "margin: 2,5", "margin", "skriv 2.5"),
        ("ruleset.yaml", "2019: 6.0", "2019: 6,0", "2019", "skriv 6.0"),
    ],
)
def test_a_decimal_comma_names_the_value_and_the_fix(
    tmp_path: Path, file: str, old: str, new: str, key: str, fix: str
) -> None:
    rules = copy_rules(tmp_path)
    target = rules / file
    target.write_text(target.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (diag,) = check_rules(rules)
    assert diag.code == "BAD_TYPE" and key in diag.message
    assert f"«{new.split(': ')[1]}»" in diag.message
    assert fix in diag.message.lower()
    lines = [x.strip() for x in target.read_text(encoding="utf-8").splitlines()]
    assert diag.location.line == lines.index(new) + 1


def test_a_key_without_indentation_is_pointed_at_on_its_own_line(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    target = rules / "criteria" / "k1-hoye-mobbetall.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    at = lines.index("  margin: 3.0")
    lines[at] = "margin: 3.0"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (diag,) = check_rules(rules)
    assert diag.code == "YAML_SYNTAX"
    assert diag.location.line == at + 1  # the dedented line, not the one after it
    assert "innrykk" in diag.message
