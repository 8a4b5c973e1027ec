"""Reading the organisation's own files (CSV, Excel, Parquet, a public source's JSON) into sheets.

Files come as people make them: ``;`` or ``,`` separated, UTF-8 with or without BOM or
Windows-1252, Danish column names, a title row above the header, a public source's published
layout. This module finds out what each file is (whatever its name says), decodes it, finds its
header row and turns it into a :class:`Sheet`: text cells ``c0…cN`` plus the row number as the
user sees it (``report.ROW``: 1-based, counting the header and any title rows), read in chunks
where the format allows (CSV, Excel through ``xlsx_stream``). It reports every problem it meets
while reading (format, size limits, quoting, header) instead of stopping at the first.

Mapping a sheet onto a table and typing its cells is :mod:`veu_metrics.ingest.pipeline` and
:mod:`veu_metrics.ingest.values`; docs/IMPORT.md documents all of it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from veu_metrics import limits, schema
from veu_metrics.i18n import t
from veu_metrics.ingest import published, xlsx_stream
from veu_metrics.ingest.columns import aliases_by_table, columns_of
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.report import ROW, FileSummary, Problems
from veu_metrics.occupations import OCCUPATION_SCHEMA, conform_occupations
from veu_metrics.text import name_key  # headers fold like every other name

if TYPE_CHECKING:
    from veu_metrics.ingest.pipeline import ParsedUpload


CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
METADATA_FILE = "metadata.json"
HEADER_SEARCH_ROWS = 20
"""The header row is looked for among this many rows at the top (title rows above it are skipped)."""
CHUNK_ROWS = 10_000
"""CSV records held as Python strings before they become a frame (issue 13: at 100,000 the
records of a 90,000-row file were all held at once, 15.9× the file's size in memory; at 10,000
it is 7.6–7.8×, docs/PERFORMANCE.md)."""

# File names (without extension) accepted for each table, besides the table's own name.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "courses": ("kurser", "kursus", "hold"),
    "enrolments": ("enrollments", "deltagelser", "deltagere", "tilmeldinger"),
    "balance": ("arbejdsmarkedsbalance", "arbejdsmarkedsbalancen", "balancen"),
    "unemployment": ("ledighed", "fuldtidsledige"),
    "targets": ("maal", "maaltal", "strategimaal"),
    "conditions": ("rammevilkaar",),
}

# Column names accepted besides the model's own (docs/DATA.md), per table, written as they are
# after normalisation (lower case, æ→ae, ø→oe, å→aa, anything else non-alphanumeric → "_"): so
# "Køn", "KØN" and "køn " all match "koen", and "Kursus-id" matches "kursus_id". Declared per
# column in ingest/columns.py (``ColumnSpec.aliases``).
COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = aliases_by_table()


def column_lookup(table: str) -> dict[str, str]:
    """Every accepted (normalised) header name of a table → the model's column name."""
    lookup = {column: column for column in schema.TABLES[table]}
    for spec in columns_of(table):
        for alias in spec.all_aliases:
            lookup.setdefault(alias, spec.column)
    return lookup


def table_for_name(name: str) -> str | None:
    """The table a file or sheet name names: 'courses.csv', 'Kurser 2024.xlsx', 'enrolments/part-0'."""
    parts = [p for p in re.split(r"[\\/]", name) if p]
    for part in reversed(parts):
        stem = name_key(Path(part).stem if "." in part else part)
        candidates = sorted(
            ((alias, table) for table, aliases in TABLE_ALIASES.items()
             for alias in (table, *aliases)),
            key=lambda pair: -len(pair[0]),
        )
        for alias, table in candidates:
            if stem == alias or stem.startswith(alias + "_"):
                return table
    return None


@dataclass
class Sheet:
    """One grid of cells read from a file, before it is mapped onto a table."""

    source: str
    format: str
    header: list[str | None]
    header_row: int | None
    parts: list[pl.DataFrame]  # String columns c0…cN plus ROW; consumed as they are parsed
    table_hint: str | None
    encoding: str | None = None
    separator: str | None = None
    danish_numbers: bool = False  # a public source's layout: dots are thousands separators
    reader: Callable[[set[int]], Iterator[pl.DataFrame]] | None = None
    """For a sheet streamed from its file (Excel, CSV): a fresh iterator of its text chunks (as
    ``parts``; none are held); it notes in the set the columns right of the header that hold a
    value. ``parts`` is then empty."""
    read_problems: Problems | None = None
    """What the last pass of ``reader`` found in the file itself (a CSV file's ragged rows),
    reported before what the header and the cells say."""


