"""Periods of a time series: whether the last quarter or year is complete.

A trend by quarter or year whose last period has only some of its months shows a false drop at
the end (October alone against whole quarters). Charts leave such a period out and say so.
"""

from __future__ import annotations

from datetime import date

import polars as pl

_LAST_MONTH = {"quarter": (3, 6, 9, 12), "year": (12,)}


def is_complete(last_month: date, grain: str) -> bool:
    """Whether a period ending with ``last_month`` (the last month with data) is whole."""
    return grain == "month" or last_month.month in _LAST_MONTH[grain]


def drop_incomplete_last_period(series: pl.DataFrame, grain: str, last_month: date,
                                period_col: str = "period") -> tuple[pl.DataFrame, bool]:
    """The series without its last period when that period is cut short by ``last_month``.
    Returns the frame and whether a period was left out."""
    if is_complete(last_month, grain) or series.is_empty():
        return series, False
    last = series[period_col].max()
    return series.filter(pl.col(period_col) != last), True
