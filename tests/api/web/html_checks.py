"""Checks every page must pass: a title, labelled fields, unique ids, nothing from elsewhere."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title = ""
        self._in_title = False
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.ids: list[str] = []
        self.resources: list[str] = []
        self.forms: list[dict[str, str | None]] = []
        self.form_tokens = 0
        self._form_depth = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        elif tag in ("input", "select", "textarea"):
            kind = (a.get("type") or "text") if tag == "input" else tag
            if kind == "hidden" and a.get("name") == "csrf_token" and self._form_depth:
                self.form_tokens += 1
            if kind not in ("hidden", "submit", "button"):
                self.fields.append(a | {"tag": tag})
        elif tag == "form":
            self.forms.append(a)
            self._form_depth += 1
        elif tag == "script":
            self.scripts += 1
        for attr in ("src", "href"):
            value = a.get(attr)
            if value and tag in ("link", "script", "img", "iframe", "source"):
                self.resources.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_page(html: str) -> _Page:
    """Assert the page-wide rules and return what was read (for further checks)."""
    page = _Page()
    page.feed(html)
    assert page.lang == "nb", "the page must say it is in Norwegian bokmål"
    assert page.title.strip(), "every page has a title"
    unlabelled = [
        f.get("name")
        for f in page.fields
        if not (f.get("id") in page.labels or f.get("aria-label"))
    ]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    dupes = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not dupes, f"ids used twice: {dupes}"
    remote = [r for r in page.resources if "//" in r]
    assert not remote, f"resources from elsewhere: {remote}"
    assert page.scripts == 0, "the pages work without JavaScript and have none"
    posting = [f for f in page.forms if (f.get("method") or "get").lower() == "post"]
    assert page.form_tokens == len(posting), "every posted form carries a CSRF token"
    return page


def visible_text(html: str) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
