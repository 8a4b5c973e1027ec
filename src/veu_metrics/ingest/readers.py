"""Reading the organisation's own files (CSV, Excel, Parquet) into the data model's tables.

Files come as people make them: ``;`` or ``,`` separated, UTF-8 with or without BOM or
Windows-1252, decimal commas, dates as ``2024-03-01``, ``01-03-2024`` or ``01.03.2024``, Danish
column names, a title row above the header, municipality codes as ``101`` or ``0101``. This module
turns each file into typed frames with the model's column names, and reports every problem it
meets while reading (format, header, type) instead of stopping at the first. The rules that need
whole tables (codes, keys, cross-table links) are in :mod:`veu_metrics.validation`.

Every parsed frame carries two bookkeeping columns, ``validation.SOURCE`` (the file name) and
``validation.ROW`` (the row number as the user sees it: 1-based, counting the header and any title
rows), so that any later check can point at the exact cell. docs/IMPORT.md documents all of it.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from veu_metrics import limits, schema
from veu_metrics.geography import areas, municipalities
from veu_metrics.i18n import t
from veu_metrics.ingest import published, xlsx_stream
from veu_metrics.ingest.columns import aliases_by_table, column_spec, columns_of
from veu_metrics.ingest.expected import EXPECTED_COLUMNS, expect, expect_rows
from veu_metrics.ingest.report import ROW, SOURCE, FileSummary, Problems
from veu_metrics.occupations import (
    ASSIGNED_CODE_PREFIX,
    OCCUPATION_SCHEMA,
    OCCUPATIONS_FILE,
    THEME_ENUM,
    THEMES,
    assigned_code,
    conform_occupations,
    occupations,
    title_key,
)
from veu_metrics.text import name_key as normalize_name  # headers fold like every other name
from veu_metrics.text import name_key_expr as _normalized

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

TITLE_ALIASES = frozenset(column_spec("balance", "occupation_code").title_aliases)
"""Balance columns holding job titles: read as occupation_code (titles become codes) unless the
file also has a code column; then the title names the code if the reference list lacks it."""

OCCUPATION_TITLE = "__occupation_title"
"""Bookkeeping column of a parsed balance: the job title a row gave (from a title column, or a
title written where the code belongs). ``parse_upload`` turns it into ``ParsedUpload.occupations``."""

TRUE_WORDS = ("ja", "j", "yes", "y", "true", "sand", "1")
FALSE_WORDS = ("nej", "n", "no", "false", "falsk", "0")
EXCEL_EPOCH = date(1899, 12, 30)


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
        stem = normalize_name(Path(part).stem if "." in part else part)
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


@dataclass
class ParsedUpload:
    """What the importer made of the files: typed frames per table, metadata, file summaries."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    files: list[FileSummary] = field(default_factory=list)
    occupations_file: pl.DataFrame | None = None
    """A dataset's own occupation list supplied as ``occupations.parquet`` (as a dataset directory
    holds it: ``occupations.OCCUPATION_SCHEMA``), or None."""
    occupations: pl.DataFrame | None = None
    """Occupations the balance files use that the reference list lacks (``occupation_code``,
    ``title_da``; the title is the code when a file gave none), with SOURCE and ROW of the first
    row that named each; None when there are none."""


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


def parse_upload(files: Sequence[tuple[str, bytes]], problems: Problems) -> ParsedUpload:
    """Read every file, map it onto a table, parse its values; add problems as they are found."""
    parsed = ParsedUpload()
    frames: dict[str, list[pl.DataFrame]] = {}
    for name, data in files:
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if _is_hidden(base):
            continue  # Excel's ~$lock files, .DS_Store and friends
        if base.lower() == METADATA_FILE:
            parsed.metadata = _read_metadata(name, data, problems)
            parsed.files.append(FileSummary(file=name, table=None, format="json"))
            continue
        if base.lower() == OCCUPATIONS_FILE:
            parsed.occupations_file = _read_occupations_file(name, data, problems)
            parsed.files.append(FileSummary(file=name, table=None, format="parquet"))
            continue
        if is_note_file(base):
            problems.warning(name, "note_file", expect("data_files_only"))
            continue
        if base.lower().endswith(".json"):
            sheet = _read_published_json(name, data, problems)
            sheets = [sheet] if sheet is not None else []
        else:
            sheets = _read_sheets(name, data, problems, parsed)
        for sheet in sheets:
            if sheet.reader is None and not _within_cell_limits(sheet, problems):
                continue
            result = _sheet_to_table(sheet, problems)
            if result is None:
                continue
            table, frame = result
            frames.setdefault(table, []).append(frame)
            parsed.files.append(FileSummary(
                file=sheet.source, table=table, format=sheet.format, rows=frame.height,
                encoding=sheet.encoding, separator=sheet.separator, header_row=sheet.header_row,
            ))
    for table, parts in frames.items():
        parsed.tables[table] = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    if "balance" in parsed.tables:
        _report_code_clashes(parsed.tables["balance"], problems)
        parsed.occupations = imported_occupations(parsed.tables["balance"])
        parsed.tables["balance"] = parsed.tables["balance"].drop(OCCUPATION_TITLE, strict=False)
    if not parsed.tables and parsed.metadata is None and not problems.has_errors():
        problems.error("(input)", "no_files", expect("files_by_table"))
    return parsed


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


