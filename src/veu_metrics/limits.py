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
import re
import zipfile
from dataclasses import dataclass
from typing import Any

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
The Excel reader holds the whole sheet (about 4–5 bytes of memory per unpacked byte,
docs/PERFORMANCE.md): this ratio and MAX_UNPACKED_BYTES bound that."""
MAX_ZIP_PARTS = 2_000
"""Parts in one workbook (a sheet, its strings, styles … — a few dozen in practice)."""
MAX_JSON_DEPTH = 32
"""Nesting of metadata.json and GeoJSON (a MultiPolygon's coordinates nest 4 deep)."""

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class LimitProblem:
    """A limit a file exceeds: which (``kind``), what was found, and the limit, in words."""

    kind: str
    found: str
    expected_en: str
    expected_da: str


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
        return LimitProblem("too_many_parts", f"{len(parts)}",
                            f"a workbook of at most {MAX_ZIP_PARTS} parts",
                            f"en projektmappe med højst {MAX_ZIP_PARTS} dele")
    unpacked = sum(max(part.file_size, 0) for part in parts)
    allowed = min(MAX_UNPACKED_BYTES, MAX_UNPACK_RATIO * max(len(data), 1))
    if unpacked > allowed:
        mb = unpacked / 1024 / 1024
        return LimitProblem(
            "too_large_unpacked", f"{mb:,.0f} MB unpacked from {len(data) / 1024 / 1024:,.1f} MB",
            f"a workbook that unpacks to at most {MAX_UNPACK_RATIO}× its size and "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB (save large tables as CSV)",
            f"en projektmappe, der udpakket fylder højst {MAX_UNPACK_RATIO} gange sin størrelse "
            f"og {MAX_UNPACKED_BYTES // 1024 // 1024} MB (gem store tabeller som CSV)")
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
    return None


def check_shape(rows: int, columns: int) -> LimitProblem | None:
    if rows > MAX_ROWS + 1:  # + the header row
        return LimitProblem("too_many_rows", f"{rows:,}",
                            f"at most {MAX_ROWS:,} rows in one file (split it)",
                            f"højst {MAX_ROWS:,} rækker i én fil (del den op)".replace(",", "."))
    if columns > MAX_COLUMNS:
        return LimitProblem("too_many_columns", f"{columns:,}",
                            f"at most {MAX_COLUMNS} columns", f"højst {MAX_COLUMNS} kolonner")
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
        return LimitProblem("cell_too_long", f"{longest:,} characters",
                            f"cells of at most {MAX_CELL_CHARS:,} characters",
                            f"celler på højst {MAX_CELL_CHARS:,} tegn".replace(",", "."))
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
