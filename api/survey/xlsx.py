"""Stream the cell values of an .xlsx workbook's first sheet, row by row.

openpyxl, even in read-only mode, needs 6–10 s for Udir's national export (112,000
rows × 10 columns): it builds an object per cell. The import needs only the values,
so this reads the sheet's XML with ElementTree's iterparse, empties each row once it
is read, and takes about 2 s. It understands what the export holds:
shared strings (with rich-text runs), inline strings, numbers, booleans, formula
results and error values. Dates stay numbers (the import reads none).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",  # strict OOXML
)
_CELL_REF = re.compile(r"([A-Z]+)(\d+)$")

# Bounds checked before and while reading, so a crafted file (a cell in column ZZZZZZZ,
# 20 million empty rows zipped to 175 KB) is refused at once. Udir's national export has
# about 112,000 rows, 10 columns and 50 MB of XML; the bounds leave room many times over.
MAX_COLUMNS = 256
MAX_ROWS = 1_000_000
MAX_UNCOMPRESSED = 256 * 1024 * 1024
# A sheet's XML packs about ten to one; a thousand to one (deflate's limit) is a file of
# nothing but empty rows, made to keep the reader busy.
MAX_RATIO = 100
_RATIO_FROM = 1024 * 1024

ProgressFn = Callable[[int, int | None], None]


class XlsxError(Exception):
    """The file is a zip archive but not a workbook this reader understands."""


class XlsxTooLarge(XlsxError):
    """The workbook is beyond the reader's bounds (columns, rows, unpacked size)."""