def _report_code_clashes(balance: pl.DataFrame, problems: Problems) -> None:
    """Two different titles with the same assigned code (8 hex digits of a hash: about one chance
    in 10,000 among 900 titles) would silently become one occupation: refused instead."""
    if OCCUPATION_TITLE not in balance.columns:
        return
    pairs = (balance.filter(pl.col("occupation_code").str.starts_with(ASSIGNED_CODE_PREFIX)
                            & pl.col(OCCUPATION_TITLE).is_not_null())
             .unique(["occupation_code", OCCUPATION_TITLE], keep="first", maintain_order=True)
             .select("occupation_code", OCCUPATION_TITLE, SOURCE, ROW))
    first: dict[str, str] = {}
    for code, title, source, row in pairs.iter_rows():
        other = first.setdefault(code, title)
        if title_key(other) != title_key(title):
            problems.error(source, "assigned_code_clash", expect(
                "own_codes", other=other, title=title, code=code), row=row, column="occupation_code", value=title)


def imported_occupations(balance: pl.DataFrame) -> pl.DataFrame | None:
    """The occupations a parsed balance uses that the reference list lacks: each code once, with
    the first title given for it (else the code), and where it was first seen."""
    title = pl.col(OCCUPATION_TITLE) if OCCUPATION_TITLE in balance.columns \
        else pl.lit(None, dtype=pl.String)
    own = (
        balance.filter(pl.col("occupation_code").is_not_null()
                       & ~pl.col("occupation_code").is_in(occupations()["occupation_code"].implode()))
        .group_by("occupation_code", maintain_order=True)
        .agg(title.drop_nulls().first().alias("title_da"), pl.col(SOURCE).first(),
             pl.col(ROW).first())
        .with_columns(pl.col("title_da").fill_null(pl.col("occupation_code")))
    )
    if own.height == 0:
        return None
    return conform_occupations(own).with_columns(own[SOURCE], own[ROW])


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


NOTE_STEMS = ("readme", "read_me", "laesmig", "source", "sources", "kilde", "kilder", "licens",
              "license", "licence", "notes", "noter", "changelog", "dokumentation")


def is_note_file(name: str) -> bool:
    """README.txt, SOURCE.txt, LICENSE, Læs mig.txt: notes that come with public data, in a
    text file the importer would otherwise read as CSV (other extensions are ignored anyway)."""
    path = Path(name)
    stem = normalize_name(path.stem)
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
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


class _CsvAbort(Exception):
    """A CSV file's quoting broke off its reading (reported): the file is not imported."""


