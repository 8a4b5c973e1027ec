"""Reading an Excel workbook's sheets row by row, in bounded memory (issue 13).

A whole-sheet reader holds every cell at once (calamine: about 32 bytes a cell, before the
importer turns them into text); this one streams the sheet's XML through expat and hands out
rows, or chunks of rows as Polars frames of text, so that the importer can parse and check a
chunk and drop its text before the next is read (docs/PERFORMANCE.md, "Validating hostile files").

Cells become the text the importer's value parsers read:
- numbers: whole numbers without a decimal part (``101``, codes stay codes), others as Python
  writes them (``12.5``);
- numbers formatted as dates (built-in date formats, or a ``numFmt`` whose code has d, m, y, h or
  s outside quotes and brackets): ``2024-01-08``, with ``HH:MM:SS`` when there is a time of day;
  the 1900 date system, or 1904 when the workbook says so;
- shared strings (held as one joined string and an array of offsets, not a Python string each),
  inline strings, formula strings; booleans as ``true``/``false``; error cells (``#N/A``) and
  empty cells as None.

The sheets are found as Excel finds them: the package's relationships name the workbook part,
and the workbook's relationships name each sheet's part. A damaged workbook raises
:class:`XlsxError` with a short reason (never a traceback for the user). The size limits
(:mod:`veu_metrics.limits`) are checked before anything here runs.
"""

from __future__ import annotations

import contextlib
import io
import math
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from xml.parsers import expat

import polars as pl

CHUNK_ROWS = 1_000
"""Rows per frame handed out by :func:`iter_chunks` (2,000 before: each chunk's parsing and
checking work is transient memory, so half the rows is about 1 MB less at the peak of a crafted
workbook whose every row has errors; docs/PERFORMANCE.md, "Validating hostile files")."""
READ_BYTES = 1 << 16
"""Bytes of a part's XML unpacked and parsed at a time (the rows one block yields are held as
Python objects until they are handed out: 64 KB of a sheet's XML is about 4,000 cells)."""
EPOCH_1900 = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system as it counts from 1 March 1900 (serial 61)."""
EPOCH_1904 = date(1904, 1, 1)

_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)})
"""Built-in number formats that show a date or a time (ECMA-376 18.8.30 and its East Asian
variants, as spreadsheet readers treat them)."""
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)$")


class XlsxError(ValueError):
    """The workbook cannot be read; the message says why in a few words."""


@dataclass(frozen=True)
class SharedStrings:
    """A workbook's shared strings: one joined string and where each starts (4 bytes each)."""

    text: str = ""
    offsets: array[int] = field(default_factory=lambda: array("I", [0]))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.offsets) - 1:
            raise XlsxError(f"a cell refers to shared string {index}, which does not exist")
        return self.text[self.offsets[index]:self.offsets[index + 1]]


