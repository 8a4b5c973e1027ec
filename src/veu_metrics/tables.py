"""Full tables for the Data page: aggregates analysts take away, the data dictionary, the measure
definitions and a data-quality summary.

The aggregates (``compute_area_month_table``, ``compute_balance_table``) follow the same rules as
every view in ``measures``: pure Polars over the ``Facts``, person counts through
``disclosure.apply_disclosure`` (a hidden value is null with its ``<column>_suppressed`` flag
set). The descriptive tables (dictionary, definitions, quality) read the data model, the
measures catalogue and the raw dataset; they hold no person counts.
"""

from __future__ import annotations

import polars as pl
from polars.datatypes import DataTypeClass

from veu_metrics import geography
from veu_metrics.aggregate import (
    disclose,
    measure_of,
    measure_table,
    period_starts,
    withheld_selection,
)
from veu_metrics.balance import available_half_years, compute_balance_matrix
from veu_metrics.catalogue import Measure, load_catalogue
from veu_metrics.dataset import Dataset
from veu_metrics.disclosure import flag_column
from veu_metrics.facts import Facts
from veu_metrics.filters import Filters
from veu_metrics.i18n import t
from veu_metrics.ingest.columns import COLUMNS
from veu_metrics.periods import (
    half_year_index,
    half_year_index_of_label_expr,
    month_end,
    month_range,
)
from veu_metrics.schema import NULLABLE, TABLES, empty_frame

ACTIVITY_MEASURES: tuple[str, ...] = (
    "courses_started", "participations", "persons", "aarselever", "job_veu_courses",
    "shortage_share",
)
"""Counted by the course's start month."""

OUTCOME_MEASURES: tuple[str, ...] = ("completion_rate", "employment_rate_3m", "employment_rate_6m")
"""Counted by the course's end month."""

SUM_DECIMALS = 3
RATE_DECIMALS = 6

# Which date column of each table gives the period it covers (for the quality summary).
_PERIOD_COLUMNS = {"courses": "start_date", "unemployment": "month"}


# ------------------------------------------------------------------------ month × area aggregates
def compute_area_month_table(facts: Facts, filters: Filters, *, threshold: int,
                             measures: tuple[str, ...] = ACTIVITY_MEASURES,
                             totals: bool = False, lang: str = "da") -> pl.DataFrame:
    """Every month of the period × every area of ``filters.scheme`` (the selected areas only,
    when some are selected), with one column per measure.

    ``month`` is the month each measure is counted by (start month for activity, end month for
    outcomes; do not mix the two kinds in one call). Each measure ``m`` gives ``m`` and
    ``m_suppressed``; a rate also gives its ``m_numerator`` and ``m_denominator`` (with flags), so
    that an analyst can re-aggregate. Every cell is perturbed on its own (``disclosure``): the
    published cells need not add up to the totals shown elsewhere.

    ``totals`` adds, after the grid, the totals as cells of their own, computed from the facts
    through the same protected path as the screen (never by summing published cells, which would
    neither match the screen nor be protected): a row per month for all areas together
    (``area_code`` null), a row per area for the whole period (``month`` null), and the grand
    total. The leading text column ``total`` names them (in ``lang``; null on the grid's rows).
    A total of a custom selection of several areas is withheld like everywhere
    (``aggregate.withheld_selection``).
    """
    chosen = [measure_of(key) for key in measures]
    bases = {m.period_basis for m in chosen}
    if len(bases) > 1:
        raise ValueError("a month × area table mixes start-month and end-month measures; "
                         "make one table per kind")
    months = pl.DataFrame({"month": period_starts(filters.period_from, filters.period_to, "month")},
                          schema={"month": pl.Date})
    area_frame = geography.areas(filters.scheme)
    if filters.areas:
        area_frame = area_frame.filter(pl.col("area_code").is_in(list(filters.areas)))
    grid = months.join(area_frame.select("area_code"), how="cross").rename({"month": "period"})

    result = grid.rename({"period": "month"}).join(
        area_frame.select("area_code", "area_name"), on="area_code", how="left",
        maintain_order="left")
    for m in chosen:
        table = measure_table(facts, filters, m, first=filters.period_from,
                              last=filters.period_to, grain="month",
                              area_scheme=filters.scheme, grid=grid)
        shown = _published(table, m, threshold=threshold, keys=["month", "area_code"])
        result = result.join(shown, on=["month", "area_code"], how="left", maintain_order="left")
    result = result.sort("month", maintain_order=True)
    if not totals:
        return result
    parts = [result.with_columns(pl.lit(None, dtype=pl.String).alias("total"))]
    parts += _area_month_totals(facts, filters, chosen, months, area_frame, threshold, lang)
    return pl.concat(parts, how="diagonal_relaxed").select("total", *result.columns)