def _csv_chunks(name: str, text: str, separator: str, header_index: int, width: int,
                problems: Problems) -> Iterator[pl.DataFrame]:
    """A CSV file's records below its header as chunks of CHUNK_ROWS rows (as ``_chunk``),
    read from the text as they are asked for; ragged rows and a cut-off last row are reported
    to ``problems`` at the end, a broken quote raises _CsvAbort (reported)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
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
# Header and table


def find_header_row(records: Sequence[Sequence[str | None]], table: str | None) -> int | None:
    """Index of the first row that reads as a header: at least two cells, and at least half of
    its non-empty cells, are known column names (of ``table``, or of any table)."""
    names: set[str] = set()
    for candidate in [table] if table else list(schema.TABLES):
        names.update(column_lookup(candidate))
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        cells = [normalize_name(c) for c in record if c is not None and str(c).strip()]
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


def guess_table(header: Sequence[str | None]) -> str | None:
    """The table whose column names cover most of a header (at least half of its cells)."""
    cells = [normalize_name(c) for c in header if c is not None and str(c).strip()]
    best, best_hits = None, 0
    for table in schema.TABLES:
        lookup = column_lookup(table)
        hits = len({lookup[c] for c in cells if c in lookup})
        if hits > best_hits:
            best, best_hits = table, hits
    return best if cells and best_hits * 2 >= len(cells) else None


@dataclass
class _Mapping:
    """How a sheet's columns become a table's: one expression per model column (in the
    table's order) and the balance's title column."""

    table: str
    columns: dict[str, pl.Expr]
    extra: list[pl.Expr]
    present: set[str]
    deferred: list[tuple[int, str]]
    """Unnamed columns of a streamed sheet: reported when a chunk shows they hold a value."""
    title_fill: bool


def _sheet_to_table(sheet: Sheet, problems: Problems) -> tuple[str, pl.DataFrame] | None:
    """Map a sheet's header onto a table, then parse and check its rows chunk by chunk: only
    the typed chunks are kept (issue 13: the text of a whole sheet beside its parsed copy cost
    many times the file's size; docs/PERFORMANCE.md).

    The header's problems are reported first, then the number rule's warnings, then the cells'
    problems, as when a sheet was parsed whole. The number rule needs every row: a streamed
    sheet (Excel) is parsed by the rule of its first chunk and read once more in the rare case
    that its later chunks change the rule."""
    head = Problems(problems.cap)
    mapping = _map_header(sheet, head)
    if mapping is None:
        problems.merge(head)
        return None
    table, present = mapping.table, mapping.present
    numeric = _number_columns(table, present)

    def to_table(chunk: pl.DataFrame) -> pl.DataFrame:
        raw = chunk.select(pl.lit(sheet.source, dtype=pl.String).alias(SOURCE), pl.col(ROW),
                           *[e.alias(c) for c, e in mapping.columns.items()], *mapping.extra)
        if mapping.title_fill:  # a row with a title but no code is read by its title
            raw = raw.with_columns(pl.coalesce("occupation_code", OCCUPATION_TITLE)
                                   .alias("occupation_code"))
        if table == "balance":
            raw = raw.with_columns(_occupation_by_title(raw["occupation_code"]))
        return raw

    def decide(stats: dict[str, dict[str, Any]], into: Problems | None = None,
               ) -> dict[str, NumberMode]:
        return decide_number_modes(table, stats, sheet.source, into or Problems(),
                                   danish=sheet.danish_numbers)

    beyond: set[int] = set()
    try:
        if sheet.reader is None:  # in memory: the rule is decided from all rows first
            stats: dict[str, dict[str, Any]] = {}
            for part in sheet.parts:
                stats = merge_number_stats(stats, number_stats(table, part.select(
                    *[mapping.columns[c].alias(c) for c in numeric]), present))
            parsed = _parse_chunks(sheet, table, to_table, mapping, decide(stats),
                                   _eager_chunks(sheet), problems)
        else:
            parsed = _parse_chunks(sheet, table, to_table, mapping, None, sheet.reader(beyond),
                                   problems)
            if parsed is not None and parsed.modes != decide(parsed.stats):
                parsed = _parse_chunks(sheet, table, to_table, mapping, decide(parsed.stats),
                                       sheet.reader(set()), problems)
    except xlsx_stream.XlsxError as exc:
        _unreadable_excel(sheet.source, exc, problems)
        return None
    except _CsvAbort:
        problems.merge(sheet.read_problems or Problems())
        return None
    if sheet.read_problems is not None:
        problems.merge(sheet.read_problems)
    if parsed is None:
        return None  # a cell over the limits (reported)
    _report_after_rows(sheet, table, mapping, parsed, beyond, head)
    problems.merge(head)
    decide(parsed.stats, problems)
    problems.merge(parsed.problems)
    typed = parsed.typed
    frame = pl.concat(typed, how="vertical") if len(typed) > 1 else typed[0]
    return table, frame


def _report_after_rows(sheet: Sheet, table: str, mapping: _Mapping, parsed: _Parsed,
                       beyond: set[int], head: Problems) -> None:
    """The header's problems only the rows can show: an unnamed column that holds values, a
    value beyond the header, no rows at all."""
    for index, label in mapping.deferred:
        if index in parsed.filled:
            _unknown_column(sheet, head, table, label, index, {})
    for index in sorted(beyond):
        _unknown_column(sheet, head, table, "", index, {})
    if parsed.rows == 0:
        head.error(sheet.source, "no_rows", expect("data_row"), row=sheet.header_row)


@dataclass
class _Parsed:
    typed: list[pl.DataFrame]
    stats: dict[str, dict[str, Any]]
    modes: dict[str, NumberMode]
    problems: Problems
    filled: set[int]
    rows: int


def _eager_chunks(sheet: Sheet) -> Iterator[pl.DataFrame]:
    """A sheet's parts in CHUNK_ROWS slices, each part let go once it has been handed out."""
    while sheet.parts:
        part = sheet.parts.pop(0)
        for offset in range(0, part.height, CHUNK_ROWS):
            yield part.slice(offset, CHUNK_ROWS)
        del part


def _parse_chunks(sheet: Sheet, table: str, to_table: Callable[[pl.DataFrame], pl.DataFrame],
                  mapping: _Mapping, modes: dict[str, NumberMode] | None,
                  chunks: Iterator[pl.DataFrame], problems: Problems) -> _Parsed | None:
    """Each text chunk → the table's columns → typed values and their problems; the text is let
    go before the next chunk is read. None when a streamed chunk breaks a cell limit (reported
    to ``problems``); the cells' problems are collected apart (``_Parsed.problems``)."""
    body = Problems(problems.cap)
    typed: list[pl.DataFrame] = []
    stats: dict[str, dict[str, Any]] = {}
    filled: set[int] = set()
    rows = 0
    for chunk in chunks:
        if sheet.reader is not None:  # a sheet in memory was checked whole before
            limit = limits.check_cells(len(sheet.header), _longest_cell(chunk))
            if limit is not None:
                _limit_error(sheet.source, limit, problems)
                return None
        for index, _ in mapping.deferred:
            if index not in filled and chunk.get_column(f"c{index}").drop_nulls() \
                    .str.strip_chars().replace("", None).drop_nulls().len():
                filled.add(index)
        raw = to_table(chunk)
        del chunk
        rows += raw.height
        chunk_stats = number_stats(table, raw, mapping.present)
        if modes is None:  # a streamed sheet: its first chunk decides (checked at the end)
            modes = decide_number_modes(table, chunk_stats, sheet.source, Problems(),
                                        danish=sheet.danish_numbers)
        stats = merge_number_stats(stats, chunk_stats)
        typed.append(parse_values(table, raw, sheet.source, sheet.format, body,
                                  present=mapping.present, danish_numbers=sheet.danish_numbers,
                                  modes=modes))
        del raw
    if not typed:  # no rows: the table's empty frame
        empty = pl.DataFrame(schema={**{f"c{i}": pl.String for i in range(len(sheet.header))},
                                     ROW: pl.Int64})
        modes = modes if modes is not None else {}
        typed.append(parse_values(table, to_table(empty), sheet.source, sheet.format, body,
                                  present=mapping.present, danish_numbers=sheet.danish_numbers,
                                  modes=modes))
    return _Parsed(typed=typed, stats=stats, modes=modes or {}, problems=body, filled=filled,
                   rows=rows)


def _unknown_column(sheet: Sheet, problems: Problems, table: str, label: str, index: int,
                    lookup: dict[str, str]) -> None:
    key = normalize_name(label)
    close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.75)
    problems.error(sheet.source, "unknown_column", expect(
        "column_of_table_hint" if close else "column_of_table", table=table,
        columns=", ".join(schema.TABLES[table]), close=lookup[close[0]] if close else ""),
        row=sheet.header_row, column=label or f"(column {index + 1})", value=label)


def _missing_columns(sheet: Sheet, table: str, mapped: dict[str, int], problems: Problems
                     ) -> dict[str, pl.Expr]:
    """Report the table's columns the header lacks; return those that can be derived from
    others (a balance's area scheme from its area)."""
    derived: dict[str, pl.Expr] = {}
    for column in schema.TABLES[table]:
        if column in mapped:
            continue
        aliases = ", ".join(column_spec(table, column).all_aliases) or "–"
        if table == "balance" and column == "area_scheme" and "area_code" in mapped:
            # STAR's files name the area only: its scheme follows from it
            derived[column] = _normalized(_clean(pl.col(f"c{mapped['area_code']}"))).replace_strict(
                _area_schemes(), default=None, return_dtype=pl.String)
            problems.warning(sheet.source, "column_filled", expect("area_scheme_column"), row=sheet.header_row, column=column)
            continue
        if column in schema.NULLABLE[table]:
            problems.warning(sheet.source, "column_filled", expect(
                "column", column=column, aliases=aliases), row=sheet.header_row, column=column)
        else:
            problems.error(sheet.source, "missing_column", expect(
                "column", column=column, aliases=aliases), row=sheet.header_row, column=column)
    return derived


def _map_header(sheet: Sheet, problems: Problems) -> _Mapping | None:
    """Which table the sheet is, and which of its columns is which of the table's."""
    table = sheet.table_hint
    if table is None:
        table = guess_table(sheet.header)
        if table is None:
            _unknown_table(sheet.source, problems)
            return None
        problems.warning(sheet.source, "table_by_columns", expect("table_in_name", table=table),
                         value=table)
    lookup = column_lookup(table)
    expected_columns = schema.TABLES[table]
    mapped: dict[str, int] = {}
    deferred: list[tuple[int, str]] = []
    title_index: int | None = None  # a balance's job title column beside its code column
    for index, cell in enumerate(sheet.header):
        label = "" if cell is None else str(cell).strip()
        key = normalize_name(label)
        column = lookup.get(key)
        if column is None:
            if not key and sheet.reader is not None:
                deferred.append((index, label))  # reported if a chunk holds a value in it
                continue
            if not key and not any(part.get_column(f"c{index}").drop_nulls().str.strip_chars()
                                   .replace("", None).drop_nulls().len()
                                   for part in sheet.parts):
                continue  # an unnamed, empty column (a stray separator at line end)
            _unknown_column(sheet, problems, table, label, index, lookup)
            continue
        if column in mapped and table == "balance" and column == "occupation_code" \
                and key in TITLE_ALIASES:
            title_index = index  # a title column beside the code column: the code is read
            continue
        if column in mapped and table == "balance" and column == "occupation_code" \
                and normalize_name(str(sheet.header[mapped[column]] or "")) in TITLE_ALIASES:
            title_index = mapped[column]
            mapped[column] = index  # the code column wins over a title column before it
            continue
        if column in mapped:
            problems.error(sheet.source, "duplicate_column", expect(
                "column_once", number=mapped[column] + 1, column=column),
                row=sheet.header_row, column=column, value=label)
            continue
        mapped[column] = index
    derived = _missing_columns(sheet, table, mapped, problems)
    columns = {c: _clean(pl.col(f"c{mapped[c]}")) if c in mapped
               else derived[c] if c in derived
               else pl.lit(None, dtype=pl.String) for c in expected_columns}
    return _Mapping(
        table=table, columns=columns,
        extra=[_occupation_title(mapped, title_index)] if table == "balance" else [],
        present=set(mapped) | set(derived), deferred=deferred,
        title_fill=table == "balance" and title_index is not None and "occupation_code" in mapped)


# ---------------------------------------------------------------------------------------------
# Values


def _clean(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars(" \t\r\n\u00a0\ufeff")
    return pl.when(text == "").then(None).otherwise(text)


_INT_RANGES: dict[type[pl.DataType], tuple[int, int]] = {pl.Int16: (-(2**15), 2**15 - 1), pl.Int32: (-(2**31), 2**31 - 1),
               pl.Int64: (-(2**63), 2**63 - 1)}


THOUSANDS_SHAPED = r"^[+-]?\d{1,3}(?:\.\d{3})+$"
"""A value like ``12.000`` or ``1.500``: a Danish thousands separator, or a decimal point with
three decimals. On its own it cannot be told; the number rule (docs/IMPORT.md) decides per column."""
ONLY_THOUSANDS = r"^[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d*)?$"
"""``1.234.567``: two dots can only be thousands separators."""

NumberMode = Literal["default", "thousands", "refuse"]
"""How dots in a number column are read: "default" (a comma is the decimal separator, and dots
beside it thousands separators; else a dot is the decimal point), "thousands" (dots are thousands
separators everywhere) or "refuse" (thousands-shaped values are refused as ambiguous)."""


def _parse_int(raw: pl.Expr, dtype: pl.DataType, mode: NumberMode = "default") -> pl.Expr:
    text = raw.str.replace_all(r"[\s\u00a0]", "")
    if mode == "thousands":
        text = pl.when(text.str.contains(THOUSANDS_SHAPED)).then(text.str.replace_all(r"\.", "")) \
            .otherwise(text)
    ok = text.str.contains(r"^[+-]?\d+(?:[.,]0+)?$")
    value = pl.when(ok).then(text.str.replace(r"[.,]0+$", "").cast(pl.Int64, strict=False))
    low, high = _INT_RANGES[type(dtype)]
    return pl.when(value.is_between(low, high)).then(value).cast(dtype)


def _parse_float(raw: pl.Expr, mode: NumberMode = "default") -> pl.Expr:
    text = raw.str.replace_all(r"[\s\u00a0]", "").str.replace("\u2212", "-")
    if mode == "refuse":  # 12.000 with nothing in the file to tell what the dot means
        text = pl.when(text.str.contains(THOUSANDS_SHAPED)).then(None).otherwise(text)
    thousands = text.str.contains(",") | text.str.contains(ONLY_THOUSANDS)
    if mode == "thousands":
        thousands = thousands | text.str.contains(THOUSANDS_SHAPED)
    # A comma is the decimal separator (Danish); dots beside it are thousands separators.
    text = pl.when(thousands).then(
        text.str.replace_all(r"\.", "").str.replace(",", ".")
    ).otherwise(text)
    ok = text.str.contains(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
    return pl.when(ok).then(text.cast(pl.Float64, strict=False))


MONTH_NAMES: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}
"""Month names as Jobindsats and Danish/English exports write them (first three letters)."""


def month_code_to_date(raw: pl.Expr) -> pl.Expr:
    """``2024M01`` (Statistics Denmark), ``Jan 2024``, ``Maj 2024``, ``januar 2024`` → the
    month's first day; anything else → null."""
    text = raw.str.strip_chars().str.to_lowercase()
    code = text.str.extract_groups(r"^(\d{4})m(\d{2})$")
    named = text.str.extract_groups(r"^([a-zæøå]{3})[a-zæøå]*\.?\s+(\d{4})$")
    from_code = pl.date(code.struct.field("1").cast(pl.Int32, strict=False),
                        code.struct.field("2").cast(pl.Int8, strict=False).clip(1, 12), 1)
    month = named.struct.field("1").replace_strict(MONTH_NAMES, default=None,
                                                   return_dtype=pl.Int8)
    from_name = pl.date(named.struct.field("2").cast(pl.Int32, strict=False), month, 1)
    valid_code = code.struct.field("2").cast(pl.Int8, strict=False).is_between(1, 12)
    return pl.coalesce(pl.when(valid_code).then(from_code), from_name)


def _parse_date(raw: pl.Expr, month_only: bool, from_excel: bool) -> pl.Expr:
    iso = raw.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$", 1)
    dmy = raw.str.extract(r"^(\d{1,2}[-./]\d{1,2}[-./]\d{4})$", 1).str.replace_all(r"[./]", "-")
    candidates = [iso.str.to_date("%Y-%m-%d", strict=False),
                  dmy.str.to_date("%d-%m-%Y", strict=False)]
    if month_only:  # 2024-03, 03-2024, 2024M03 (Statistics Denmark), Jan 2024 / Maj 2024
        ym = raw.str.extract(r"^(\d{4}-\d{1,2})$", 1)
        my = raw.str.extract(r"^(\d{1,2}[-./]\d{4})$", 1).str.replace_all(r"[./]", "-")
        candidates += [(ym + "-01").str.to_date("%Y-%m-%d", strict=False),
                       ("01-" + my).str.to_date("%d-%m-%Y", strict=False),
                       month_code_to_date(raw)]
    if from_excel:  # a date cell without date formatting arrives as its serial number
        serial = raw.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
        candidates.append(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
    return pl.coalesce(candidates).cast(pl.Date)


def _parse_bool(raw: pl.Expr) -> pl.Expr:
    words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
    words |= {"1.0": True, "0.0": False}
    return raw.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)


def _parse_enum(raw: pl.Expr, dtype: pl.Enum) -> pl.Expr:
    categories = list(dtype.categories)
    mapping = {re.sub(r"\s+", " ", c.lower()): c for c in categories}
    key = raw.str.to_lowercase().str.replace_all(r"\s+", " ")
    return key.replace_strict(mapping, default=None, return_dtype=dtype)


def _theme_parts(raw: pl.Expr) -> pl.Expr:
    return (raw.str.to_lowercase().str.replace_all(r"[;,]", "|").str.split("|")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != "")))



