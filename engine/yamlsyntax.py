"""YAML syntax errors in Norwegian: the line that is wrong and what was likely meant.

PyYAML's own messages («expected <block end>, but found '<block mapping start>'») never
reach a person. `explain` reads the error's marks and the source text and names the
mistake a person makes by hand: a tab, an indentation that does not match, a missing
colon or space after it, a colon inside a text, an unclosed quote or bracket, a text
starting with a sign YAML reserves. It reads the text, not PyYAML's English, so the pure
Python and the libyaml (C) loader get the same answer.

A decimal comma in a flow mapping (`{2017: 6,6}`) is valid YAML that means something else
(`{2017: 6, 6: null}`); `decimal_commas` finds those. In a block (`margin: 2,5`) the
value is text and the schema's type check says «skriv 2.5» (engine.messages).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from engine.diagnostics import Diagnostic, Location

CODE = "YAML_SYNTAX"

# `at(line, column, message)`: a diagnostic at a 0-based line and column
_At = Callable[[int, int, str], Diagnostic]

_FLOW_DECIMAL = re.compile(r":[ \t]+([+-]?\d+),(\d+)[ \t]*[,}\]]")
_RESERVED_START = {
    "@": "«@»",
    "`": "«`»",
    "%": "«%»",
    "*": "«*» (leses som en henvisning til en annen verdi)",
    "&": "«&» (leses som et merke for en verdi)",
    "!": "«!» (leses som en YAML-type)",
    "|": "«|»",
    ">": "«>»",
}


def explain(exc: yaml.YAMLError, text: str, file: str | None = None) -> Diagnostic:
    """The Norwegian diagnostic for a YAML error raised while reading `text`.

    Given PyYAML's or libyaml's error and the text it read, returns one YAML_SYNTAX
    diagnostic at the line that is wrong (1-based line and column), saying what is
    likely meant. Never PyYAML's English.
    """
    lines = text.splitlines()
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(exc, text, file)
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    if problem is None:
        return Diagnostic(CODE, _fallback(None), Location(file))
    p_line, p_col = problem.line, problem.column
    c_line = context.line if context is not None else None
    c_col = context.column if context is not None else None
    what = (
        (getattr(exc, "context", None) or "") + " " + (getattr(exc, "problem", None) or "")
    ).lower()

    def at(line: int, column: int, message: str) -> Diagnostic:
        return Diagnostic(CODE, message, Location(file, line + 1, column + 1))

    tab = _tab_line(lines, p_line)
    if tab is not None:
        return at(tab, lines[tab].index("\t"), _tab_message(tab + 1))
    if "quoted scalar" in what and c_line is not None and c_col is not None:
        quote = _char(lines, c_line, c_col) or '"'
        return at(c_line, c_col, _unclosed_quote(c_line + 1, quote))
    if "flow sequence" in what or "flow mapping" in what:
        if c_line is not None and c_col is not None:
            opener = _char(lines, c_line, c_col) or ("[" if "sequence" in what else "{")
            if p_line == c_line and _char(lines, p_line, p_col) is not None:
                # stopped inside the brackets on their own line: a comma is missing there
                column = _value_start(lines[p_line], p_col)
                rest = lines[p_line][column:]
                return at(p_line, column, _missing_comma(p_line + 1, rest, opener))
            return at(c_line, c_col, _unclosed_bracket(c_line + 1, opener))
    if "simple key" in what and c_line is not None:
        return at(c_line, _first(lines, c_line), _missing_colon(c_line + 1, _text(lines, c_line)))
    if "alias" in what or "anchor" in what or "cannot start any token" in what:
        column = c_col if ("alias" in what or "anchor" in what) and c_col is not None else p_col
        line = c_line if ("alias" in what or "anchor" in what) and c_line is not None else p_line
        sign = _char(lines, line, column)
        if sign in _RESERVED_START:
            return at(line, column, _reserved(line + 1, sign, _text(lines, line)))
    if "mapping values are not allowed" in what:
        return _mapping_value(lines, p_line, p_col, at)
    if "block end" in what or "expected key" in what or "'-' indicator" in what:
        return _block_end(lines, p_line, p_col, c_line, c_col, at)
    return at(p_line, p_col, _fallback(p_line + 1))


def decimal_commas(text: str, file: str | None = None) -> list[Diagnostic]:
    """A YAML_SYNTAX diagnostic for each `key: 6,6` inside `{…}` or `[…]` in `text`.

    There the comma separates entries, so `{2017: 6,6, 2018: 6,1}` is read as four
    entries; the person meant the decimal numbers 6.6 and 6.1.
    """
    out: list[Diagnostic] = []
    if "," not in text:
        return out
    for number, line in enumerate(text.splitlines(), start=1):
        if "{" not in line and "[" not in line:
            continue
        for match in _FLOW_DECIMAL.finditer(_without_quoted(line)):
            whole, part = match.group(1), match.group(2)
            msg = (
                f"Linje {number}: «{whole},{part}» ser ut som et desimaltall med komma. "
                f"Skriv {whole}.{part}, ikke {whole},{part}: i YAML skiller komma verdiene "
                "i en liste eller tabell, og desimaltall skrives med punktum."
            )
            out.append(Diagnostic(CODE, msg, Location(file, number, match.start(1) + 1)))
    return out


# --- the mistakes -----------------------------------------------------------------------


def _mapping_value(lines: list[str], line: int, column: int, at: _At) -> Diagnostic:
    """`mapping values are not allowed here`: a dedented key above, an indented key, or a
    colon inside a text."""
    dedented = _dedented_line(lines, line)
    if dedented is not None:
        msg = (
            f"Linje {dedented + 1} har mindre innrykk enn linjene rundt den. "
            "Rykk den inn like mye som nøklene den hører sammen med."
        )
        return at(dedented, 0, msg)
    previous = _previous(lines, line)
    if (
        previous is not None
        and _indent(lines[line]) > _indent(lines[previous])
        and _has_value(lines[previous])
    ):
        key = _key(lines[previous])
        msg = (
            f"Linje {line + 1} har mer innrykk enn linjen over, men «{key}» på linje "
            f"{previous + 1} har allerede en verdi. Rykk linje {line + 1} inn like mye som "
            f"«{key}», eller flytt verdien til «{key}» ned på egne linjer under den."
        )
        return at(line, _first(lines, line), msg)
    key, _, value = _text(lines, line).partition(": ")
    msg = (
        f"Linje {line + 1}: teksten inneholder kolon og mellomrom («: »), som YAML leser som "
        "en ny nøkkel. Sett hele teksten i anførselstegn"
    )
    if value:
        value = value.replace('"', '\\"')
        msg += f': {key}: "{value}"'
    return at(line, column, msg + ".")


def _block_end(
    lines: list[str],
    line: int,
    column: int,
    c_line: int | None,
    c_col: int | None,
    at: _At,
) -> Diagnostic:
    """`expected <block end>` / `did not find expected key`: what stands where a key or
    the end of a block was expected."""
    here = _text(lines, line)
    first = _first(lines, line)
    if column > first:
        msg = (
            f"Linje {line + 1}: etter verdien står det mer tekst. Står teksten i anførselstegn, "
            "må hele teksten stå innenfor dem; ellers må nøkkelen ha kolon og mellomrom "
            "(«nøkkel: verdi»)."
        )
        return at(line, column, msg)
    if here.startswith("-"):
        msg = (
            f"Linje {line + 1} begynner et listepunkt («-») der det ventes en nøkkel. Hører "
            "punktet til nøkkelen over, må nøkkelen stå alene på sin linje (for eksempel "
            "«schools:»), og punktene under den ha likt innrykk."
        )
        return at(line, first, msg)
    if c_line is not None and c_col == first and _text(lines, c_line).startswith("-"):
        msg = (
            f"Linje {line + 1} har samme innrykk som listepunktet («-») på linje {c_line + 1}. "
            "Hører nøkkelen til punktet, rykk den inn like mye som nøkkelen etter «- »; "
            "ellers må punktet begynne med «-»."
        )
        return at(line, first, msg)
    siblings = sorted(
        {
            _indent(lines[i])
            for i in range(c_line if c_line is not None else 0, line)
            if _meaningful(lines[i])
        }
    )
    hint = ""
    if siblings:
        options = " eller ".join(str(n) for n in siblings)
        hint = f" Linjene over har {options} mellomrom innrykk."
    msg = (
        f"Linje {line + 1} har et innrykk ({_indent(lines[line])} mellomrom) som ikke passer "
        f"med linjene over.{hint} Nøkler som hører sammen, må ha nøyaktig like mye innrykk."
    )
    return at(line, first, msg)


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str | None) -> Diagnostic:
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    msg = (
        f"Linje {line} inneholder et usynlig kontrolltegn (U+{code:04X}) som ikke er tillatt "
        "i YAML. Slett tegnet, eller skriv teksten inn på nytt."
    )
    return Diagnostic(CODE, msg, Location(file, line, column))


# --- messages ---------------------------------------------------------------------------


def _tab_message(line: int) -> str:
    return (
        f"Linje {line} er rykket inn med tabulator. YAML godtar bare mellomrom til "
        "innrykk: bytt tabulatoren med mellomrom (like mange som nøklene den hører sammen med)."
    )


def _unclosed_quote(line: int, quote: str) -> str:
    return (
        f"Anførselstegnet {quote} som åpner teksten på linje {line}, blir aldri lukket. "
        f"Sett et {quote} til der teksten slutter, på samme linje."
    )


def _unclosed_bracket(line: int, opener: str) -> str:
    closer = {"[": "]", "{": "}"}.get(opener, "]")
    return (
        f"«{opener}» på linje {line} blir ikke lukket. Sett «{closer}» etter siste verdi, "
        "på samme linje, og komma mellom verdiene."
    )


def _missing_comma(line: int, rest: str, opener: str) -> str:
    closer = {"[": "]", "{": "}"}.get(opener, "]")
    shown = rest.strip()[:20].rstrip(",]} ")
    return (
        f"Linje {line}: det mangler et komma mellom verdiene i «{opener} … {closer}», foran "
        f"«{shown}». Skriv komma og mellomrom mellom hver verdi, og «{closer}» til slutt."
    )


def _missing_colon(line: int, shown: str) -> str:
    key, _, rest = shown.partition(":")
    if rest and not rest.startswith((" ", "\t")):
        return (
            f"Linje {line}: det mangler et mellomrom etter kolon. "
            f"Skriv «{key}: {rest}», ikke «{shown}»."
        )
    word, _, value = shown.partition(" ")
    meant = f"«{word}: {value}»" if value else f"«{word}:»"
    return (
        f"Linje {line} mangler kolon etter nøkkelen: skriv for eksempel {meant}. Er linjen "
        "fortsettelsen av en tekst på linjen over, må den rykkes lenger inn enn nøkkelen."
    )


def _reserved(line: int, sign: str, shown: str) -> str:
    key, colon, value = shown.partition(": ")
    example = f' Skriv for eksempel {key}: "{value}"' if colon and value else ""
    return (
        f"Linje {line}: en verdi kan ikke begynne med {_RESERVED_START[sign]} uten "
        f"anførselstegn. Sett hele teksten i anførselstegn.{example}"
    ).rstrip() + ("." if example else "")


def _fallback(line: int | None) -> str:
    where = f"på linje {line}" if line is not None else "i teksten"
    return (
        f"Ugyldig YAML {where}. Se etter innrykk som ikke stemmer med linjene rundt, "
        "et manglende kolon etter en nøkkel, eller et anførselstegn eller en klamme som "
        "ikke er lukket – på linjen eller på linjen over."
    )


# --- reading the text -------------------------------------------------------------------


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _first(lines: list[str], line: int) -> int:
    return _indent(lines[line]) if 0 <= line < len(lines) else 0


def _text(lines: list[str], line: int) -> str:
    return lines[line].strip() if 0 <= line < len(lines) else ""


def _char(lines: list[str], line: int, column: int) -> str | None:
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return None


def _previous(lines: list[str], line: int) -> int | None:
    for i in range(min(line, len(lines)) - 1, -1, -1):
        if _meaningful(lines[i]):
            return i
    return None


def _key(line: str) -> str:
    return line.strip().lstrip("- ").partition(":")[0]


def _has_value(line: str) -> bool:
    _, colon, value = line.strip().partition(": ")
    value = value.strip()
    return bool(colon) and bool(value) and not value.startswith(("#", "|", ">", "&"))


def _value_start(line: str, column: int) -> int:
    """Where the value the reader stopped at begins: `"b"` in `{"a": 1 "b": 2}`.

    The reader reads `1 "b"` as one text and stops at the colon after it; the value
    without its comma is the last word before that colon.
    """
    if line[column] != ":":
        return column
    before = line[:column].rstrip()
    return len(before) - len(before.split()[-1]) if before.split() else column


def _tab_line(lines: list[str], problem_line: int) -> int | None:
    """The first line up to the error whose indentation holds a tab (0-based)."""
    for i in range(min(problem_line + 1, len(lines))):
        if "\t" in lines[i][: len(lines[i]) - len(lines[i].lstrip(" \t"))]:
            return i
    return None


def _dedented_line(lines: list[str], problem_line: int) -> int | None:
    """The line (0-based) whose too small indentation caused an error reported below it.

    With `margin: 3.0` written at column 1 among indented keys, PyYAML reports the next,
    indented line ("mapping values are not allowed here"); the mistake is the line before.
    """
    if not 0 < problem_line < len(lines):
        return None
    before = [i for i in range(problem_line) if _meaningful(lines[i])]
    if len(before) < 2:
        return None
    previous, earlier = before[-1], before[-2]
    here = _indent(lines[problem_line])
    if _indent(lines[previous]) < here and _indent(lines[earlier]) >= here:
        return previous
    return None


def _without_quoted(line: str) -> str:
    """The line with quoted texts blanked out (same length), so their commas are ignored."""
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'", lambda m: " " * len(m.group()), line)