def _published(table: pl.DataFrame, m: Measure, *, threshold: int, keys: list[str],
               withhold: bool = False) -> pl.DataFrame:
    """One measure's published columns (value, flag, a rate's parts) by ``keys``."""
    shown = disclose(table, m, threshold=threshold, keep_parts=m.is_rate, withhold=withhold)
    renames = {"value": m.key, flag_column("value"): flag_column(m.key)}
    if "period" in shown.columns:
        renames["period"] = "month"
    if m.is_rate:
        for part in ("numerator", "denominator"):
            renames[part] = f"{m.key}_{part}"
            renames[flag_column(part)] = flag_column(f"{m.key}_{part}")
    shown = shown.rename(renames).select(
        [*keys, *[v for v in renames.values() if v not in ("month",)]])
    if m.is_rate:  # the parts of a rate are person counts: whole numbers
        shown = shown.with_columns(pl.col(f"{m.key}_numerator", f"{m.key}_denominator")
                                   .round(0).cast(pl.Int64))
    if m.kind in ("sum", "rate"):  # no float noise (23.275000000000002) in the files
        shown = shown.with_columns(pl.col(m.key).round(SUM_DECIMALS if m.kind == "sum"
                                                       else RATE_DECIMALS))
    return shown


def _area_month_totals(facts: Facts, filters: Filters, chosen: list[Measure],
                       months: pl.DataFrame, area_frame: pl.DataFrame, threshold: int,
                       lang: str) -> list[pl.DataFrame]:
    """The totals rows of ``compute_area_month_table``: each cell perturbed as its own cell."""
    withhold = withheld_selection(filters)  # all areas together: a custom selection is withheld
    by_month = months.with_columns(pl.lit(None, dtype=pl.String).alias("area_code"),
                                   pl.lit(t("data.total.areas", lang)).alias("area_name"),
                                   pl.lit(t("data.total.by_month", lang)).alias("total"))
    by_area = area_frame.select(pl.lit(None, dtype=pl.Date).alias("month"), "area_code",
                                "area_name", pl.lit(t("data.total.by_area", lang)).alias("total"))
    grand = pl.DataFrame({"month": [None], "area_code": [None],
                          "area_name": [t("data.total.areas", lang)],
                          "total": [t("data.total.grand", lang)]},
                         schema={"month": pl.Date, "area_code": pl.String, "area_name": pl.String,
                                 "total": pl.String})
    month_grid = months.rename({"month": "period"})
    area_grid = area_frame.select("area_code")
    for m in chosen:
        first, last = filters.period_from, filters.period_to
        per_month = measure_table(facts, filters, m, first=first, last=last, grain="month",
                                  grid=month_grid)
        by_month = by_month.join(
            _published(per_month, m, threshold=threshold, keys=["month"], withhold=withhold),
            on="month", how="left", maintain_order="left")
        per_area = measure_table(facts, filters, m, first=first, last=last,
                                 area_scheme=filters.scheme, grid=area_grid)
        by_area = by_area.join(
            _published(per_area, m, threshold=threshold, keys=["area_code"]),
            on="area_code", how="left", maintain_order="left")
        whole = measure_table(facts, filters, m, first=first, last=last)
        grand = pl.concat([grand, _published(whole, m, threshold=threshold, keys=[],
                                             withhold=withhold)], how="horizontal")
    return [by_month, by_area, grand]


# ------------------------------------------------------------------------------------- balance
def compute_balance_table(facts: Facts, filters: Filters) -> pl.DataFrame:
    """The labour-market balance for every half-year that overlaps the period, each in the
    scheme it was published in; only areas overlapping the selection, when one is made.

    Columns: ``half_year``, ``area_scheme``, then those of ``balance.compute_balance_matrix``.
    The balance is public (STAR publishes it): no disclosure control.
    """
    wanted = (half_year_index(filters.period_from), half_year_index(filters.period_to))
    published = available_half_years(facts).with_columns(
        half_year_index_of_label_expr(pl.col("half_year")).alias("_index"))
    in_period = published.filter(pl.col("_index").is_between(*wanted)).sort("_index")
    selected = filters.municipality_codes()
    frames = []
    for half_year, scheme in in_period.select("half_year", "area_scheme").iter_rows():
        matrix = compute_balance_matrix(facts, half_year, scheme)
        if selected is not None:
            lookup = geography.area_lookup(scheme)
            overlapping = lookup.filter(pl.col("municipality_code").is_in(selected))["area_code"]
            matrix = matrix.filter(pl.col("area_code").is_in(overlapping.unique().to_list()))
        frames.append(matrix.select(pl.lit(half_year).alias("half_year"),
                                    pl.lit(scheme).alias("area_scheme"), pl.all()))
    if not frames:
        empty = compute_balance_matrix(facts, "2000H1", "rar")
        return empty.select(pl.lit(None, dtype=pl.String).alias("half_year"),
                            pl.lit(None, dtype=pl.String).alias("area_scheme"), pl.all()).head(0)
    return pl.concat(frames, how="vertical")


# --------------------------------------------------------------------------- data dictionary
def type_name(dtype: pl.DataType | DataTypeClass) -> str:
    """A short type name for people: 'Enum', 'List[Enum]', 'Int16', 'Date' …"""
    if isinstance(dtype, pl.Enum):
        return "Enum"
    if isinstance(dtype, pl.List):
        return f"List[{type_name(dtype.inner)}]"
    return str(dtype.base_type()) if hasattr(dtype, "base_type") else str(dtype)