def _area_aliases() -> dict[str, str]:
    """Normalised area codes and names (Danish and English) → the area code."""
    aliases: dict[str, str] = {}
    for scheme in ("rar", "council"):
        frame = areas(scheme)
        for code, name_da, name_en in frame.iter_rows():
            for label in (code, name_da, name_en):
                aliases.setdefault(normalize_name(label), code)
    return aliases


def _area_schemes() -> dict[str, str]:
    """Normalised area codes and names → the scheme they belong to."""
    schemes: dict[str, str] = {}
    for scheme in ("rar", "council"):
        for code, name_da, name_en in areas(scheme).iter_rows():
            for label in (code, name_da, name_en):
                schemes.setdefault(normalize_name(label), scheme)
    return schemes


BALANCE_LABELS: dict[str, str] = {
    "mangel på arbejdskraft": "Mangel",
    "omfattende mangel på arbejdskraft": "Mangel",
    "mangel": "Mangel",
    "paradoksproblemer": "Paradoks",
    "paradoksproblem": "Paradoks",
    "paradoks": "Paradoks",
    "gode jobmuligheder": "Gode jobmuligheder",
    "mindre gode jobmuligheder": "Mindre gode jobmuligheder",
}
"""The labour-market balance's categories as STAR writes them (also the older "Omfattende mangel
på arbejdskraft") → the model's four statuses."""