# ---------------------------------------------------------------------------------------------
# Entry points


def collect_files(paths: Sequence[Path | str]) -> list[tuple[str, bytes]]:
    """Read the files named on a command line: files as given, directories' data files.

    A directory's sub-folder named by a table (``enrolments/part-00000.parquet`` …) is read as
    that table. Raises FileNotFoundError for a path that does not exist.
    """
    files: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        if path.is_file():
            files.append((path.name, path.read_bytes()))
            continue
        for child in sorted(path.iterdir()):
            if child.is_file():
                files.append((child.name, child.read_bytes()))
            elif child.is_dir() and table_for_name(child.name) is not None:
                for part in sorted(child.iterdir()):
                    if part.is_file() and not _is_hidden(part.name):
                        files.append((f"{child.name}/{part.name}", part.read_bytes()))
    return files


def _read_occupations_file(name: str, data: bytes, problems: Problems) -> pl.DataFrame | None:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
        if "occupation_code" not in frame.columns or "title_da" not in frame.columns:
            raise ValueError("needs the columns occupation_code and title_da")
        return conform_occupations(frame.select(
            [c for c in frame.columns if c in OCCUPATION_SCHEMA]))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        problems.error(name, "unreadable", expect(
            "occupations_parquet", columns=", ".join(OCCUPATION_SCHEMA), error=_first_line(exc)))
        return None


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


NOTE_STEMS = ("readme", "read_me", "laesmig", "source", "sources", "kilde", "kilder", "licens",
              "license", "licence", "notes", "noter", "changelog", "dokumentation")


def is_note_file(name: str) -> bool:
    """README.txt, SOURCE.txt, LICENSE, Læs mig.txt: notes that come with public data, in a
    text file the importer would otherwise read as CSV (other extensions are ignored anyway)."""
    path = Path(name)
    stem = name_key(path.stem)
    return (path.suffix.lower() in (*CSV_EXTENSIONS, "")
            and any(stem == n or stem.startswith(n + "_") for n in NOTE_STEMS))


def _published_sheet(source: str, records: Sequence[Sequence[str | None]], first_row: int,
                     fmt: str, hint: str | None, problems: Problems, **extra: Any) -> Sheet | None:
    """A public source's layout (docs/IMPORT.md, "From the public sources") as a Sheet of the
    model's long layout, or None after reporting why not (also when it is not such a layout)."""
    grid = published.find_layout(records, first_row)
    if grid is None:
        _no_header(source, hint, problems)
        return None
    table, refusal = published.table_of(source, grid, hint)
    if refusal is not None:
        problems.error(source, "unsupported_source", refusal, value=grid.title[:120] or None)
        return None
    if table != "unemployment":
        problems.error(source, "unknown_table", expect("known_public_table"), value=grid.title[:120] or None)
        return None
    rows = published.to_unemployment(source, grid, problems)
    if rows is None:
        return None
    return Sheet(source=source, format=fmt, header=list(published.UNEMPLOYMENT_HEADER),
                 header_row=None, parts=[rows], table_hint="unemployment", danish_numbers=True,
                 **extra)


def _read_published_json(name: str, data: bytes, problems: Problems) -> Sheet | None:
    found = published.records_from_json(data)
    if found is None:
        problems.warning(name, "ignored_file", expect("data_or_api_file"))
        return None
    records, table_name = found
    return _published_sheet(f"{name}" + (f" [{table_name}]" if table_name else ""), records, 1,
                            "json", table_for_name(name), problems)


# ---------------------------------------------------------------------------------------------
# Formats


