"""The import's integrity checks, applied to a dataset folder when the app opens it.

A version published by ``veu-metrics import`` was checked completely before it was published; a
plain dataset folder (files copied into place by hand, or a version damaged afterwards) was not.
Opening one therefore checks what would otherwise give wrong numbers without a word:

- every table's key is unique (a duplicated enrolment doubles participations);
- every enrolment's course exists (otherwise it silently vanishes from every figure);
- every required column is complete (a null in a required column drops a course);
- the metadata's dates are in order and not in the future beyond :data:`FUTURE_MARGIN_DAYS`
  (one course dated 2062 once made every default view "apr 2061–mar 2062").

The checks run lazily, reading only the key and link columns, once per dataset version (the app
caches the opened dataset by version). Problems are reported in the import report's format and
words (``ingest.report.Problems``), so the app and the CLI say the same as an import would.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from veu_metrics import schema
from veu_metrics.ingest import columns
from veu_metrics.ingest.expected import expect
from veu_metrics.ingest.report import ROW, SOURCE, Problems, Report

FUTURE_MARGIN_DAYS = 366
"""How far after today a course start, an unemployment month or the metadata's covers_to may lie:
courses are planned up to a year ahead; a date beyond is a typing error (2062 for 2026)."""
CHECKED_ROWS = 20
"""Problem rows listed per kind (the count of the rest is given)."""


def latest_allowed(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=FUTURE_MARGIN_DAYS)


def _located(frame: pl.LazyFrame, table: str) -> pl.LazyFrame:
    """Give lazy rows the import report's SOURCE and ROW (row 1 is the first record)."""
    return frame.with_row_index(ROW, offset=1).with_columns(
        pl.col(ROW).cast(pl.Int64), pl.lit(f"{table}.parquet").alias(SOURCE))


def _sample(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.head(CHECKED_ROWS).collect()


def _count(frame: pl.LazyFrame) -> int:
    return int(frame.select(pl.len()).collect().item())


def check_metadata_dates(metadata: dict[str, Any], problems: Problems, file: str,
                         today: date | None = None) -> None:
    """covers_from on or before covers_to, and covers_to not beyond today + the margin."""
    try:
        first = date.fromisoformat(str(metadata.get("covers_from")))
        last = date.fromisoformat(str(metadata.get("covers_to")))
    except ValueError:
        return  # reported where the metadata is read
    if first > last:
        problems.error(file, "metadata_invalid", expect("covers_order", last=last),
                       column="covers_from", value=first.isoformat())
    limit = latest_allowed(today)
    if last > limit:
        problems.error(file, "future_date",
                       expect("not_future", limit=limit, days=FUTURE_MARGIN_DAYS),
                       column="covers_to", value=last.isoformat())


FUTURE_COLUMNS: dict[str, tuple[str, ...]] = columns.columns_where(lambda s: s.period)
"""Course starts and unemployment months: the columns that place a row in time (ColumnSpec.period)."""


def check_future_dates(table: str, frame: pl.LazyFrame | pl.DataFrame, problems: Problems,
                       today: date | None = None) -> None:
    """Course starts and unemployment months after today + the margin are errors."""
    limit = latest_allowed(today)
    for column in FUTURE_COLUMNS.get(table, ()):
        bad = frame.lazy().select(SOURCE, ROW, column).filter(pl.col(column) > limit)
        problems.add_rows(_sample(bad), "future_date", column,
                          expect("not_future_row", limit=limit, days=FUTURE_MARGIN_DAYS))
        _note_more(problems, bad, table, column, "future_date")


def _note_more(problems: Problems, bad: pl.LazyFrame, table: str, column: str, kind: str) -> None:
    total = _count(bad)
    if total > CHECKED_ROWS:
        problems.error(f"{table}.parquet", kind, expect("more_rows", n=total - CHECKED_ROWS),
                       column=column)


def check_dataset(tables: dict[str, pl.LazyFrame], metadata: dict[str, Any],
                  today: date | None = None) -> Report:
    """The integrity checks of an import, run on an opened dataset's (lazy) tables."""
    problems = Problems()
    check_metadata_dates(metadata, problems, "metadata.json", today)
    for table, frame in tables.items():
        located = _located(frame, table)
        for column, dtype in schema.TABLES[table].items():
            if column in schema.NULLABLE[table] or isinstance(dtype, pl.List):
                continue
            bad = located.filter(pl.col(column).is_null())
            problems.add_rows(_sample(bad.select(SOURCE, ROW, column)), "missing_value", column,
                              expect("required"))
            _note_more(problems, bad, table, column, "missing_value")
        keys = list(schema.PRIMARY_KEYS[table])
        repeated = (located.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
                    .filter(pl.int_range(pl.len()).over(keys) > 0)
                    .with_columns(pl.concat_str([pl.col(k).cast(pl.String) for k in keys],
                                                separator=" / ").alias("__key")))
        problems.add_rows(_sample(repeated), "duplicate_key", "+".join(keys),
                          expect("unique_key", keys=" + ".join(keys)), value_column="__key")
        _note_more(problems, repeated, table, "+".join(keys), "duplicate_key")
        check_future_dates(table, located, problems, today)
    if "courses" in tables and "enrolments" in tables:
        unknown = (_located(tables["enrolments"], "enrolments")
                   .filter(pl.col("course_id").is_not_null())
                   .join(tables["courses"].select("course_id").unique(), on="course_id",
                         how="anti"))
        problems.add_rows(_sample(unknown), "unknown_course", "course_id", expect("known_course"))
        _note_more(problems, unknown, "enrolments", "course_id", "unknown_course")
    return problems.report()