@dataclass
class Workbook:
    """An opened workbook: its sheets in order (name, part), shared strings and date styles."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]
    shared: SharedStrings
    date_styles: frozenset[int]
    epoch: date = EPOCH_1900

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def part(self, sheet_name: str) -> str:
        for name, part in self.sheets:
            if name == sheet_name:
                return part
        raise XlsxError(f"no sheet named {sheet_name!r}")


# ---------------------------------------------------------------------------------------------
# Opening


def open_workbook(data: bytes) -> Workbook:
    """The workbook's sheets, shared strings and date styles (the sheets are not read yet)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise XlsxError("not a readable zip archive (damaged or cut off)") from exc
    names = set(archive.namelist())
    workbook_part = "xl/workbook.xml"
    for kind, target in _relationships(archive, "_rels/.rels", ""):
        if kind == "officedocument":
            workbook_part = target
    if workbook_part not in names:
        raise XlsxError("no workbook part (xl/workbook.xml)")
    base = posixpath.dirname(workbook_part)
    rels_part = posixpath.join(base, "_rels", posixpath.basename(workbook_part) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    for rel_id, kind, target in _relationships_by_id(archive, rels_part, base):
        targets[rel_id] = (kind, target)
    listed, date1904 = _workbook_sheets(archive, workbook_part)
    sheets: list[tuple[str, str]] = []
    for name, rel_id in listed:
        kind, target = targets.get(rel_id, ("", ""))
        if kind == "worksheet" and target in names:
            sheets.append((name, target))
    shared_part = next((t for k, t in targets.values() if k == "sharedstrings"),
                       posixpath.join(base, "sharedStrings.xml"))
    styles_part = next((t for k, t in targets.values() if k == "styles"),
                       posixpath.join(base, "styles.xml"))
    shared = _shared_strings(archive, shared_part) if shared_part in names else SharedStrings()
    styles = _date_styles(archive, styles_part) if styles_part in names else frozenset()
    return Workbook(archive=archive, sheets=sheets, shared=shared, date_styles=styles,
                    epoch=EPOCH_1904 if date1904 else EPOCH_1900)


def _expat_parser(part: str) -> Any:
    """An expat parser for one part that refuses a document type declaration (which no
    spreadsheet writes): no entities, so no entity expansion."""
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_args: Any) -> None:
        raise XlsxError(f"{part} declares a document type, which a workbook never does")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _parse(archive: zipfile.ZipFile, part: str, start: Callable[[str, dict[str, str]], None],
           end: Callable[[str], None] | None = None,
           text: Callable[[str], None] | None = None,
           after_block: Callable[[], None] | None = None) -> None:
    """Stream one part through expat, READ_BYTES at a time; element names without prefix."""
    parser = _expat_parser(part)
    parser.StartElementHandler = lambda name, attrs: start(name.rpartition(":")[2], attrs)
    if end is not None:
        parser.EndElementHandler = lambda name: end(name.rpartition(":")[2])
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(part) as handle:
            while True:
                block = handle.read(READ_BYTES)
                parser.Parse(block, not block)
                if after_block is not None:
                    after_block()
                if not block:
                    break
    except expat.ExpatError as exc:
        raise XlsxError(f"{part} is not well-formed XML ({expat.ErrorString(exc.code)}, "
                        f"line {exc.lineno})") from None
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError,
            zlib.error) as exc:
        raise XlsxError(f"{part} cannot be unpacked ({exc})") from None
    except KeyError:
        raise XlsxError(f"{part} is missing") from None


def _target(base: str, target: str) -> str:
    return posixpath.normpath(target.lstrip("/") if target.startswith("/")
                              else posixpath.join(base, target))


def _relationships_by_id(archive: zipfile.ZipFile, part: str,
                         base: str) -> list[tuple[str, str, str]]:
    """(id, kind, target part) of a relationships part; kind is the type's last word, lower."""
    found: list[tuple[str, str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship" and attrs.get("Target") and attrs.get("TargetMode") != "External":
            kind = attrs.get("Type", "").rsplit("/", 1)[-1].lower()
            found.append((attrs.get("Id", ""), kind, _target(base, attrs["Target"])))

    if part in archive.namelist():
        _parse(archive, part, start)
    return found


def _relationships(archive: zipfile.ZipFile, part: str, base: str) -> list[tuple[str, str]]:
    return [(kind, target) for _, kind, target in _relationships_by_id(archive, part, base)]


def _workbook_sheets(archive: zipfile.ZipFile, part: str) -> tuple[list[tuple[str, str]], bool]:
    """[(sheet name, relationship id)] in the workbook's order, and whether it counts dates
    from 1904."""
    sheets: list[tuple[str, str]] = []
    date1904 = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            rel_id = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"
                           and k != "sheetId"), "")
            sheets.append((attrs.get("name", ""), rel_id))
        elif name == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

    _parse(archive, part, start)
    return sheets, date1904[0]


def _unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (a carriage return: ``_x000D_``)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


