"""How the Effekter page shows the core's outcome frames: group names, column labels, the
three rates side by side over time. Presentation only; the numbers come from
``measures.compute_outcomes`` and ``measures.compute_series``."""

from __future__ import annotations

import polars as pl

from veu_metrics.catalogue import get_measure
from veu_metrics.columns import PERIOD_KINDS, Column
from veu_metrics.dimensions import OUTCOME_DIMENSIONS, dimension
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_column
from veu_metrics.i18n import t

OUTCOME_RATES = ("completion_rate", "employment_rate_3m", "employment_rate_6m")
GROUPINGS = tuple(d.name for d in OUTCOME_DIMENSIONS)  # the registry's outcome groupings
COUNT_COLUMNS = ("participations", "completed", "completion_known", "employed_3m",
                 "employment_3m_known", "employed_6m", "employment_6m_known")


def grouping_label(by: str, lang: str) -> str:
    return t(dimension(by).grouping_label, lang)


def rate_titles(lang: str) -> dict[str, str]:
    return {m: get_measure(m).title(lang) for m in OUTCOME_RATES}


def rates_help(lang: str) -> str:
    """The definitions behind the page's "?": each rate's definition, then how to read the table."""
    parts = [f"**{get_measure(m).title(lang)}:** {get_measure(m).definition(lang)}"
             for m in OUTCOME_RATES]
    parts.append(t("outcomes.by_help", lang, marker=SUPPRESSED_MARKER))
    return "\n\n".join(parts)


def name_groups(outcomes: pl.DataFrame, by: str, lang: str) -> pl.DataFrame:
    """Readable group names: 'shortage'/'other' in words, a missing group as 'not stated'."""
    names = {"shortage": t("outcomes.group.shortage", lang), "other": t("outcomes.group.other", lang)}
    group = pl.col("group")
    if by == "shortage":
        group = group.replace(names)
    return outcomes.with_columns(group.fill_null(t("outcomes.group.none", lang)).alias("group"))


def outcome_columns(by: str, lang: str) -> dict[str, Column]:
    """The outcome table's columns: counts and rates as numbers (they sort as numbers)."""
    columns: dict[str, Column] = {"group": Column(label=grouping_label(by, lang))}
    for column in COUNT_COLUMNS:
        columns[column] = Column(label=f"outcomes.col.{column}", kind="count")
    return columns


def series_long(series: dict[str, pl.DataFrame], lang: str) -> pl.DataFrame:
    """Several single-measure series → one frame for a line chart, ``group`` = measure title."""
    titles = rate_titles(lang)
    return pl.concat([frame.select("period", pl.lit(titles[m]).alias("group"), "value",
                                   "value_suppressed") for m, frame in series.items()],
                     how="vertical")


def series_wide(series: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Several single-measure series → one row per period, a column (and flag) per measure."""
    wide: pl.DataFrame | None = None
    for measure, frame in series.items():
        part = frame.select("period", pl.col("value").alias(measure),
                            pl.col("value_suppressed").alias(flag_column(measure)))
        wide = part if wide is None else wide.join(part, on="period", how="left",
                                                   maintain_order="left")
    return wide if wide is not None else pl.DataFrame({"period": []}, schema={"period": pl.Date})


def has_values(frame: pl.DataFrame, columns: tuple[str, ...] = OUTCOME_RATES) -> bool:
    """True when any rate is known or hidden (hidden counts as there: it shows the marker)."""
    present = [c for c in columns if c in frame.columns]
    flags = [flag_column(c) for c in present if flag_column(c) in frame.columns]
    if frame.is_empty() or not present:
        return False
    known = frame.select(pl.any_horizontal([pl.col(c).is_not_null() for c in present]
                                           + [pl.col(f) for f in flags]).any()).item()
    return bool(known)


def trend_columns(grain: str) -> dict[str, Column]:
    """The rates over time: the period as 'okt. 2026', '2026 K4' or '2026', sorting by date."""
    return {"period": Column(label="outcomes.col.period", kind=PERIOD_KINDS[grain])}
