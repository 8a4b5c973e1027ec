"""Pieces of the Jobcentre page: the ranking as people read it, and the trend's names."""

from __future__ import annotations

import polars as pl

from ui.components import display_frame, text_column
from veu_metrics import geography
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_number, format_percent
from veu_metrics.i18n import t

RANKING_COLUMNS = ("rank", "municipality_name", "participations", "full_time_unemployed",
                   "insured_share", "uptake", "expected_uptake", "difference")


def municipality_choices() -> dict[str, int]:
    m = geography.municipalities()
    return dict(zip(m["municipality_name"], m["municipality_code"], strict=True))


def selected_municipalities(filters: Filters) -> tuple[str, ...]:
    """The municipalities inside the filter's areas, as map codes (the map zooms to them)."""
    return tuple(str(c) for c in (filters.municipality_codes() or []))


def ranking_display(ranking: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Rank, name, participations, unemployed, insured share, uptake, expected, difference."""
    frame = ranking.select(
        pl.col("rank"), "municipality_name", "participations", "participations_suppressed",
        text_column(ranking, "full_time_unemployed", lambda v: format_number(v, 0, lang)),
        text_column(ranking, "insured_share", lambda v: format_percent(v, 0, lang)),
        "uptake", "uptake_suppressed",
        text_column(ranking, "expected_uptake", lambda v: format_number(v, 1, lang)),
        "difference", "difference_suppressed",
    )
    shown = display_frame(frame, lang)
    return shown.rename({c: t(f"jobcentre.col.{c}", lang) for c in RANKING_COLUMNS})


def trend_display(trend: pl.DataFrame, municipality_name: str, scheme: str, lang: str) -> pl.DataFrame:
    """The trend's levels named: the municipality, its area, the whole country."""
    area_names = geography.area_names(scheme, lang)
    names = {
        "municipality": municipality_name,
        "country": t("filters.all_country", lang),
    }
    return trend.with_columns(
        pl.when(pl.col("level") == "area")
        .then(pl.col("area_code").replace_strict(area_names, default=pl.col("area_code")))
        .otherwise(pl.col("level").replace_strict(names, default=pl.col("level")))
        .alias("group")
    ).select("period", "group", "value", "value_suppressed")
