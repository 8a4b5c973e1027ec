"""Limits that keep the work for any input bounded (imports, uploads, boundary files).

Every check here looks at what a file *declares* or at cheap counts before the expensive read:
an Excel workbook is a zip whose directory states each part's unpacked size, and the sheet's
``<dimension>`` element states its range, so a "zip bomb" (3 MB that unpack to 3 GB) is refused
before a byte of it is unpacked. Text files are counted by their line breaks; JSON is parsed with
Python's own recursion guard and then measured without recursion.

The numbers are documented in docs/IMPORT.md ("Limits"); a refusal names the limit and the value.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
import zlib
from array import array
from dataclasses import dataclass
from typing import Any

from veu_metrics.i18n import t

MAX_ROWS = 2_000_000
"""Data rows in one file (CSV line breaks, an Excel sheet's declared range)."""
MAX_COLUMNS = 200
"""Columns in one file; the widest table of the data model has 17."""
MAX_CELL_CHARS = 10_000
"""Characters in one cell; the longest real text (a course title) is far below."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""An Excel workbook's declared unpacked size, all parts together."""
MAX_UNPACK_RATIO = 25
"""Declared unpacked size over file size; Excel's own files unpack 5–15×, a zip bomb 1,000×.
The sheets are streamed (``xlsx_stream``), but the time to read them grows with their unpacked
size: this ratio and MAX_UNPACKED_BYTES bound that."""
MAX_ZIP_PARTS = 2_000
"""Parts in one workbook (a sheet, its strings, styles … — a few dozen in practice)."""
MAX_JSON_DEPTH = 32
"""Nesting of metadata.json and GeoJSON (a MultiPolygon's coordinates nest 4 deep)."""
MAX_CELLS_PER_BYTE = 0.4
"""Cells of a workbook's sheets (the rectangle from A1 to the last row and column that hold a
cell) per byte of the file. Ordinary workbooks hold 0.15–0.3 cells per byte (xlsxwriter and
Excel: courses and enrolments about 0.22, a labour-market balance 0.26, unemployment 0.18); a
crafted one packs 1.5 cells per byte under the unpack-ratio limit, and a sparse one (a cell at A1
and one at GR1000000, 1.5 KB) 100,000s. Validating a sheet streamed in chunks costs a fixed
floor of about 3.5 MB (one chunk's work) plus about 19 bytes of memory per cell of a crafted
sheet of short numbers whose every row breaks every rule (about 7.5× the file at this limit),
and less for an ordinary one (longer texts, but only 0.22 cells per byte; docs/PERFORMANCE.md,
"Validating hostile files"): the worst accepted file is below 10× its size from about 1.5 MB,
and below 3.5 MB + 10× its size at every size (21× at the earlier limit of 1 cell per byte)."""
MAX_TAG_BYTES = 65_536
"""One tag of a sheet's XML (``<c r="A1" s="3" t="s">`` is about 20 bytes): a longer one could
hide a cell's reference from the extent count, so it is refused."""
SCAN_CHUNK = 1 << 18
"""Bytes of a sheet's XML unpacked at a time while its extent is counted."""

_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(c|row)(?=[\s/>])")
_CELL_TAG = re.compile(rb"<c[\s/>]")
_ROW_TAG = re.compile(rb"<row[\s/>]")
_CELL_REF_FIRST = re.compile(rb'<c r="([A-Z]{1,8})(\d{1,12})"')  # how Excel writes it: fast
_CELL_REF = re.compile(rb"""<c\s[^<>]*?(?<=\s)r\s*=\s*["']([A-Za-z]{1,8})(\d{1,12})["']""")
_ROW_REF_FIRST = re.compile(rb'<row r="(\d{1,12})"')
_ROW_REF = re.compile(rb"""<row\s[^<>]*?(?<=\s)r\s*=\s*["'](\d{1,12})["']""")
_SHARED_FIRST = re.compile(rb'<c r="[A-Z]{1,8}\d{1,12}"(?: s="\d{1,9}")? t="s"><v>(\d{1,10})</v>')
_SHARED_CELL = re.compile(
    rb"""<c\s[^<>]*?(?<=\s)t\s*=\s*["']s["'][^<>]*>\s*<v>\s*(\d{1,10})\s*</v>""")
_SHARED_ITEM = re.compile(rb"<si\s*/>|<si[\s>]|</si>")
_ANY_REF = re.compile(rb"\sr\s*=")
_ROW_OPEN = re.compile(rb"""<row(?=[\s/>])[^<>]*?(?:(?<=\s)r\s*=\s*["'](\d{1,12})["'][^<>]*?)?>""")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class LimitProblem:
    """A limit a file exceeds: which (``kind``), what was found, and the limit, in words."""

    kind: str
    found: str
    expected_en: str
    expected_da: str


def _limit(kind: str, found: str, key: str, **values: int | str) -> LimitProblem:
    """A LimitProblem whose expected texts are messages.yaml's ``expected.<key>``; an int value
    is written with thousands separators (1,000 in English, 1.000 in Danish)."""
    def text(lang: str) -> str:
        return t(f"expected.{key}", lang, **{
            name: (f"{v:,}".replace(",", "." if lang == "da" else ",") if isinstance(v, int)
                   else v) for name, v in values.items()})
    return LimitProblem(kind, found, text("en"), text("da"))


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - ord("A") + 1)
    return number


