"""The import driver: files → sheets → tables, typed and checked chunk by chunk.

``parse_upload`` reads every file (:mod:`veu_metrics.ingest.readers`), maps each sheet's header
onto a table of the data model (its columns by ``ingest.columns``' names and aliases), and parses
its rows in chunks (:mod:`veu_metrics.ingest.values`), keeping only the typed chunks (issue 13:
docs/PERFORMANCE.md). Every parsed frame carries two bookkeeping columns, ``report.SOURCE`` (the
file name) and ``report.ROW`` (the row number as the user sees it), so that any later check can
point at the exact cell. The rules that need whole tables (codes, keys, cross-table links) are in
:mod:`veu_metrics.ingest.rules`; validating against a dataset and publishing it are in
:mod:`veu_metrics.ingest.publish`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from veu_metrics import limits, schema
from veu_metrics.ingest import xlsx_stream
from veu_metrics.ingest.columns import column_spec
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.readers import (
    CHUNK_ROWS,
    METADATA_FILE,
    Sheet,
    _CsvAbort,
    _is_hidden,
    _limit_error,
    _longest_cell,
    _read_metadata,
    _read_occupations_file,
    _read_published_json,
    _read_sheets,
    _unknown_table,
    _unreadable_excel,
    _within_cell_limits,
    column_lookup,
    is_note_file,
)
from veu_metrics.ingest.report import ROW, SOURCE, FileSummary, Problems
from veu_metrics.ingest.values import (
    OCCUPATION_TITLE,
    NumberMode,
    _area_schemes,
    _clean,
    _number_columns,
    _occupation_by_title,
    _occupation_title,
    decide_number_modes,
    merge_number_stats,
    number_stats,
    parse_values,
)
from veu_metrics.occupations import (
    ASSIGNED_CODE_PREFIX,
    OCCUPATIONS_FILE,
    conform_occupations,
    occupations,
    title_key,
)
from veu_metrics.text import (
    name_key,  # headers fold like every other name
    name_key_expr,
)

TITLE_ALIASES = frozenset(column_spec("balance", "occupation_code").title_aliases)
"""Balance columns holding job titles: read as occupation_code (titles become codes) unless the
file also has a code column; then the title names the code if the reference list lacks it."""


# ---------------------------------------------------------------------------------------------
# Entry point


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


# ---------------------------------------------------------------------------------------------
# Header and table


def guess_table(header: Sequence[str | None]) -> str | None:
    """The table whose column names cover most of a header (at least half of its cells)."""
    cells = [name_key(c) for c in header if c is not None and str(c).strip()]
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


COMPACT_CHUNKS = 32
"""Typed chunks copied into one block at a time: many small frames kept between the parsing's
short-lived buffers pin the allocator's pages (docs/PERFORMANCE.md, issue 13)."""


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
    typed: list[pl.DataFrame] = []  # blocks of COMPACT_CHUNKS chunks, then the recent chunks
    recent: list[pl.DataFrame] = []
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
        recent.append(parse_values(table, raw, sheet.source, sheet.format, body,
                                   present=mapping.present, danish_numbers=sheet.danish_numbers,
                                   modes=modes))
        del raw
        if len(recent) == COMPACT_CHUNKS:
            typed.append(pl.concat(recent, how="vertical", rechunk=True))
            recent = []
    typed += recent
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
    key = name_key(label)
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
            derived[column] = name_key_expr(_clean(pl.col(f"c{mapped['area_code']}"))).replace_strict(
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
        key = name_key(label)
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
                and name_key(str(sheet.header[mapped[column]] or "")) in TITLE_ALIASES:
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