def sniff_format(data: bytes) -> str:
    """What the bytes are, whatever the name says: parquet, xlsx, xls, zip, html, text, binary."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        return "xlsx" if b"xl/" in data[:65536] or b"[Content_Types]" in data[:4096] else "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "text"
    head = data[:8192]
    if b"\x00" in head:
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    return "text"


def _wrong_format(declared: str, actual: str) -> tuple[str, str]:
    """What a file of the ``declared`` format should hold, and how to fix one holding ``actual``
    (the formats' names are ``file_format.<format>`` in messages.yaml)."""
    def text(lang: str) -> str:
        wanted = t(f"file_format.{declared}", lang)
        if actual not in _RIGHT_EXTENSION:
            return wanted
        return t("expected.format_rename", lang, format=wanted,
                 content=t(f"file_format.{actual}", lang), extension=_RIGHT_EXTENSION[actual])
    return text("en"), text("da")


_EXTENSION_FORMAT = {
    **dict.fromkeys(CSV_EXTENSIONS, "text"),
    **dict.fromkeys(EXCEL_EXTENSIONS, "xlsx"),
    **dict.fromkeys(PARQUET_EXTENSIONS, "parquet"),
}
_RIGHT_EXTENSION = {"text": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}


def _read_sheets(name: str, data: bytes, problems: Problems,
                 parsed: ParsedUpload) -> list[Sheet]:
    extension = Path(name).suffix.lower()
    if extension == ".xls":
        problems.error(name, "old_excel", expect("xlsx_or_csv"))
        return []
    declared = _EXTENSION_FORMAT.get(extension)
    if declared is None:
        problems.warning(name, "ignored_file", expect("data_file"))
        return []
    if not data:
        problems.error(name, "empty_file", expect("header_and_rows"))
        parsed.files.append(FileSummary(file=name, table=table_for_name(name), format=declared))
        return []
    actual = sniff_format(data)
    if declared == "xlsx" and actual == "zip":
        actual = _zip_kind(data)
    if actual != declared:
        problems.error(name, "wrong_format", _wrong_format(declared, actual),
                       value=t(f"file_format.{actual}", "en"))
        return []
    limit = (limits.check_excel(data) if declared == "xlsx"
             else limits.check_text(data) if declared == "text" else None)
    if limit is not None:  # refused before the expensive read
        _limit_error(name, limit, problems)
        return []
    if declared == "text":
        sheet = _read_csv(name, data, problems)
        return [sheet] if sheet is not None else []
    if declared == "xlsx":
        return _read_excel(name, data, problems)
    sheet = _read_parquet(name, data, problems)
    return [sheet] if sheet is not None else []


def _limit_error(name: str, limit: limits.LimitProblem, problems: Problems) -> None:
    problems.error(name, limit.kind, (limit.expected_en, limit.expected_da), value=limit.found)


def _within_cell_limits(sheet: Sheet, problems: Problems) -> bool:
    """A sheet's width and its longest cell, checked once it is read (before it is parsed)."""
    longest = max((_longest_cell(part) for part in sheet.parts), default=0)
    limit = limits.check_cells(len(sheet.header), longest)
    if limit is None:
        return True
    _limit_error(sheet.source, limit, problems)
    return False


def _longest_cell(part: pl.DataFrame) -> int:
    text = [c for c in part.columns if c != ROW]
    if not text or not part.height:
        return 0
    return int(part.select(pl.max_horizontal(pl.col(text).str.len_chars().max())).item() or 0)


def _zip_kind(data: bytes) -> str:
    """A zip that Excel wrote, or some other zip (a .docx, a zipped CSV)? Truncated counts as Excel."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return "xlsx"  # cut off before the directory: _read_excel reports it as truncated
    return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"


def _truncated(name: str, problems: Problems, what: tuple[str, str], row: int | None = None) -> None:
    problems.error(name, "truncated", (t("expected.complete_file", "en", what=what[0]),
                                       t("expected.complete_file", "da", what=what[1])), row=row)


# --- CSV --------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name). UTF-8 (with or without BOM), UTF-16 with BOM, else
    Windows-1252 (what Danish Excel writes as "CSV (semikolonsepareret)")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "utf-8 (BOM)" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut off in the middle of a multi-byte letter is still UTF-8.
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - 3:
            return body[: exc.start].decode("utf-8"), "utf-8 (BOM)" if bom else "utf-8"
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "latin-1"


def sniff_separator(text: str) -> str:
    """';', ',' or tab: the one that splits the top lines into the most consistent columns."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ";", (-1, -1)
    for separator in (";", ",", "\t"):
        counts = [len(row) for row in csv.reader(lines, delimiter=separator)]
        if not counts:
            continue
        widest = max(set(counts), key=lambda n: (counts.count(n), n))
        score = (counts.count(widest) if widest > 1 else 0, widest)
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv(name: str, data: bytes, problems: Problems) -> Sheet | None:
    text, encoding = decode_text(data)
    if not text or text.isspace():
        problems.error(name, "empty_file", expect("header_and_rows"))
        return None
    separator = sniff_separator(text)
    reader = csv.reader(text_lines(text), delimiter=separator, strict=True)
    records: Iterator[list[str]] = iter(reader)
    top: list[list[str]] = []
    try:
        for record in records:
            top.append(record)
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        _csv_error(name, exc, reader.line_num, len(top) + 1, problems)
        return None
    hint = table_for_name(name)
    header_index = None if published.is_published_layout(top) else find_header_row(top, hint)
    if header_index is None:  # perhaps a public source's layout: read it whole
        if published.find_layout(top) is None:  # neither: never read a large headerless file whole
            _no_header(name, hint, problems)
            return None
        try:
            everything = top + list(records)
        except csv.Error as exc:
            _csv_error(name, exc, reader.line_num, len(top) + 1, problems)
            return None
        return _published_sheet(name, everything, 1, "csv", hint, problems,
                                encoding=encoding, separator=separator)
    header: list[str | None] = list(top[header_index])
    sheet = Sheet(source=name, format="csv", header=header, header_row=header_index + 1,
                  parts=[], table_hint=hint, encoding=encoding, separator=separator)

    def stream(_beyond: set[int]) -> Iterator[pl.DataFrame]:
        sheet.read_problems = Problems(problems.cap)
        return _csv_chunks(name, text, separator, header_index, len(header),
                           sheet.read_problems)

    sheet.reader = stream
    return sheet


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def text_lines(text: str) -> Iterator[str]:
    """The lines of a text with their endings (\\n, \\r\\n or \\r), one at a time, as
    ``io.StringIO(text, newline="")`` gives them, but without its copy of the whole text at four
    bytes a character (issue 13: 4× the file before a single row was read)."""
    for line in _LINE.finditer(text):
        yield line.group()


class _CsvAbort(Exception):
    """A CSV file's quoting broke off its reading (reported): the file is not imported."""


def _csv_chunks(name: str, text: str, separator: str, header_index: int, width: int,
                problems: Problems) -> Iterator[pl.DataFrame]:
    """A CSV file's records below its header as chunks of CHUNK_ROWS rows (as ``_chunk``),
    read from the text as they are asked for; ragged rows and a cut-off last row are reported
    to ``problems`` at the end, a broken quote raises _CsvAbort (reported)."""
    reader = csv.reader(text_lines(text), delimiter=separator, strict=True)
    records_buffer: list[list[str]] = []
    row_numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    last: tuple[int, int] | None = None
    row = 0
    try:
        for record in reader:
            row += 1
            if row <= header_index + 1:
                continue  # the header and the rows above it (read when it was found)
            count = len(record)
            if count != width:  # the rare cases, off the fast path
                if not "".join(record).strip():
                    continue  # blank line
                if count > width and not "".join(record[width:]).strip():
                    record, count = record[:width], width  # trailing empty fields: harmless
                else:
                    ragged.append((row, count))
                    record = (record + [""] * width)[:width]
            elif not "".join(record).strip():
                continue  # a row of empty fields (;;;;)
            last = (row, count)
            records_buffer.append(record)
            row_numbers.append(row)
            if len(row_numbers) >= CHUNK_ROWS:
                yield _chunk(records_buffer, row_numbers, width)
                records_buffer, row_numbers = [], []
    except csv.Error as exc:
        _csv_error(name, exc, reader.line_num, row + 1, problems)
        raise _CsvAbort(name) from None
    if row_numbers:
        yield _chunk(records_buffer, row_numbers, width)
    cut_off = not text.endswith(("\n", "\r"))
    if cut_off and last is not None and last[1] < width and ragged and ragged[-1][0] == last[0]:
        ragged.pop()
        _truncated(name, problems, expect("last_row_fields", fields=last[1], width=width),
                   row=last[0])
    for bad_row, count in ragged:
        problems.error(name, "ragged_row", expect(
            "fields_like_header", width=width, separator=separator),
            row=bad_row, value=f"{count} fields")


def _chunk(records: list[list[str]], row_numbers: list[int], width: int) -> pl.DataFrame:
    columns = list(zip(*records, strict=True)) if records else [() for _ in range(width)]
    data: dict[str, Any] = {f"c{i}": list(column) for i, column in enumerate(columns)}
    frame = pl.DataFrame(data, schema={f"c{i}": pl.String for i in range(width)})
    return frame.with_columns(pl.Series(ROW, row_numbers, dtype=pl.Int64))


def _csv_error(name: str, exc: csv.Error, line: int, row: int, problems: Problems) -> None:
    if "unexpected end of data" in str(exc):
        _truncated(name, problems, expect("closing_quote"), row=row)
    else:
        problems.error(name, "bad_quoting", expect("quoting"), row=row, value=f"line {line}: {exc}")


# --- Excel ------------------------------------------------------------------------------------


def _read_excel(name: str, data: bytes, problems: Problems) -> list[Sheet]:
    try:
        zipfile.ZipFile(io.BytesIO(data))  # the zip directory is at the end: cut off → no directory
    except (zipfile.BadZipFile, EOFError, OSError):
        _truncated(name, problems, expect("workbook_opens"))
        return []
    try:
        book = xlsx_stream.open_workbook(data)
    except xlsx_stream.XlsxError as exc:
        _unreadable_excel(name, exc, problems)
        return []
    names = book.sheet_names
    named = [n for n in names if table_for_name(n) is not None]
    chosen = named or names[:1]
    skipped = [n for n in names if n not in chosen]
    if skipped:  # never drop a sheet of data silently
        problems.warning(name, "ignored_sheet", expect("sheet_per_table"), value=", ".join(skipped))
    sheets: list[Sheet] = []
    for sheet_name in chosen:
        source = name if len(chosen) == 1 else f"{name} [{sheet_name}]"
        hint = table_for_name(sheet_name) or table_for_name(name)
        sheet = _read_excel_sheet(book, sheet_name, source, hint, problems)
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def _unreadable_excel(source: str, exc: Exception, problems: Problems) -> None:
    problems.error(source, "unreadable", expect("xlsx_readable"), value=_first_line(exc))


def _read_excel_sheet(book: xlsx_stream.Workbook, sheet_name: str, source: str,
                      hint: str | None, problems: Problems) -> Sheet | None:
    """The sheet's top rows are read to find the header; its rows below are streamed in
    chunks when the sheet is parsed (``Sheet.reader``), never held whole."""
    try:
        # Rows 1…HEADER_SEARCH_ROWS, empty ones included: the index is the sheet row (0-based).
        top = xlsx_stream.grid_rows(xlsx_stream.iter_rows(book, sheet_name, 1 << 14),
                                    HEADER_SEARCH_ROWS)
        empty = not top and next(xlsx_stream.iter_rows(book, sheet_name, 1 << 14), None) is None
    except xlsx_stream.XlsxError as exc:
        _unreadable_excel(source, exc, problems)
        return None
    if empty:
        problems.error(source, "empty_file", expect("sheet_header_and_rows"))
        return None
    header_index = None if published.is_published_layout(top) else find_header_row(top, hint)
    if header_index is None:  # perhaps a public source's layout (StatBank's XLSX download)
        try:
            grid = xlsx_stream.grid_rows(xlsx_stream.iter_rows(book, sheet_name))
        except xlsx_stream.XlsxError as exc:
            _unreadable_excel(source, exc, problems)
            return None
        return _published_sheet(source, grid, 1, "excel", hint, problems)
    header = top[header_index]
    header_row = header_index + 1  # 1-based sheet row of the header

    def reader(beyond: set[int]) -> Iterator[pl.DataFrame]:
        below = (r for r in xlsx_stream.iter_rows(book, sheet_name) if r[0] > header_row)
        return xlsx_stream.iter_chunks(below, len(header), ROW, beyond=beyond)

    return Sheet(source=source, format="excel", header=header, header_row=header_row, parts=[],
                 table_hint=hint, reader=reader)


def _excel_cell_text(series: pl.Series) -> pl.Series:
    """Typed cells (a Parquet file's dates) → text the value parsers understand, without losing
    precision."""
    dtype = series.dtype
    if dtype == pl.Float64:
        finite = series.drop_nulls()
        largest = finite.abs().max()
        if finite.len() and (finite == finite.round(0)).all() and isinstance(largest, float) \
                and largest < 2**53:
            return series.cast(pl.Int64).cast(pl.String)  # 101.0 → "101", codes stay codes
        return series.cast(pl.String)
    if dtype == pl.Date:
        return series.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        frame = pl.DataFrame({"v": series})
        return frame.select(
            pl.when(pl.col("v").dt.time() == pl.time(0))
            .then(pl.col("v").dt.strftime("%Y-%m-%d"))
            .otherwise(pl.col("v").dt.strftime("%Y-%m-%d %H:%M:%S"))
        ).to_series()
    if dtype == pl.Boolean:
        return series.cast(pl.String)
    return series.cast(pl.String)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


# --- Parquet ----------------------------------------------------------------------------------


def _read_parquet(name: str, data: bytes, problems: Problems) -> Sheet | None:
    if not data.endswith(b"PAR1"):
        _truncated(name, problems, expect("parquet_footer"))
        return None
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        problems.error(name, "unreadable", expect("parquet_readable"),
                       value=_first_line(exc))
        return None
    columns = []
    for i, column in enumerate(frame.columns):
        series = frame.get_column(column)
        if isinstance(series.dtype, pl.List):
            text = series.list.eval(pl.element().cast(pl.String)).list.join("|")
        elif isinstance(series.dtype, pl.Date | pl.Datetime):
            text = _excel_cell_text(series)
        else:
            try:
                text = series.cast(pl.String)
            except pl.exceptions.PolarsError:
                text = pl.Series([None] * frame.height, dtype=pl.String)
        columns.append(text.alias(f"c{i}"))
    rows = pl.DataFrame(columns) if columns else pl.DataFrame()
    rows = rows.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))
    # Parquet has no header row: row 1 is the first record.
    return Sheet(source=name, format="parquet", header=list(frame.columns), header_row=None,
                 parts=[rows], table_hint=table_for_name(name))