def _balance_label(raw: pl.Expr) -> pl.Expr:
    key = raw.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return key.replace(BALANCE_LABELS)


ASSIGNED_CODE_PATTERN = rf"^{ASSIGNED_CODE_PREFIX}[0-9a-f]{{8}}$"


def _is_code(raw: pl.Expr) -> pl.Expr:
    """A job title code (digits) or a code assigned to a title (``T-`` + 8 hex digits)."""
    return raw.str.contains(r"^\d+$") | raw.str.contains(ASSIGNED_CODE_PATTERN)


def _occupation_title(mapped: dict[str, int], title_index: int | None) -> pl.Expr:
    """The job title a balance row gives: its title column, else a title in the code column."""
    if title_index is not None:
        return _clean(pl.col(f"c{title_index}")).alias(OCCUPATION_TITLE)
    if "occupation_code" in mapped:
        raw = _clean(pl.col(f"c{mapped['occupation_code']}"))
        return pl.when(~_is_code(raw)).then(raw).alias(OCCUPATION_TITLE)
    return pl.lit(None, dtype=pl.String).alias(OCCUPATION_TITLE)


def _occupation_by_title(raw: pl.Series) -> pl.Series:
    """A code stays a code; a job title becomes a code (STAR's balance names titles; codes are
    not always given): a title of the reference list its code, any other title the code assigned
    to it (``occupations.assigned_code``), and the dataset's occupation list gains it.

    The titles are looked up in plain Python, outside Polars' thread pool (Python run inside it
    can deadlock the app's server: docs/PERFORMANCE.md)."""
    reference = {title_key(t): c for c, t in occupations().select("occupation_code", "title_da")
                 .iter_rows()}
    titles = raw.filter(raw.is_not_null() & ~raw.str.contains(r"^\d+$")
                        & ~raw.str.contains(ASSIGNED_CODE_PATTERN)).unique().to_list()
    codes = {t: reference.get(title_key(t)) or assigned_code(t) for t in titles}
    return raw.replace(codes) if codes else raw


