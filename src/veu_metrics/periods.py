"""Periods of a time series: whether the last quarter or year is complete.

A trend by quarter or year whose last period has only some of its months shows a false drop at
the end (October alone against whole quarters). Charts leave such a period out and say so.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import polars as pl

from veu_metrics.i18n import t

Grain = Literal["month", "quarter", "year"]

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


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_presets(covers_from: date, covers_to: date) -> dict[str, tuple[date, date]]:
    """Preset → (first month, last month), newest first: the last 12 months, every calendar
    year with data (the current one up to its last month), every quarter with data. A year or
    quarter only partly covered runs from the first to the last month with data."""
    first = date(covers_from.year, covers_from.month, 1)
    last = date(covers_to.year, covers_to.month, 1)
    presets: dict[str, tuple[date, date]] = {LAST_12: (max(first, _month_add(last, -11)), last)}
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