class _SharedStringsParser:
    """Collects each ``<si>``'s text (its ``<t>`` runs, phonetic ``<rPh>`` runs left out) into
    one string plus the offsets where each item ends."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.offsets = array("I", [0])
        self.length = 0
        self.phonetic = 0
        self.in_t = False
        self.in_si = False
        self.pieces: list[str] = []

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        if name == "si":
            self.in_si = True
            self.pieces.clear()
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.in_t = True

    def end(self, name: str) -> None:
        if name == "si":
            value = _unescape("".join(self.pieces))
            self.out.write(value)
            self.length += len(value)
            self.offsets.append(min(self.length, 0xFFFFFFFF))
            self.in_si = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "t":
            self.in_t = False

    def text(self, data: str) -> None:
        if self.in_t and self.in_si:
            self.pieces.append(data)


def _shared_strings(archive: zipfile.ZipFile, part: str) -> SharedStrings:
    """Every shared string, joined into one string with their end offsets."""
    parser = _SharedStringsParser()
    _parse(archive, part, parser.start, parser.end, parser.text)
    return SharedStrings(parser.out.getvalue(), parser.offsets)


def is_date_format(code: str) -> bool:
    """A number format code that shows a date or time: d, m, y, h or s outside quoted text,
    brackets (colours, conditions, locales) and escaped characters."""
    bare = _QUOTED.sub("", code).lower()
    return bare != "general" and any(ch in bare for ch in "dmyhs")


def _date_styles(archive: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Indexes of the cell formats (``cellXfs``) whose number format is a date or time."""
    custom: dict[int, bool] = {}
    styles: list[bool] = []
    inside = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", ""))] = is_date_format(attrs.get("formatCode", ""))
        elif name == "cellXfs":
            inside["cellXfs"] = True
        elif name == "xf" and inside["cellXfs"]:
            try:
                number = int(attrs.get("numFmtId", "0"))
            except ValueError:
                number = 0
            styles.append(custom.get(number, number in _DATE_FORMAT_IDS))

    def end(name: str) -> None:
        if name == "cellXfs":
            inside["cellXfs"] = False

    _parse(archive, part, start, end)
    return frozenset(i for i, is_date in enumerate(styles) if is_date)


# ---------------------------------------------------------------------------------------------
# Cells and rows


_COLUMNS: dict[str, int] = {}


def column_index(reference: str) -> int:
    """'A1' → 0, 'Q7' → 16, 'AA3' → 26 (the column of a cell reference, 0-based)."""
    letters = reference.rstrip("0123456789")
    known = _COLUMNS.get(letters)
    if known is not None and len(letters) < len(reference):
        return known
    match = _REFERENCE.match(reference)
    if match is None:
        raise XlsxError(f"a cell reference {reference[:20]!r} that is not like A1")
    number = 0
    for char in match.group(1).upper():
        number = number * 26 + (ord(char) - 64)
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = number - 1
    return number - 1


def number_text(value: float) -> str:
    """101.0 → '101' (a count, a code), 12.5 → '12.5'."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def serial_text(value: float, epoch: date) -> str:
    """An Excel date serial → '2024-01-08', or '2024-01-08 13:45:00' with a time of day."""
    moment = datetime(epoch.year, epoch.month, epoch.day) + timedelta(
        seconds=round(value * 86_400))
    if moment.hour == moment.minute == moment.second == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class _SheetParser:
    """expat handlers that turn a sheet's XML into (row number, {column: text}) rows."""

    def __init__(self, book: Workbook):
        self.book = book
        self.rows: list[tuple[int, dict[int, str]]] = []
        self.row = 0
        self.cells: dict[int, str] = {}
        self.column = -1
        self.kind = "n"
        self.style = -1
        self.pieces: list[str] = []
        self.collect = False
        self.in_inline = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            reference = attrs.get("r")
            self.column = column_index(reference) if reference else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style and style.isdigit() else -1
            self.pieces = []
        elif name == "v":
            self.collect = True
        elif name == "is":
            self.in_inline = True
        elif name == "t" and self.in_inline and not self.phonetic:
            self.collect = True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.cells = {}
            self.column = -1

    def end(self, name: str) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            value = self.value()
            if value is not None:
                self.cells[self.column] = value
        elif name in ("v", "t"):
            self.collect = False
        elif name == "is":
            self.in_inline = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "row" and self.cells:
            self.rows.append((self.row, self.cells))

    def text(self, data: str) -> None:
        if self.collect:
            self.pieces.append(data)

    def value(self) -> str | None:
        pieces = self.pieces
        raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
        kind = self.kind
        if kind == "n" and self.style not in self.book.date_styles and raw.isdigit() \
                and len(raw) < 16 and (raw[0] != "0" or raw == "0"):
            return raw  # a whole number as Excel writes it: the text it stands for
        if kind == "s":
            if not raw.strip().isdigit():
                raise XlsxError(f"a shared-string cell holds {raw[:20]!r}, not an index")
            return self.book.shared[int(raw)]
        if kind == "inlineStr" or kind == "str":
            return _unescape(raw)
        if not raw:
            return None
        if kind in _TYPED_TEXT:
            return _TYPED_TEXT[kind](raw)
        return self._number(raw)

    def _number(self, raw: str) -> str | None:
        try:
            number = float(raw)
        except ValueError:
            raise XlsxError(f"a number cell holds {raw[:20]!r}") from None
        if not math.isfinite(number):
            return None
        if self.style in self.book.date_styles and 0 <= number < 2_958_466:  # up to 9999-12-31
            return serial_text(number, self.book.epoch)
        return number_text(number)