def check_excel(data: bytes) -> LimitProblem | None:
    """Refuse a workbook whose zip directory or sheet range declares too much, unpacking nothing
    but the first bytes of each sheet (where Excel writes ``<dimension>``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, OSError):
        return None  # not a readable zip: the reader reports it as damaged
    parts = archive.infolist()
    if len(parts) > MAX_ZIP_PARTS:
        return _limit("too_many_parts", f"{len(parts)}", "max_parts", parts=str(MAX_ZIP_PARTS))
    unpacked = sum(max(part.file_size, 0) for part in parts)
    allowed = min(MAX_UNPACKED_BYTES, MAX_UNPACK_RATIO * max(len(data), 1))
    if unpacked > allowed:
        mb = unpacked / 1024 / 1024
        return _limit(
            "too_large_unpacked", f"{mb:,.0f} MB unpacked from {len(data) / 1024 / 1024:,.1f} MB",
            "max_unpacked", ratio=MAX_UNPACK_RATIO, mb=MAX_UNPACKED_BYTES // 1024 // 1024)
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        try:
            with archive.open(part) as handle:
                head = handle.read(4096)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            continue  # the reader reports a damaged part
        match = _DIMENSION.search(head)
        if not match or not match.group(3):
            continue
        rows = int(match.group(4)) - int(match.group(2)) + 1
        columns = _column_number(match.group(3)) - _column_number(match.group(1)) + 1
        problem = check_shape(rows, columns)
        if problem is not None:
            return problem
    return _check_extent(archive, parts, len(data))


@dataclass
class _Extent:
    """The rectangle a sheet's cells span, counted while its XML streams past."""

    rows: int = 0
    columns: int = 0
    row: int = 0
    column: int = 0
    lengths: Any = None
    """Each shared string's length (bytes of its XML item), or None."""
    shared_text: int = 0
    """Bytes of shared strings the sheet's cells refer to (each cell gets its own copy)."""

    def feed(self, xml: bytes) -> None:
        if (b":c" in xml or b":row" in xml) and _PREFIXED.search(xml):
            xml = _PREFIXED.sub(rb"<\1", xml)  # <x:c …> as <c …>: one spelling below
        if self.lengths is not None:
            self._feed_shared(xml)
        cells, rows = len(_CELL_TAG.findall(xml)), len(_ROW_TAG.findall(xml))
        cell_refs = _CELL_REF_FIRST.findall(xml)
        if len(cell_refs) != cells:
            cell_refs = _CELL_REF.findall(xml)
        row_refs = _ROW_REF_FIRST.findall(xml)
        if len(row_refs) != rows:
            row_refs = _ROW_REF.findall(xml)
        if len(cell_refs) == cells and len(row_refs) == rows:
            self._feed_referenced(cell_refs, row_refs)
        else:  # some row or cell without a reference: count them in order
            self._feed_in_order(xml)

    def _feed_shared(self, xml: bytes) -> None:
        found = _SHARED_FIRST.findall(xml)
        if len(found) != xml.count(b't="s"'):
            found = _SHARED_CELL.findall(xml)
        if found:
            lengths, count = self.lengths, len(self.lengths)
            self.shared_text += sum(lengths[i] for i in map(int, found) if i < count)

    def _feed_referenced(self, cell_refs: list[tuple[bytes, bytes]], row_refs: list[bytes]) -> None:
        """The usual case (Excel, xlsxwriter, openpyxl): every row and cell says where it is."""
        if row_refs:
            self.rows = max(self.rows, max(map(int, set(row_refs))))
            self.row, self.column = int(row_refs[-1]), 0
        if cell_refs:
            letters, digits = zip(*cell_refs, strict=True)
            self.columns = max(self.columns, max(_column_number(c.upper()) for c in set(letters)))
            self.rows = max(self.rows, max(map(int, set(digits))))
            self.column = _column_number(letters[-1].upper())

    def _feed_in_order(self, xml: bytes) -> None:
        """Row by row: a row without ``r`` follows the previous one, and a cell without ``r``
        is counted one column to the right of the furthest cell before it (an upper bound)."""
        opens = list(_ROW_OPEN.finditer(xml))
        self._feed_cells(xml[:opens[0].start()] if opens else xml)  # the row the chunk began in
        for i, match in enumerate(opens):
            digits = match.group(1)
            self.row = int(digits) if digits else self.row + 1
            self.rows = max(self.rows, self.row)
            self.column = 0
            end = opens[i + 1].start() if i + 1 < len(opens) else len(xml)
            self._feed_cells(xml[match.end():end])

    def _feed_cells(self, xml: bytes) -> None:
        tags = len(_CELL_TAG.findall(xml))
        if not tags:
            return
        refs = _CELL_REF.findall(xml) if _ANY_REF.search(xml) else []
        if refs:
            self.column = max(self.column, max(_column_number(c.upper()) for c, _ in refs))
            self.rows = max(self.rows, max(int(d) for _, d in refs))
        self.column += tags - len(refs)
        self.columns = max(self.columns, self.column)