def expected_text(table: str, column: str) -> tuple[str, str]:
    """What a cell of a column must hold, in English and Danish, for messages."""
    return column_spec(table, column).expected_text()


def _typed(table: str, column: str, dtype: pl.DataType, raw: pl.Expr, fmt: str,
           mode: NumberMode = "default") -> pl.Expr:
    parse = column_spec(table, column).parse
    if parse == "themes":
        parts = _theme_parts(raw)
        return (pl.when(raw.is_null()).then(pl.lit([], dtype=pl.List(pl.String))).otherwise(parts)
                .list.eval(pl.element().filter(pl.element().is_in(list(THEMES))))
                .cast(pl.List(THEME_ENUM)))
    if parse == "balance_status" and isinstance(dtype, pl.Enum):
        return _parse_enum(_balance_label(raw), dtype)
    if isinstance(dtype, pl.Enum):
        return _parse_enum(raw, dtype)
    if dtype in (pl.Int16, pl.Int32, pl.Int64):
        return _parse_int(raw, dtype, mode)
    if dtype == pl.Float64:
        return _parse_float(raw, mode)
    if dtype == pl.Date:
        return _parse_date(raw, month_only=parse == "month", from_excel=fmt == "excel")
    if dtype == pl.Boolean:
        return _parse_bool(raw)
    if parse == "half_year":  # 2024H2, 2024-H2, and as STAR writes it: "2. halvår 2024"
        spelled = raw.str.to_lowercase().str.extract_groups(
            r"^\s*([12])\.?\s*halv(?:år|aar|ar)\s*(\d{4})\s*$")
        return pl.coalesce(
            pl.concat_str([spelled.struct.field("2"), pl.lit("H"), spelled.struct.field("1")]),
            raw.str.to_uppercase().str.replace_all(r"[\s_-]", ""))
    if parse == "area":
        key = _normalized(raw)
        return key.replace(_area_aliases())
    return raw


