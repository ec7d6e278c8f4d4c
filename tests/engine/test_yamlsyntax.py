"""engine.yamlsyntax: each YAML mistake made by hand, in Norwegian, at the line that is wrong.

Every case runs against PyYAML's pure Python reader and, when installed, libyaml's (the C
loader), whose English differs: the Norwegian must not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine import InvalidApplication, InvalidRules, load_application_text, load_ruleset
from engine.diagnostics import Diagnostic
from engine.yamlpos import YamlProblem, load_positioned
from engine.yamlsyntax import decimal_commas, explain

ROOT = Path(__file__).resolve().parents[2]
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])

# (mistake, text, expected line, words the message must hold)
MISTAKES = [
    ("tab", "a:\n\tb: 1\n", 2, ["tabulator", "mellomrom"]),
    ("tab further down", "a:\n  b: 1\n\tc: 2\n", 3, ["tabulator"]),
    ("key with too little indentation", "a:\n  b: 1\nc: 2\n  d: 3\n", 3, ["mindre innrykk"]),
    ("key with too much indentation", "a: 1\n  b: 2\n", 2, ["mer innrykk", "«a»"]),
    ("indentation between two levels", "a:\n    b: 1\n  c: 2\n", 3, ["innrykk", "0 eller 4"]),
    (
        "missing colon",
        "id: x\nround pulje-5\ncounty: '50'\n",
        2,
        ["mangler kolon", "«round: pulje-5»"],
    ),
    (
        "missing space after colon",
        "id: x\nround:pulje-5\n",
        2,
        ["mellomrom etter kolon", "«round: pulje-5»"],
    ),
    (
        "colon inside a text",
        "a: 1\nsummary: Merk: dette\n",
        2,
        ["anførselstegn", 'summary: "Merk: dette"'],
    ),
    ("unclosed double quote", 'a: "Nordby skole\nb: 2\n', 1, ['"', "aldri lukket"]),
    ("unclosed single quote", "a: 'Nordby skole\nb: 2\n", 1, ["'", "aldri lukket"]),
    ("unclosed bracket", "a: [2017, 2018\nb: 2\n", 1, ["«[»", "«]»"]),
    ("unclosed bracket at the end", "a: [2017, 2018\n", 1, ["«[»", "«]»"]),
    ("unclosed brace", "a: {x: 1\nb: 2\n", 1, ["«{»", "«}»"]),
    ("missing comma in braces", '{"a": 1 "b": 2}\n', 1, ["mangler et komma", 'foran «"b": 2»']),
    ("text starting with @", "a: @foo\n", 1, ["«@»", 'a: "@foo"']),
    ("text starting with *", "a: *viktig* tekst\n", 1, ["«*»", "anførselstegn"]),
    ("text after a quoted value", 'a: "x" y\n', 1, ["mer tekst", "anførselstegn"]),
    (
        "key at the dash's indentation",
        "schools:\n  - name: a\n  org_number: x\n",
        3,
        ["listepunktet", "linje 2"],
    ),
    ("list item among keys", "a:\n  b: 1\n  - c\n", 3, ["listepunkt", "nøkkel"]),
    ("control character", "a: b\x07\n", 1, ["kontrolltegn", "U+0007"]),
]


def _explained(text: str, loader: type) -> Diagnostic:
    try:
        yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        return explain(exc, text, "f.yaml")
    raise AssertionError("the text was read without an error")


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize(
    ("text", "line", "words"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_each_mistake_is_named_in_norwegian_at_its_line(
    text: str, line: int, words: list[str], loader: type
) -> None:
    diag = _explained(text, loader)
    assert (diag.code, diag.location.file, diag.location.line) == ("YAML_SYNTAX", "f.yaml", line)
    assert f"Linje {line}" in diag.message or f"linje {line}" in diag.message
    for word in words:
        assert word in diag.message
    for english in ("expected", "found", "while", "mapping", "scalar", "token"):
        assert english not in diag.message


def test_both_loaders_say_the_same() -> None:
    if len(LOADERS) < 2:
        pytest.skip("libyaml is not installed")
    for _, text, _, _ in MISTAKES:
        assert _explained(text, LOADERS[0]) == _explained(text, LOADERS[1])


def test_an_error_no_rule_knows_still_gets_norwegian() -> None:
    exc = yaml.MarkedYAMLError(problem="something odd", problem_mark=yaml.Mark("x", 0, 2, 0, "", 0))
    diag = explain(exc, "a: 1\nb: 2\nc: 3\n")
    assert diag.location.line == 3 and diag.message.startswith("Ugyldig YAML på linje 3.")


def test_a_decimal_comma_in_braces_is_refused_with_skriv_punktum() -> None:
    text = "survey:\n  national_average: {2017: 6,6, 2018: 6.1}\n"
    with pytest.raises(YamlProblem) as caught:
        load_positioned(text, "ruleset.yaml")
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.location.line, diag.location.column) == ("YAML_SYNTAX", 2, 28)
    assert "Skriv 6.6, ikke 6,6" in diag.message


def test_commas_between_numbers_and_in_quotes_are_not_decimal_commas() -> None:
    assert decimal_commas("years: [2017,2018, 2019]\nx: {a: '6,6,'}\nmargin: 2,5\n") == []


def test_load_positioned_carries_the_explanation() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_positioned("a:\n\tb: 1\n", "s.yaml")
    (diag,) = caught.value.diagnostics
    assert (diag.location.file, diag.location.line) == ("s.yaml", 2)
    assert "tabulator" in diag.message


# --- where people meet it: a rules file edited by hand, a pasted application -----------


def _rules_with(tmp_path: Path, old: str, new: str) -> Path:
    rules = tmp_path / "pulje-5"
    shutil.copytree(ROOT / "rules" / "pulje-5", rules)
    k1 = rules / "criteria" / "k1-hoye-mobbetall.yaml"
    text = k1.read_text(encoding="utf-8")
    assert old in text
    k1.write_text(text.replace(old, new, 1), encoding="utf-8")
    return rules


@pytest.mark.parametrize(
    ("old", "new", "line", "word"),
    [
        ("  margin: 3.0", "\tmargin: 3.0", 17, "tabulator"),
        ("  margin: 3.0", "  margin 3.0", 17, "«margin: 3.0»"),
        ("  margin: 3.0", "  margin: 2,5", 17, "Skriv 2.5"),
        ("title: Høye mobbetall over tid", "title: Høye mobbetall: over tid", 5, "anførselstegn"),
        ("  years: [2017, 2018, 2019]", "  years: [2017, 2018, 2019", 16, "«]»"),
        ("  margin: 3.0", "  margin: 3.0\n  margin: 2.5", 18, "to ganger"),
    ],
    ids=[
        "tab",
        "missing colon",
        "decimal comma",
        "colon in text",
        "unclosed bracket",
        "duplicate key",
    ],
)
def test_a_rules_file_edited_by_hand(
    tmp_path: Path, old: str, new: str, line: int, word: str
) -> None:
    with pytest.raises(InvalidRules) as caught:
        load_ruleset(_rules_with(tmp_path, old, new))
    (diag,) = caught.value.diagnostics
    assert diag.location.file is not None and diag.location.file.endswith("k1-hoye-mobbetall.yaml")
    assert diag.location.line == line
    assert word in diag.message


PASTED = """\
round: pulje-5
county: "50"
municipality:
  number: "5001"
  name: Trondheim
schools: []
kindergartens: []
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "word"),
    [
        ("  name: Trondheim", "\tname: Trondheim", 5, "tabulator"),
        ('county: "50"', 'county "50"', 2, "mangler kolon"),
        ("  name: Trondheim", " name: Trondheim", 5, "innrykk"),
        ("  name: Trondheim", '  name: "Trondheim', 5, "aldri lukket"),
        ('county: "50"', 'county: "50"\ncounty: "18"', 3, "to ganger"),
    ],
    ids=["tab", "missing colon", "indentation", "unclosed quote", "duplicate key"],
)
def test_a_pasted_application(old: str, new: str, line: int, word: str) -> None:
    with pytest.raises(InvalidApplication) as caught:
        load_application_text(PASTED.replace(old, new), file="soknad.yaml")
    (diag,) = caught.value.diagnostics
    assert (diag.location.file, diag.location.line) == ("soknad.yaml", line)
    assert word in diag.message
