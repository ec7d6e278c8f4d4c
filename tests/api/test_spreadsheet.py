"""The one formula guard of every export (OWASP CSV injection, after blanks and NFKC)."""

from __future__ import annotations

import pytest

from api.spreadsheet import inert_text, looks_like_formula


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+47 22",
        "-2",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        '\n=HYPERLINK("http://x")',
        " =1",
        "\u00a0=1",
        "\u200b=1",
        "\u200b \u00a0@SUM(A1)",
        "\ufeff+1",
        '\uff1dHYPERLINK("http://x")',  # full-width equals sign
        "\u3000\uff0b1",  # ideographic space, full-width plus
    ],
)
def test_a_text_a_spreadsheet_could_run_is_kept_as_text(text: str) -> None:
    assert looks_like_formula(text)
    assert inert_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Trondheim", " Nordby skole", "Ås", "", "5001", "a=b"])
def test_plain_names_are_written_as_they_are(text: str) -> None:
    assert not looks_like_formula(text)
    assert inert_text(text) == text