_WHOLE = (pl.Int16, pl.Int32, pl.Int64)


def _number_columns(table: str, present: set[str]) -> list[str]:
    """The present columns of a table that hold numbers (whole or decimal)."""
    return [c for c, t in schema.TABLES[table].items()
            if c in present and (t == pl.Float64 or isinstance(t, _WHOLE))]


def number_stats(table: str, raw: pl.DataFrame, present: set[str]) -> dict[str, dict[str, Any]]:
    """What the number rule (:func:`number_modes`) needs to know of each number column of a
    chunk: how many values are shaped like ``12.000``, the first of them, and whether any value
    has a decimal comma, several thousands dots, or a plain decimal point."""
    numeric = [c for c in _number_columns(table, present) if c in raw.columns]
    if not numeric or raw.height == 0:
        return {}
    text = {c: pl.col(c).str.replace_all(r"[\s\u00a0]", "") for c in numeric}
    found = raw.select(
        *[text[c].str.contains(THOUSANDS_SHAPED).sum().alias(f"{c}|shaped") for c in numeric],
        *[text[c].str.contains(r"\d,\d").any().alias(f"{c}|comma") for c in numeric],
        *[text[c].str.contains(ONLY_THOUSANDS).any().alias(f"{c}|many") for c in numeric],
        *[(text[c].str.contains(r"\.") & ~text[c].str.contains(THOUSANDS_SHAPED)
           & ~text[c].str.contains(",")).any().alias(f"{c}|dot") for c in numeric],
        *[text[c].filter(text[c].str.contains(THOUSANDS_SHAPED)).first().alias(f"{c}|example")
          for c in numeric],
    ).row(0, named=True)
    return {c: {k: found[f"{c}|{k}"] for k in ("shaped", "comma", "many", "dot", "example")}
            for c in numeric}