# ---------------------------------------------------------------------------------------------
# Header row


def find_header_row(records: Sequence[Sequence[str | None]], table: str | None) -> int | None:
    """Index of the first row that reads as a header: at least two cells, and at least half of
    its non-empty cells, are known column names (of ``table``, or of any table)."""
    names: set[str] = set()
    for candidate in [table] if table else list(schema.TABLES):
        names.update(column_lookup(candidate))
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        cells = [name_key(c) for c in record if c is not None and str(c).strip()]
        hits = sum(cell in names for cell in cells)
        if hits >= 2 and hits * 2 >= len(cells):
            return index
    return None


def _no_header(name: str, table: str | None, problems: Problems) -> None:
    if table is None:  # neither the name nor a header says what this is
        _unknown_table(name, problems)
        return
    columns = list(schema.TABLES[table]) if table else ["course_id", "title", "…"]
    shown = ", ".join(columns[:6]) + (", …" if len(columns) > 6 else "")
    problems.error(name, "no_header", expect("header_row", rows=HEADER_SEARCH_ROWS, shown=shown))


def _unknown_table(name: str, problems: Problems) -> None:
    problems.error(name, "unknown_table", expect("file_by_table"))


# ---------------------------------------------------------------------------------------------
# metadata.json


def _read_metadata(name: str, data: bytes, problems: Problems) -> dict[str, Any] | None:
    expected = expect("metadata")
    if not data.strip():
        problems.error(name, "empty_file", expected)
        return None
    text, _ = decode_text(data)
    try:
        metadata = limits.load_json(text)
    except json.JSONDecodeError as exc:
        problems.error(name, "metadata_invalid", expected, row=exc.lineno, value=exc.msg)
        return None
    except limits.JsonLimitError as exc:
        problems.error(name, "metadata_too_deep", expect("json_depth", depth=limits.MAX_JSON_DEPTH),
                       value=str(exc))
        return None
    if not isinstance(metadata, dict):
        problems.error(name, "metadata_invalid", expected, value=type(metadata).__name__)
        return None
    valid = True
    dates: dict[str, date] = {}
    for key in ("covers_from", "covers_to", "next_update"):
        value = metadata.get(key)
        if value is None or (key == "next_update" and value == ""):
            continue
        try:
            dates[key] = date.fromisoformat(str(value))
        except ValueError:
            problems.error(name, "metadata_invalid", expect("iso_date"),
                           column=key, value=str(value))
            valid = False
    if "synthetic" in metadata and not isinstance(metadata["synthetic"], bool):
        problems.error(name, "metadata_invalid", expect("true_false"),
                       column="synthetic", value=str(metadata["synthetic"]))
        valid = False
    if "covers_from" in dates and "covers_to" in dates and dates["covers_from"] > dates["covers_to"]:
        problems.error(name, "metadata_invalid", expect("covers_order", last=dates["covers_to"]),
                       column="covers_from", value=str(metadata["covers_from"]))
        valid = False
    return metadata if valid else None