def _allowed(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Enum):
        return ", ".join(dtype.categories.to_list())
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Enum):
        return ", ".join(dtype.inner.categories.to_list())
    return ""


def compute_data_dictionary(lang: str = "da") -> pl.DataFrame:
    """Every column of the data model: ``table``, ``column``, ``type``, ``nullable``, ``key``
    (part of the primary key), ``description`` (in ``lang``), ``allowed`` (an Enum's values)."""
    rows = [{
        "table": spec.table, "column": spec.column, "type": type_name(spec.dtype),
        "nullable": spec.nullable, "key": spec.key,
        "description": t(spec.description_key, lang), "allowed": _allowed(spec.dtype),
    } for spec in COLUMNS]  # the import columns' table (ingest/columns.py), in the model's order
    return pl.DataFrame(rows, schema={"table": pl.String, "column": pl.String, "type": pl.String,
                                      "nullable": pl.Boolean, "key": pl.Boolean,
                                      "description": pl.String, "allowed": pl.String})


def compute_measure_definitions(lang: str = "da") -> pl.DataFrame:
    """The measures catalogue as a table in ``lang``: ``measure`` (key), ``title``,
    ``definition``, ``unit``, ``period_basis``, ``area_attribution``, ``source``."""
    rows = [{
        "measure": m.key, "title": m.title(lang), "definition": m.definition(lang),
        "unit": m.unit_label(lang),
        "period_basis": t(f"data.basis.{m.period_basis}", lang),
        "area_attribution": m.area_attribution(lang), "source": m.source(lang),
    } for m in load_catalogue().values()]
    return pl.DataFrame(rows, schema={c: pl.String for c in (
        "measure", "title", "definition", "unit", "period_basis", "area_attribution", "source")})


# ------------------------------------------------------------------------------ data quality
def compute_table_summary(dataset: Dataset) -> pl.DataFrame:
    """Rows per table and the dates it covers: ``table``, ``rows``, ``first``, ``last``
    (null where a table has no date column: its period comes from the courses it refers to)."""
    rows = []
    for table in TABLES:
        frame = dataset.tables.get(table, empty_frame(table).lazy())  # optional tables may be absent
        column = _PERIOD_COLUMNS.get(table)
        exprs = [pl.len().cast(pl.Int64).alias("rows")]
        if column:
            exprs += [pl.col(column).min().alias("first"), pl.col(column).max().alias("last")]
        values = frame.select(exprs).collect().row(0, named=True)
        rows.append({"table": table, "rows": values["rows"], "first": values.get("first"),
                     "last": values.get("last")})
    return pl.DataFrame(rows, schema={"table": pl.String, "rows": pl.Int64, "first": pl.Date,
                                      "last": pl.Date})


def compute_null_counts(dataset: Dataset) -> pl.DataFrame:
    """Missing values in every nullable column: ``table``, ``column``, ``rows``, ``nulls``,
    ``null_share`` (of the table's rows; null for an empty table)."""
    rows = []
    for table, columns in NULLABLE.items():
        if not columns:
            continue
        ordered = [c for c in TABLES[table] if c in columns]
        counts = dataset.tables[table].select(
            pl.len().cast(pl.Int64).alias("_rows"),
            *[pl.col(c).null_count().cast(pl.Int64).alias(c) for c in ordered],
        ).collect().row(0, named=True)
        for column in ordered:
            total = counts["_rows"]
            rows.append({"table": table, "column": column, "rows": total, "nulls": counts[column],
                         "null_share": counts[column] / total if total else None})
    return pl.DataFrame(rows, schema={"table": pl.String, "column": pl.String, "rows": pl.Int64,
                                      "nulls": pl.Int64, "null_share": pl.Float64})


def compute_empty_months(dataset: Dataset) -> pl.DataFrame:
    """Months the dataset covers in which no course started (cancelled ones aside): ``month``.

    A gap usually means a missing delivery, not a month without VEU.
    """
    months = month_range(dataset.covers_from, dataset.covers_to)
    started = (dataset.tables["courses"].filter(~pl.col("cancelled"))
               .select(pl.col("start_date").dt.truncate("1mo").alias("month")).unique().collect())
    every = pl.DataFrame({"month": months}, schema={"month": pl.Date})
    return every.join(started, on="month", how="anti").sort("month")


def select_enrolments(dataset: Dataset, filters: Filters) -> pl.LazyFrame:
    """Person-level enrolments in courses that started in the period, of participants living in
    the selected areas. Only for ``exports.person_level_export`` (which checks the setting)."""
    starts = dataset.tables["courses"].filter(
        pl.col("start_date").is_between(filters.period_from, month_end(filters.period_to))
    ).select("course_id")
    frame = dataset.tables["enrolments"].join(starts, on="course_id", how="semi")
    codes = filters.municipality_codes()
    if codes is not None:
        frame = frame.filter(pl.col("municipality_code").is_in(codes))
    if filters.labour_status:
        frame = frame.filter(pl.col("labour_status").is_in(list(filters.labour_status)))
    return frame