def merge_number_stats(first: dict[str, dict[str, Any]],
                       then: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The statistics of two chunks as of one (``first`` before ``then``)."""
    merged = {c: dict(v) for c, v in first.items()}
    for column, new in then.items():
        old = merged.get(column)
        if old is None:
            merged[column] = dict(new)
            continue
        old["shaped"] = (old["shaped"] or 0) + (new["shaped"] or 0)
        for flag in ("comma", "many", "dot"):
            old[flag] = bool(old[flag]) or bool(new[flag])
        if old["example"] is None:
            old["example"] = new["example"]
    return merged


def number_modes(table: str, raw: pl.DataFrame, present: set[str], source: str,
                 problems: Problems, *, danish: bool = False) -> dict[str, NumberMode]:
    """The thousands-separator rule, decided per number column (docs/IMPORT.md, "Numbers").

    A value like ``12.000`` is never read as 12.0 without saying so:
    - in a whole-number column a dot between groups of three digits is a thousands separator;
    - in a decimal column it is one when the column or another number column of the file writes
      decimals with a comma (``12,5``), when the column has ``1.234.567``, or when the source is
      known to write Danish numbers (``danish``, e.g. Jobindsats);
    - it is a decimal point when the column has other dotted decimals (``12.5``);
    - otherwise the file is refused (``ambiguous_number``): nothing tells which it is.
    Every column read with thousands separators gets one ``thousands_separator`` warning.
    """
    modes = decide_number_modes(table, number_stats(table, raw, present), source, problems,
                                danish=danish)
    report_ambiguous(raw, modes, problems)
    return modes


def decide_number_modes(table: str, stats: dict[str, dict[str, Any]], source: str,
                        problems: Problems, *, danish: bool = False) -> dict[str, NumberMode]:
    """The rule of :func:`number_modes` from the statistics of all of a sheet's rows
    (:func:`number_stats`); warns of what it decided. The refused cells are reported by
    :func:`report_ambiguous`."""
    columns = schema.TABLES[table]
    numeric = list(stats)
    if not numeric:
        return {}
    decimal = [c for c in numeric if columns[c] == pl.Float64]
    file_comma = danish or any(stats[c]["comma"] for c in decimal)
    file_dot = not danish and any(stats[c]["dot"] for c in decimal)
    modes: dict[str, NumberMode] = {}
    for column in numeric:
        if not stats[column]["shaped"]:
            continue
        example = stats[column]["example"]
        own_comma = stats[column]["comma"] or stats[column]["many"]
        if isinstance(columns[column], _WHOLE):
            modes[column] = "thousands"
        elif stats[column]["dot"] or (not own_comma and file_dot and not file_comma):
            modes[column] = "default"
            problems.warning(source, "decimal_point", expect("decimal_point"), column=column, value=example)
            continue
        elif own_comma or (file_comma and not file_dot):
            modes[column] = "thousands"
        else:
            modes[column] = "refuse"
            continue
        shaped = stats[column]["shaped"]
        problems.warning(source, "thousands_separator", expect(
            "thousands", n=shaped, example=example, number=example.replace(".", "")),
            column=column, value=example)
    return modes


def report_ambiguous(raw: pl.DataFrame, modes: dict[str, NumberMode], problems: Problems) -> None:
    """The cells of the columns refused by the number rule: ``12.000`` with nothing in the
    file to tell whether the dot is a thousands separator."""
    for column, mode in modes.items():
        if mode != "refuse" or column not in raw.columns:
            continue
        text = pl.col(column).str.replace_all(r"[\s\u00a0]", "")
        bad = raw.filter(text.str.contains(THOUSANDS_SHAPED)).select(SOURCE, ROW, column)
        problems.add_rows(bad, "ambiguous_number", column, expect("unambiguous_number"))


def parse_values(table: str, raw: pl.DataFrame, source: str, fmt: str, problems: Problems,
                 present: set[str] | None = None, danish_numbers: bool = False,
                 modes: dict[str, NumberMode] | None = None) -> pl.DataFrame:
    """Text cells (model column names, plus SOURCE and ROW) → the model's types.

    Every cell that cannot be read is reported with its row, value and what was expected; it
    becomes null, so that later checks still run on the rest. ``modes``: the number rule
    decided for the whole sheet when ``raw`` is one chunk of it (else decided from ``raw``).
    """
    columns = schema.TABLES[table]
    present = set(columns) if present is None else present
    if modes is None:
        modes = number_modes(table, raw, present, source, problems, danish=danish_numbers)
    else:
        report_ambiguous(raw, modes, problems)
    both = raw.with_columns(
        _typed(table, c, t, pl.col(c), fmt, modes.get(c, "default")).alias(f"{c}__typed")
        for c, t in columns.items()
    )
    for column, dtype in columns.items():
        if column not in present:
            continue
        cell = pl.col(column)
        spec = column_spec(table, column)
        themes = spec.parse == "themes"
        if themes:
            bad = cell.is_not_null() & _theme_parts(cell).list.eval(
                pl.element().is_in(list(THEMES)).not_()).list.any()
        else:
            bad = cell.is_not_null() & pl.col(f"{column}__typed").is_null()
            if modes.get(column) == "refuse":  # already reported as ambiguous_number
                bad = bad & ~cell.str.replace_all(r"[\s\u00a0]", "").str.contains(THOUSANDS_SHAPED)
        bad_rows = both.filter(bad).select(SOURCE, ROW, column)
        if bad_rows.height:
            if spec.reference == "municipality":
                bad_rows = _report_municipality_names(bad_rows, column, problems)
            kind = "not_allowed" if isinstance(dtype, pl.Enum | pl.List) else "wrong_type"
            problems.add_rows(bad_rows, kind, column, expected_text(table, column))
        if column not in schema.NULLABLE[table] and not themes:
            missing = both.filter(cell.is_null()).select(SOURCE, ROW, column)
            en, da = expected_text(table, column)
            problems.add_rows(missing, "missing_value", column, (
                t("expected.a_value", "en", expected=en), t("expected.a_value", "da", expected=da)))
    extra = [OCCUPATION_TITLE] if OCCUPATION_TITLE in raw.columns else []
    return both.select(SOURCE, ROW, *[pl.col(f"{c}__typed").alias(c) for c in columns], *extra)


def _report_municipality_names(bad: pl.DataFrame, column: str, problems: Problems) -> pl.DataFrame:
    """A municipality's name where its code belongs gets its own message with the right code;
    returns the rows that are not names."""
    names = municipalities().select(
        pl.col("municipality_name").str.to_lowercase().alias("__name"),
        pl.col("municipality_code").alias("__code"),
        pl.col("municipality_name").alias("__proper"),
    )
    joined = bad.with_columns(pl.col(column).str.to_lowercase().alias("__name")).join(
        names, on="__name", how="left", maintain_order="left")
    found = joined.filter(pl.col("__code").is_not_null()).with_columns(
        *expect_rows("code_not_name", code=pl.col("__code"), name=pl.col("__proper")))
    problems.add_rows(found, "municipality_name", column, "", expected_columns=EXPECTED_COLUMNS)
    return joined.filter(pl.col("__code").is_null()).select(bad.columns)


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