def sheet_extent(handle: Any, chunk: int | None = None) -> tuple[int, int]:
    """(rows, columns) a sheet's cells span (see :func:`scan_sheet`)."""
    extent = scan_sheet(handle, chunk)
    return extent.rows, extent.columns


def scan_sheet(handle: Any, chunk: int | None = None, lengths: Any = None) -> _Extent:
    """(rows, columns) a sheet's cells span, from its XML read ``chunk`` bytes at a time: memory
    stays about one chunk whatever the sheet holds. The ``<dimension>`` element is not trusted
    (it is optional and can state anything); the cells' own references (or their order, where
    a row or cell has none) are what the Excel reader allocates for."""
    extent, carry, chunk = _Extent(lengths=lengths), b"", chunk or SCAN_CHUNK
    while True:
        block = handle.read(chunk)
        if not block:
            break
        xml = carry + block
        cut = xml.rfind(b"<")
        if cut < 0 or xml.find(b">", cut) >= 0:  # every tag complete; text after the last one
            extent.feed(xml)
            carry = b""
        else:  # a tag cut off: carried into the next block
            extent.feed(xml[:cut])
            carry = xml[cut:]
            if len(carry) > MAX_TAG_BYTES:
                raise TagTooLongError(f"a tag longer than {MAX_TAG_BYTES:,} bytes")
    extent.feed(carry)
    return extent


def shared_string_lengths(handle: Any, chunk: int | None = None) -> array[int]:
    """The length of each shared string's ``<si>`` item (an upper bound of its text), streamed:
    4 bytes per string, not the strings. The Excel reader copies a shared string into every
    cell that refers to it, so 20,000 cells referring to one 9,000-character string grew the
    server by 361 MB from a 47 KB file."""
    lengths, carry, chunk = array("I"), b"", chunk or SCAN_CHUNK
    offset, start = 0, None  # offset of buf[0] in the part; where the open item began
    while True:
        block = handle.read(chunk)
        buf = carry + block
        end = len(buf) - 6 if block else len(buf)  # a token may straddle the blocks
        last = 0
        for match in _SHARED_ITEM.finditer(buf, 0, max(end, 0) + 6 if block else end):
            if match.start() >= end and block:
                break
            token, last = match.group(), match.end()
            if token.startswith(b"</"):
                if start is not None:
                    lengths.append(min(offset + match.end() - start, 0xFFFFFFFF))
                start = None
            else:
                if start is not None:  # the previous item never closed (<si />): empty
                    lengths.append(0)
                start = None if token.endswith(b"/>") else offset + match.start()
                if start is None:
                    lengths.append(0)
        if not block:
            break
        cut = max(end, last)
        carry, offset = buf[cut:], offset + cut
    if start is not None:
        lengths.append(0)
    return lengths


class TagTooLongError(ValueError):
    """A sheet's XML has a tag longer than MAX_TAG_BYTES (no spreadsheet writes one)."""


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.1f} KB"


_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^<>]*>")
_ATTRIBUTE = re.compile(rb"""(Type|Target)\s*=\s*["']([^"']*)["']""")
MAX_RELS_BYTES = 1 << 20
"""A relationships part read whole to find the sheets (a workbook's is a few KB)."""


