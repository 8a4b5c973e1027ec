"""Months, half-years and the periods of a time series: the one home of date arithmetic.

A month is the ``date`` of its first day; a half-year is written ``YYYYH1`` / ``YYYYH2`` (the
labour-market balance's periods) and numbered ``year × 2 + 0`` (H1) or ``+ 1`` (H2), the
``half_year_index`` that sorts and joins them. Showing a month or a half-year to people is
display, in ``formatting`` and the text store; this module only computes.

A trend by quarter or year whose last period has only some of its months shows a false drop at
the end (October alone against whole quarters). Charts leave such a period out and say so.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

import polars as pl

from veu_metrics.i18n import t

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")

# --- months ----------------------------------------------------------------------------------


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Number of months from ``first`` to ``last`` inclusive (both first days of months)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    return date.fromordinal(add_months(month_start(month), 1).toordinal() - 1)


def month_range(first: date, last: date) -> list[date]:
    """The first days of every month from ``first``'s to ``last``'s, both included, oldest first."""
    return [add_months(month_start(first), k) for k in range(max(months_between(first, last), 0))]


def last_complete_month(covers_to: date) -> date:
    """The last month fully covered by data ending on ``covers_to``."""
    is_month_end = date.fromordinal(covers_to.toordinal() + 1).day == 1
    return month_start(covers_to) if is_month_end else add_months(month_start(covers_to), -1)


def month_key(month: date) -> str:
    """A month as its link and file text, ``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


def month_of_key(key: str) -> date:
    """``YYYY-MM`` → the month's first day (ValueError on anything else)."""
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def months_apart_expr(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """Date expressions → how many months ``last``'s month lies after ``first``'s (0: the same)."""
    return ((last.dt.year() - first.dt.year()) * 12 + last.dt.month() - first.dt.month())


# --- half-years: 'YYYYH1' / 'YYYYH2', numbered year × 2 + (0 for H1, 1 for H2) ----------------

HALF_YEAR_PATTERN = re.compile(r"^(\d{4})H([12])$")


def half_year_index(day: date) -> int:
    """The half-year number of a date: year × 2, + 1 for the second half."""
    return day.year * 2 + (1 if day.month > 6 else 0)


def half_year_index_of_label(label: str) -> int:
    """'2024H2' → 4049 (ValueError when the label is not of the form YYYYH1 / YYYYH2)."""
    match = HALF_YEAR_PATTERN.match(label)
    if not match:
        raise ValueError(f"half-year {label!r} is not of the form YYYYH1 / YYYYH2")
    return int(match.group(1)) * 2 + int(match.group(2)) - 1


def half_year_label_of_index(index: int) -> str:
    """4049 → '2024H2'."""
    return f"{index // 2}H{index % 2 + 1}"


def half_year_start(index: int) -> date:
    """The first day of half-year number ``index`` (1 January or 1 July)."""
    return date(index // 2, 1 + 6 * (index % 2), 1)


def half_year_label_expr(expr: pl.Expr) -> pl.Expr:
    """A date expression → its half-year as 'YYYYH1' / 'YYYYH2'."""
    return pl.format("{}H{}", expr.dt.year(), pl.when(expr.dt.month() <= 6).then(1).otherwise(2))


def half_year_index_expr(expr: pl.Expr) -> pl.Expr:
    """A date expression → its half-year number (``half_year_index``)."""
    return (expr.dt.year().cast(pl.Int32) * 2 + (expr.dt.month() > 6).cast(pl.Int32))


def half_year_index_of_label_expr(expr: pl.Expr) -> pl.Expr:
    """A label expression, '2024H2' → 4049 (``half_year_index_of_label`` for a column)."""
    return (expr.str.slice(0, 4).cast(pl.Int32) * 2 + expr.str.slice(5, 1).cast(pl.Int32) - 1)


def half_year_label_of_index_expr(expr: pl.Expr) -> pl.Expr:
    """A half-year number expression → its label, 4049 → '2024H2'."""
    return pl.format("{}H{}", expr // 2, expr % 2 + 1)


# --- the periods of a time series -------------------------------------------------------------

_LAST_MONTH = {"quarter": (3, 6, 9, 12), "year": (12,)}


def is_complete(last_month: date, grain: Grain) -> bool:
    """Whether a period ending with ``last_month`` (the last month with data) is whole."""
    return grain == "month" or last_month.month in _LAST_MONTH[grain]


def drop_incomplete_last_period(series: pl.DataFrame, grain: Grain, last_month: date,
                                period_col: str = "period") -> tuple[pl.DataFrame, bool]:
    """The series without its last period when that period is cut short by ``last_month``.
    Returns the frame and whether a period was left out."""
    if is_complete(last_month, grain) or series.is_empty():
        return series, False
    last = series[period_col].max()
    return series.filter(pl.col(period_col) != last), True


# --- period presets: the usual choices, one click each, all in the link ---------------------------

LAST_12 = "Seneste 12 måneder"
CUSTOM = "Valgfri periode"
PRESET_KEY = "periodevalg"
"""The link key of the period preset; its values are Danish (the same in both UI languages)."""


def period_presets(covers_from: date, covers_to: date) -> dict[str, tuple[date, date]]:
    """Preset → (first month, last month), newest first: the last 12 months, every calendar
    year with data (the current one up to its last month), every quarter with data. A year or
    quarter only partly covered runs from the first to the last month with data."""
    first = date(covers_from.year, covers_from.month, 1)
    last = date(covers_to.year, covers_to.month, 1)
    presets: dict[str, tuple[date, date]] = {LAST_12: (max(first, add_months(last, -11)), last)}
    for year in range(last.year, first.year - 1, -1):
        presets[str(year)] = (max(first, date(year, 1, 1)), min(last, date(year, 12, 1)))
    for year in range(last.year, first.year - 1, -1):
        for quarter in (4, 3, 2, 1):
            start = date(year, 3 * quarter - 2, 1)
            end = date(year, 3 * quarter, 1)
            if end < first or start > last:
                continue
            presets[f"{year} K{quarter}"] = (max(first, start), min(last, end))
    return presets


def preset_label(preset: str, lang: str) -> str:
    """How a preset reads in the UI language (link values stay Danish)."""
    if lang != "en":
        return preset  # the Danish label is the link value (period.last_12/custom in Danish)
    if preset == LAST_12:
        return t("period.last_12", lang)
    if preset == CUSTOM:
        return t("period.custom", lang)
    return preset.replace(" K", " Q")