def sheet_rows(
    stream: IO[bytes], progress: ProgressFn | None = None, every: int = 4096
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first sheet; raise XlsxError, BadZipFile, ParseError."""
    with zipfile.ZipFile(stream) as book:
        # the sizes in the archive's directory are what zipfile unpacks at most
        unpacked = sum(info.file_size for info in book.infolist())
        if unpacked > MAX_UNCOMPRESSED:
            raise XlsxTooLarge(
                f"det pakkes ut til {unpacked // (1024 * 1024)} MB, og grensen er "
                f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB"
            )
        for info in book.infolist():
            packed = max(1, info.compress_size)
            if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * packed:
                raise XlsxTooLarge(
                    f"delen {info.filename[:60]} pakkes ut til {info.file_size // packed} "
                    "ganger sin egen størrelse, som bare en fil laget for å belaste "
                    "tjenesten gjør"
                )
        strings = _shared_strings(book)
        yield from _rows(book, _first_sheet(book), strings, progress, every)


def _open_xml(book: zipfile.ZipFile, name: str) -> IO[bytes]:
    try:
        part = book.open(name)
    except KeyError:
        raise XlsxError(f"mangler delen {name}") from None
    # No document type declarations: they are how entity-expansion attacks start, and an
    # Office file never has one.
    head = part.read(1024)
    if b"<!DOCTYPE" in head.upper():
        raise XlsxError(f"{name} har en DOCTYPE")
    part.close()
    return book.open(name)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(book: zipfile.ZipFile, rels_name: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type's last part, part name inside the archive)."""
    out: dict[str, tuple[str, str]] = {}
    if rels_name not in book.namelist():
        return out
    for _, el in iterparse(_open_xml(book, rels_name)):
        if _local(el.tag) == "Relationship":
            target = el.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            out[el.get("Id", "")] = (
                el.get("Type", "").rpartition("/")[2],
                posixpath.normpath(name),
            )
    return out


def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = next(
        (name for kind, name in _relationships(book, "_rels/.rels", "").values()
         if kind == "officeDocument"),
        "xl/workbook.xml",
    )  # fmt: skip
    folder, file = posixpath.split(workbook)
    rels = _relationships(book, posixpath.join(folder, "_rels", file + ".rels"), folder)
    for _, el in iterparse(_open_xml(book, workbook)):
        if _local(el.tag) == "sheet":
            rid = next((el.get(f"{{{ns}}}id") for ns in _REL_NS if el.get(f"{{{ns}}}id")), None)
            if rid in rels:
                return rels[rid][1]
            break
    if "xl/worksheets/sheet1.xml" in book.namelist():
        return "xl/worksheets/sheet1.xml"
    raise XlsxError("fant ikke noe regneark i arbeidsboken")


def _text_of(el: Element, ns: str) -> str:
    """The text of a shared or inline string: plain `<t>`, or rich-text runs `<r><t>`."""
    parts = []
    for child in el:
        if child.tag == ns + "t":
            parts.append(child.text or "")
        elif child.tag == ns + "r":
            parts.append(child.findtext(ns + "t") or "")
        # <rPh> (phonetic hints) is not part of the text
    return "".join(parts)


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    name = "xl/sharedStrings.xml"
    if name not in book.namelist():
        return []
    out: list[str] = []
    for _, el in iterparse(_open_xml(book, name)):
        if _local(el.tag) == "si":
            ns = el.tag[: -len("si")]
            out.append(_text_of(el, ns))
            el.clear()
    return out


def _column(ref: str | None, default: int) -> int:
    """0-based column of a reference like `AB12` (letters are above "@" in ASCII, digits below)."""
    index = 0
    for ch in ref or "":
        code = ord(ch)
        if code < 65:
            break
        index = index * 26 + code - 64
        if index > MAX_COLUMNS:  # ZZZZZZZ would make a row of eight billion cells
            raise XlsxTooLarge(f"cellen {(ref or '')[:20]} ligger for langt til høyre")
    column = index - 1 if index else default
    if column >= MAX_COLUMNS:
        raise XlsxTooLarge("en rad har for mange celler")
    return column


def _check_dimension(ref: str) -> int | None:
    """The declared number of rows of `<dimension ref="A1:J112000">`; XlsxTooLarge beyond bounds."""
    last = ref.rpartition(":")[2].replace("$", "")
    found = _CELL_REF.match(last)
    if not found:
        return None
    _column(found[1], 0)
    rows = int(found[2]) if len(found[2]) <= 9 else MAX_ROWS + 1
    if rows > MAX_ROWS:
        raise XlsxTooLarge(f"arket oppgir at det har {rows} rader")
    return rows


def _rows(
    book: zipfile.ZipFile,
    sheet: str,
    strings: list[str],
    progress: ProgressFn | None,
    every: int,
) -> Iterator[tuple[int, list[Any]]]:
    # Only "end" events: "start" events would double the work. A cleared row stays in
    # the tree as an empty element (about 100 bytes; 11 MB for the national file).
    ns: str | None = None
    total: int | None = None
    cells: dict[int, Any] = {}
    number = seen = 0
    for _, el in iterparse(_open_xml(book, sheet)):
        tag = el.tag
        if ns is None:  # every element of a sheet is in the main namespace
            ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        if tag == ns + "c":
            cells[_column(el.get("r"), len(cells))] = _value(el, ns, strings)
        elif tag == ns + "row":
            seen += 1
            given = el.get("r") or ""
            number = int(given) if given.isdigit() and len(given) <= 9 else number + 1
            if seen > MAX_ROWS or number > MAX_ROWS:
                raise XlsxTooLarge("arket har for mange rader")
            width = max(cells) + 1 if cells else 0
            yield number, [cells.get(i) for i in range(width)]
            cells = {}
            el.clear()
            if progress is not None and number % every == 0:
                progress(number, total)
        elif tag == ns + "dimension":
            total = _check_dimension(el.get("ref", ""))
    if progress is not None:
        progress(total or number, total or number)


def _value(cell: Element, ns: str, strings: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(ns + "is")
        return _text_of(inline, ns) if inline is not None else ""
    text = cell.findtext(ns + "v")
    if text is None:
        return None
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            raise XlsxError(f"cellen {cell.get('r')} viser til en tekst som ikke finnes") from None
    if kind == "n":
        try:
            number = float(text)
        except ValueError:
            raise XlsxError(f"cellen {cell.get('r')} har tallet «{text}»") from None
        return int(number) if number.is_integer() else number
    if kind == "b":
        return text == "1"
    return text  # "str" (formula result), "e" (error such as #N/A), "d" (ISO date)


__all__ = ["ParseError", "XlsxError", "XlsxTooLarge", "sheet_rows"]
