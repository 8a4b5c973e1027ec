"""The rules an import's parsed tables must pass (``check_tables``), run after reading.

Which rule applies to which column is declared per column in ``ingest/columns.py``
(``ColumnSpec``); the checks loop over a table's entries. The readers and the typed parsing
report what they find while reading (formats, headers, types); problems are collected in
``ingest.report.Problems``.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

import polars as pl
import yaml

from veu_metrics import schema
from veu_metrics.geography import CHRISTIANSOE_CODE, areas, municipalities, municipality_codes
from veu_metrics.ingest import columns
from veu_metrics.ingest.expected import EXPECTED_COLUMNS, expect, expect_rows
from veu_metrics.ingest.report import ROW, SOURCE, Problems
from veu_metrics.occupations import occupations

MIN_PLAUSIBLE_DATE = date(1990, 1, 1)
MAX_PLAUSIBLE_DATE = date(2100, 12, 31)
# Which rule applies to which column is declared per column in ingest/columns.py (ColumnSpec):
# the checks below loop over a table's entries.


@cache
def measure_keys() -> frozenset[str]:
    """Measure keys of the measures catalogue (measures.yaml); empty if there is none yet."""
    source = resources.files("veu_metrics") / "measures.yaml"
    try:
        catalogue = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, yaml.YAMLError):
        return frozenset()
    return frozenset(catalogue) if isinstance(catalogue, dict) else frozenset()


CHECK_ROWS = 1_000
"""Rows checked at a time by the rules that look at one row (codes, numbers, dates)."""


def check_tables(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                 problems: Problems, *, covers: tuple[date, date] | None = None,
                 occupation_list: pl.DataFrame | None = None) -> None:
    """Run every rule on parsed tables and add what is wrong or suspicious to ``problems``.

    ``imported`` holds the tables read from the files (each with SOURCE and ROW); ``merged``
    the complete tables the new version will hold (imported ones plus those kept from the
    active version), for the rules that link tables. ``covers`` is the dataset's period from a
    supplied metadata.json: dates outside it are errors. ``occupation_list`` is the new version's
    occupation list (``occupations.dataset_occupations``; the reference list when not given):
    courses must use its codes; a balance brings its own titles (reported as new_occupations).
    """
    known = (occupation_list if occupation_list is not None else occupations())["occupation_code"]
    for table, frame in imported.items():
        # The rules of one row at a time, CHECK_ROWS rows at a time: a rule's rows that break
        # it are a copy of the table's columns, so a table whose every row breaks several
        # rules held as many copies (issue 13). Then the rules across rows, on the whole.
        for offset in range(0, max(frame.height, 1), CHECK_ROWS):
            part = frame.slice(offset, CHECK_ROWS)
            _check_codes(table, part, problems, known)
            _check_numbers_and_dates(table, part, problems, covers)
        if any(s.reference == "occupation_source" for s in columns.columns_of(table)):
            _report_new_occupations(frame, problems)
        _check_duplicate_keys(table, frame, problems)
    _check_links(imported, merged, problems)
    _warn_suspicious(imported, merged, problems)


def _check_codes(table: str, frame: pl.DataFrame, problems: Problems,
                 known_occupations: pl.Series | None = None) -> None:
    """Every value that must be in a reference list (the spec's ``reference``) or match the
    spec's ``pattern``."""
    specs = columns.columns_of(table)
    _check_municipality_codes(specs, frame, problems)
    _check_occupation_codes(specs, frame, problems, known_occupations)
    _check_area_codes(specs, frame, problems)
    _check_measure_keys(specs, frame, problems)
    _check_patterns(specs, frame, problems)


Specs = tuple[columns.ColumnSpec, ...]


def _check_municipality_codes(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    codes = municipality_codes()
    for column in (s.column for s in specs if s.reference == "municipality"):
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(codes))
        christiansoe = pl.col(column) == CHRISTIANSOE_CODE
        bad = bad.with_columns([
            pl.when(christiansoe).then(pl.lit(text)).otherwise(pl.lit(other)).alias(name)
            for text, other, name in zip(expect("christiansoe"), expect("municipality"),
                                         EXPECTED_COLUMNS, strict=True)])
        problems.add_rows(bad, "unknown_municipality", column, "",
                          expected_columns=EXPECTED_COLUMNS)


def _check_occupation_codes(specs: Specs, frame: pl.DataFrame, problems: Problems,
                            known_occupations: pl.Series | None) -> None:
    for spec in specs:
        if spec.reference != "occupation":  # "occupation_source": a balance's own titles
            continue
        known = known_occupations if known_occupations is not None \
            else occupations()["occupation_code"]
        bad = frame.filter(pl.col(spec.column).is_not_null()
                           & ~pl.col(spec.column).is_in(known.implode()))
        problems.add_rows(bad, "unknown_occupation", spec.column, expect("occupation"))


def _check_area_codes(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.reference != "area":
            continue
        allowed = {scheme: areas(scheme)["area_code"].to_list() for scheme in ("rar", "council")}
        pairs = [f"{scheme}|{code}" for scheme, codes_ in allowed.items() for code in codes_]
        key = pl.concat_str([pl.col("area_scheme").cast(pl.String), pl.col(spec.column)],
                            separator="|")
        bad = frame.filter(pl.col("area_scheme").is_not_null() & pl.col(spec.column).is_not_null()
                           & ~key.is_in(pairs))
        rar, council = ", ".join(allowed["rar"]), ", ".join(allowed["council"])
        is_rar = pl.col("area_scheme").cast(pl.String) == "rar"
        bad = bad.with_columns(*expect_rows(
            "area", scheme=pl.when(is_rar).then(pl.lit("rar")).otherwise(pl.lit("council")),
            codes=pl.when(is_rar).then(pl.lit(rar)).otherwise(pl.lit(council))))
        problems.add_rows(bad, "unknown_area", spec.column, "", expected_columns=EXPECTED_COLUMNS)


def _check_measure_keys(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.reference != "measure" or not measure_keys():
            continue
        keys = sorted(measure_keys())
        bad = frame.filter(pl.col(spec.column).is_not_null() & ~pl.col(spec.column).is_in(keys))
        problems.add_rows(bad, "unknown_measure", spec.column,
                          expect("measure", keys=", ".join(keys)))


def _check_patterns(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for spec in specs:
        if spec.pattern is None or spec.pattern_text is None:
            continue
        bad = frame.filter(pl.col(spec.column).is_not_null()
                           & ~pl.col(spec.column).str.contains(spec.pattern))
        problems.add_rows(bad, "bad_pattern", spec.column, expect(spec.pattern_text))


def _report_new_occupations(balance: pl.DataFrame, problems: Problems) -> None:
    """One warning per balance file that uses job titles the reference list lacks: how many, and
    how many of them came without a code (and were given one, docs/IMPORT.md)."""
    from veu_metrics.occupations import ASSIGNED_CODE_PREFIX

    reference = occupations()["occupation_code"].implode()
    new = (balance.filter(pl.col("occupation_code").is_not_null()
                          & ~pl.col("occupation_code").is_in(reference))
           .group_by(SOURCE, maintain_order=True)
           .agg(pl.col("occupation_code").n_unique().alias("titles"),
                pl.col("occupation_code").filter(
                    pl.col("occupation_code").str.starts_with(ASSIGNED_CODE_PREFIX))
                .n_unique().alias("assigned"),
                pl.col(ROW).first(), pl.col("occupation_code").first().alias("example")))
    for source, titles, assigned, row, example in new.iter_rows():
        problems.warning(source, "new_occupations", expect(
            "new_occupations", titles=titles, assigned=assigned, prefix=ASSIGNED_CODE_PREFIX,
        ), row=row, column="occupation_code", value=example)


def _check_numbers_and_dates(table: str, frame: pl.DataFrame, problems: Problems,
                             covers: tuple[date, date] | None) -> None:
    """The spec's range rules for numbers and its plausibility and order rules for dates."""
    specs = columns.columns_of(table)
    _check_number_ranges(specs, frame, problems)
    _check_dates(table, specs, frame, problems)
    if covers is not None:
        _check_within_period(specs, frame, problems, covers)


def _check_number_ranges(specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    for column in (s.column for s in specs if s.non_negative):
        problems.add_rows(frame.filter(pl.col(column) < 0), "negative", column,
                          expect("non_negative"))
    for column in (s.column for s in specs if s.share):
        problems.add_rows(frame.filter(pl.col(column) > 1), "share_above_one", column,
                          expect("share"))
    for spec in specs:
        if spec.warn_negative:
            problems.add_rows(frame.filter(pl.col(spec.column) < 0), "negative_target",
                              spec.column, expect("target"),
                              severity="warning")
    for spec in specs:
        if not spec.plausible_year:
            continue
        bad = frame.filter(~pl.col(spec.column).is_between(MIN_PLAUSIBLE_DATE.year,
                                                           MAX_PLAUSIBLE_DATE.year))
        problems.add_rows(bad, "implausible_date", spec.column, expect(
            "plausible_year", first=MIN_PLAUSIBLE_DATE.year, last=MAX_PLAUSIBLE_DATE.year))


def _check_dates(table: str, specs: Specs, frame: pl.DataFrame, problems: Problems) -> None:
    date_columns = [c for c, t in schema.TABLES[table].items() if t == pl.Date]
    for column in date_columns:
        bad = frame.filter(~pl.col(column).is_between(MIN_PLAUSIBLE_DATE, MAX_PLAUSIBLE_DATE))
        problems.add_rows(bad, "implausible_date", column, expect(
            "plausible_date", first=MIN_PLAUSIBLE_DATE.year, last=MAX_PLAUSIBLE_DATE.year))
    for spec in specs:
        if spec.not_before is None:
            continue
        earlier = spec.not_before
        bad = frame.filter(pl.col(spec.column) < pl.col(earlier)).with_columns(
            *expect_rows("not_before", earlier=pl.lit(earlier), date=pl.col(earlier)))
        problems.add_rows(bad, "end_before_start", spec.column, "",
                          expected_columns=EXPECTED_COLUMNS)
    for spec in specs:
        if spec.parse == "month":
            problems.add_rows(frame.filter(pl.col(spec.column).dt.day() != 1), "not_month_start",
                              spec.column, expect("month_start"))


def _check_within_period(specs: Specs, frame: pl.DataFrame, problems: Problems,
                         covers: tuple[date, date]) -> None:
    first, last = covers
    for column in (s.column for s in specs if s.period):
        plausible = pl.col(column).is_between(MIN_PLAUSIBLE_DATE, MAX_PLAUSIBLE_DATE)
        bad = frame.filter(plausible & ~pl.col(column).is_between(first, last))
        problems.add_rows(bad, "out_of_range", column,
                          expect("within_period", first=first, last=last))


def _check_duplicate_keys(table: str, frame: pl.DataFrame, problems: Problems) -> None:
    keys = list(schema.PRIMARY_KEYS[table])
    required = [k for k in keys if k not in schema.NULLABLE[table]]
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in required) \
        if required else pl.lit(True)
    # Row positions only (ascending; no texts, no copy of the rows) until the few rows that are
    # listed: in a table whose every row repeats a key, a copy of its rows cost more than the
    # table (issue 13).
    repeats = frame.select(pl.arg_where(complete & ~key.is_first_distinct())).to_series()
    if repeats.len() == 0:
        return
    column = "+".join(keys)
    listed = problems.listed_positions(frame, repeats, "duplicate_key", column)
    shown = frame.select(SOURCE, ROW, *keys)[listed]
    # Where each listed key first appears: one pass per key (a few), a mask and no copy.
    first_of: dict[tuple[object, ...], int] = {}
    for values in shown.select(keys).unique(maintain_order=True).iter_rows():
        same = pl.all_horizontal(pl.col(k).eq_missing(v) for k, v in zip(keys, values, strict=True))
        first_of[values] = int(frame.select(same.arg_max()).item())
    shown = shown.with_columns(pl.Series(
        "__first", [first_of[values] for values in shown.select(keys).iter_rows()], pl.UInt32))
    origin = frame.select(pl.col(SOURCE).alias("__first_source"),
                          pl.col(ROW).alias("__first_row"))[shown["__first"]]
    shown = pl.concat([shown, origin], how="horizontal").with_columns(
        pl.concat_str([pl.col(k).cast(pl.String).fill_null("(empty)") for k in keys],
                      separator=" / ").alias("__key"),
        *expect_rows("unique_key_in", keys=pl.lit(" + ".join(keys)),
                     source=pl.col("__first_source"), row=pl.col("__first_row")),
    )
    problems.add_rows(shown, "duplicate_key", column, "", value_column="__key",
                      expected_columns=EXPECTED_COLUMNS)


def _check_links(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                 problems: Problems) -> None:
    if not ({"courses", "enrolments"} & set(imported)):
        return  # both kept from the active version, which was checked when it was imported
    if "courses" not in merged or "enrolments" not in merged:
        return
    course_ids = merged["courses"]["course_id"].drop_nulls().unique()
    enrolments = merged["enrolments"].select(SOURCE, ROW, "course_id")
    bad = enrolments.filter(pl.col("course_id").is_not_null()
                            & ~pl.col("course_id").is_in(course_ids.implode()))
    problems.add_rows(bad, "unknown_course", "course_id", expect("known_course"))


def _warn_unemployment_months(unemployment: pl.DataFrame, source: str,
                              problems: Problems) -> None:
    """Months missing between the first and the last, and months with fewer municipalities."""
    per_month = (unemployment.filter(pl.col("month").is_not_null())
                 .group_by("month").agg(pl.col("municipality_code").n_unique().alias("n"))
                 .sort("month"))
    if per_month.height == 0:
        return
    months = per_month["month"]
    first, last = months.min(), months.max()
    assert isinstance(first, date) and isinstance(last, date)  # non-null Date column
    every = pl.date_range(first, last, "1mo", eager=True)
    for month in every.filter(~every.is_in(months.implode())).to_list():
        problems.warning(source, "missing_month", expect("every_month"), column="month", value=month.strftime("%Y-%m"))
    most = per_month["n"].max()
    assert isinstance(most, int)  # a count of municipalities
    for month, n in per_month.filter(pl.col("n") < most).iter_rows():
        problems.warning(source, "incomplete_month", expect("full_month", most=most), column="month", value=f"{month:%Y-%m}: {n} municipalities")


def _warn_suspicious(imported: dict[str, pl.DataFrame], merged: dict[str, pl.DataFrame],
                     problems: Problems) -> None:
    if "courses" in imported:
        courses = imported["courses"]
        # Lazy: only the two columns are read (a filtered copy of the table cost its size).
        months = (courses.lazy().filter(~pl.col("cancelled").fill_null(False)
                                        & pl.col("start_date").is_not_null())
                  .select(pl.col("start_date").dt.truncate("1mo").unique())
                  .collect()["start_date"])
        if months.len():
            first, last = months.min(), months.max()
            assert isinstance(first, date) and isinstance(last, date)  # start_date is not null
            every = pl.date_range(first, last, "1mo", eager=True)
            empty = every.filter(~every.is_in(months.implode()))
            source = str(courses[SOURCE][0])
            for month in empty.to_list():
                problems.warning(source, "no_activity_month", expect("activity_month"),
                                 column="start_date", value=month.strftime("%Y-%m"))
    if "unemployment" in imported:
        unemployment = imported["unemployment"]
        present = unemployment["municipality_code"].drop_nulls().unique()
        absent = municipalities().filter(~pl.col("municipality_code").is_in(present.implode()))
        source = str(unemployment[SOURCE][0]) if unemployment.height else "unemployment"
        if absent.height:
            # One entry, not 98: a partial extract is one fact to check, not 98.
            listed = [f"{c} {n}" for c, n in absent.select("municipality_code",
                                                           "municipality_name").iter_rows()]
            shown = ", ".join(listed[:8]) + (", …" if len(listed) > 8 else "")
            problems.warning(source, "no_unemployment_rows", expect("all_municipalities"),
                             column="municipality_code", value=f"{absent.height} municipalities: {shown}")
        _warn_unemployment_months(unemployment, source, problems)
        bad = unemployment.filter(pl.col("insured_unemployed") > pl.col("full_time_unemployed"))
        bad = bad.with_columns(*expect_rows("insured", total=pl.col("full_time_unemployed")))
        problems.add_rows(bad, "insured_above_total", "insured_unemployed", "",
                          severity="warning", expected_columns=EXPECTED_COLUMNS)
    if ({"courses", "enrolments"} & set(imported)) and {"courses", "enrolments"} <= set(merged):
        counts = merged["enrolments"].group_by("course_id").agg(pl.len().alias("__enrolled"))
        courses = merged["courses"].select(SOURCE, ROW, "course_id", "cancelled", "seats").join(
            counts, on="course_id", how="inner", maintain_order="left")
        over = courses.filter(~pl.col("cancelled").fill_null(False)
                              & (pl.col("__enrolled") > pl.col("seats"))).with_columns(
            pl.format("{} enrolments", "__enrolled").alias("__value"),
            *expect_rows("capacity", seats=pl.col("seats")),
        )
        problems.add_rows(over, "over_capacity", "seats", "", severity="warning",
                          value_column="__value", expected_columns=EXPECTED_COLUMNS)
        cancelled = courses.filter(pl.col("cancelled").fill_null(False)).with_columns(
            pl.format("{} enrolments", "__enrolled").alias("__value"))
        problems.add_rows(cancelled, "cancelled_with_enrolments", "cancelled",
                          expect("cancelled"), severity="warning", value_column="__value")