def _workbook_parts(archive: zipfile.ZipFile,
                    parts: list[zipfile.ZipInfo]) -> tuple[set[str], set[str]]:
    """(sheets, shared strings): the parts the Excel reader may read as sheets
    (``xl/worksheets/*.xml`` and whatever a relationships part names as a worksheet: a workbook
    may keep its sheets anywhere) and as the shared strings."""
    names = {part.filename for part in parts}
    sheets = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    shared = {"xl/sharedStrings.xml"}
    for part in parts:
        if not part.filename.endswith(".rels"):
            continue
        try:
            with archive.open(part) as handle:
                text = handle.read(MAX_RELS_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                ValueError, zlib.error):
            continue
        # "xl/_rels/workbook.xml.rels" describes "xl/workbook.xml": targets are relative to xl/
        base = posixpath.dirname(posixpath.dirname(part.filename))
        for relationship in _RELATIONSHIP.findall(text):
            attributes = dict(_ATTRIBUTE.findall(relationship))
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            kind = attributes.get(b"Type", b"").lower().rsplit(b"/", 1)[-1]
            if kind not in (b"worksheet", b"sharedstrings") or not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            (sheets if kind == b"worksheet" else shared).add(posixpath.normpath(path))
    return sheets & names, shared & names


def _check_extent(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo],
                  size: int) -> LimitProblem | None:
    """Stream every sheet and refuse one whose cells span too many rows or columns, or a
    workbook whose sheets span more cells than MAX_CELLS_PER_BYTE allows for its size."""
    cells = shared_text = 0
    sheets, shared = _workbook_parts(archive, parts)
    lengths = array("I")
    for name in sorted(shared):
        try:
            with archive.open(name) as handle:
                found = shared_string_lengths(handle)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                ValueError, zlib.error):
            continue
        lengths = found if len(found) > len(lengths) else lengths
    for part in parts:
        if part.filename not in sheets:
            continue
        try:
            with archive.open(part) as handle:
                extent = scan_sheet(handle, lengths=lengths)
            rows, columns = extent.rows, extent.columns
            shared_text += extent.shared_text
        except TagTooLongError:
            return _limit("tag_too_long", part.filename, "max_tag", bytes=MAX_TAG_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                ValueError, zlib.error):
            continue  # the reader reports a damaged part
        problem = check_shape(rows, columns)
        if problem is not None:
            return problem
        cells += rows * columns
    text_allowed = min(MAX_UNPACKED_BYTES, MAX_UNPACK_RATIO * max(size, 1))
    if shared_text > text_allowed:
        mb = shared_text / 1024 / 1024
        return _limit(
            "too_large_unpacked", f"{mb:,.0f} MB of shared text in the cells of {_size_text(size)}",
            "max_shared_text", ratio=MAX_UNPACK_RATIO, mb=MAX_UNPACKED_BYTES // 1024 // 1024)
    allowed = int(MAX_CELLS_PER_BYTE * size)
    if cells > allowed:
        return _limit("too_many_cells", f"{cells:,} cells in {_size_text(size)}", "max_cells",
                      per_byte=f"{MAX_CELLS_PER_BYTE:g}", cells=allowed)
    return None


def check_shape(rows: int, columns: int) -> LimitProblem | None:
    if rows > MAX_ROWS + 1:  # + the header row
        return _limit("too_many_rows", f"{rows:,}", "max_rows", rows=MAX_ROWS)
    if columns > MAX_COLUMNS:
        return _limit("too_many_columns", f"{columns:,}", "max_columns",
                      columns=str(MAX_COLUMNS))
    return None


def check_text(data: bytes) -> LimitProblem | None:
    """A CSV file: its line breaks bound its rows (counted in C, before parsing)."""
    return check_shape(data.count(b"\n"), 0)


def check_cells(width: int, longest: int) -> LimitProblem | None:
    """After a sheet was read: its width and its longest cell."""
    problem = check_shape(0, width)
    if problem is not None:
        return problem
    if longest > MAX_CELL_CHARS:
        return _limit("cell_too_long", f"{longest:,} characters", "max_cell",
                      chars=MAX_CELL_CHARS)
    return None


class JsonLimitError(ValueError):
    """JSON nested deeper than allowed (the message says how deep)."""


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON, measured without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


def load_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses deep nesting with a JsonLimitError instead of a
    RecursionError (or a parse that takes the interpreter's whole stack)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonLimitError(f"nested deeper than {max_depth} levels") from None
    depth = json_depth(value)
    if depth > max_depth:
        raise JsonLimitError(f"nested {depth} levels deep; at most {max_depth} are allowed")
    return value