def _iso_date_text(raw: str) -> str:
    """An ISO date written as text (strict OOXML's ``t="d"``)."""
    return raw[:10] if raw[10:] in ("", "T00:00:00", "T00:00:00Z") else raw.replace("T", " ")


# Cell types whose value is text of their own: booleans, errors (#N/A, #DIV/0!: no value), dates.
_TYPED_TEXT: dict[str, Callable[[str], str | None]] = {
    "b": lambda raw: "true" if raw.strip() in ("1", "true") else "false",
    "e": lambda raw: None,
    "d": _iso_date_text,
}


def iter_rows(book: Workbook, sheet_name: str, block_bytes: int | None = None,
              ) -> Iterator[tuple[int, dict[int, str]]]:
    """(sheet row number, {0-based column: text}) for each row that holds a value, in order;
    the XML is parsed ``block_bytes`` (default READ_BYTES) at a time."""
    block_bytes = block_bytes or READ_BYTES
    parser = _SheetParser(book)
    part = book.part(sheet_name)
    pending: list[tuple[int, dict[int, str]]] = []

    def after_block() -> None:
        pending.extend(parser.rows)
        parser.rows = []

    # expat pushes; the rows collected after each block are handed out before the next one.
    expat_parser = _expat_parser(part)
    expat_parser.StartElementHandler = parser.start
    expat_parser.EndElementHandler = parser.end
    expat_parser.CharacterDataHandler = parser.text
    try:
        handle = book.archive.open(part)
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:
        raise XlsxError(f"{part} cannot be opened ({exc})") from None
    with handle:
        while True:
            try:
                block = handle.read(block_bytes)
                expat_parser.Parse(block, not block)
            except expat.ExpatError as exc:
                raise XlsxError(f"the sheet {sheet_name!r} is not well-formed XML "
                                f"({expat.ErrorString(exc.code)}, line {exc.lineno})") from None
            except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, zlib.error) as exc:
                raise XlsxError(f"the sheet {sheet_name!r} cannot be unpacked ({exc})") from None
            after_block()
            yield from pending
            pending.clear()
            if not block:
                break


def grid_rows(rows: Iterator[tuple[int, dict[int, str]]], last_row: int | None = None,
              ) -> list[list[str | None]]:
    """Rows 1…last_row (or all) as lists, empty rows included, all as wide as the widest."""
    grid: list[dict[int, str]] = []
    for number, cells in rows:
        if last_row is not None and number > last_row:
            break
        while len(grid) < number - 1:
            grid.append({})
        grid.append(cells)
    width = max((max(cells) + 1 for cells in grid if cells), default=0)
    return [[cells.get(i) for i in range(width)] for cells in grid]


def iter_chunks(rows: Iterator[tuple[int, dict[int, str]]], width: int, row_column: str,
                chunk_rows: int | None = None, beyond: set[int] | None = None,
                ) -> Iterator[pl.DataFrame]:
    """Frames of ``chunk_rows`` (default CHUNK_ROWS) rows: String columns c0…c{width-1} and the sheet row number
    (Int64, named ``row_column``). A value right of ``width`` is left out, its column noted in
    ``beyond``."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    schema = {**{f"c{i}": pl.String for i in range(width)}, row_column: pl.Int64}

    def frame() -> pl.DataFrame:
        data: dict[str, Any] = {f"c{i}": column for i, column in enumerate(columns)}
        data[row_column] = numbers
        return pl.DataFrame(data, schema=schema)

    for number, cells in rows:
        for i in range(width):
            columns[i].append(cells.get(i))
        if beyond is not None and len(cells) and max(cells) >= width:
            beyond.update(i for i in cells if i >= width)
        numbers.append(number)
        if len(numbers) >= chunk_rows:
            yield frame()
            columns = [[] for _ in range(width)]
            numbers = []
    if numbers:
        yield frame()
