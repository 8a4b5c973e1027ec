"""Pieces of the Mangelområder page: half-year labels, the heatmap's rows, readable tables."""

from __future__ import annotations

import polars as pl

from veu_metrics import geography
from veu_metrics.balance import blind_spot_limit
from veu_metrics.columns import Column
from veu_metrics.disclosure import MAX_NOISE
from veu_metrics.filters import Filters
from veu_metrics.formatting import SUPPRESSED_MARKER
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.maps import balance_description, balance_label, format_half_year
from veu_metrics.schema import BALANCE_STATUSES

CHANGE_KINDS = ("new_shortage", "ended_shortage", "changed", "unchanged", "new", "not_comparable")


def half_year_labels(half_years: list[str], lang: str) -> dict[str, str]:
    """'2. halvår 2026' → '2026H2', newest first."""
    return {format_half_year(h, lang): h for h in half_years}


def category_definitions(lang: str) -> str:
    """The four official categories with their definitions, as a Markdown list."""
    lines = [f"- **{balance_label(s, lang)}** — {balance_description(s, lang)}"
             for s in BALANCE_STATUSES]
    return "\n".join(lines) + "\n\n" + t("shortage.widespread_def", lang)


def heatmap_rows(matrix: pl.DataFrame, only_shortage: bool, industry_groups: tuple[str, ...],
                 lang: str, area_codes: list[str] | None = None) -> pl.DataFrame:
    """The matrix rows to draw: occupation title, area name, status (optionally only occupations
    in shortage somewhere, only the filtered industry groups, only the areas in ``area_codes``:
    those overlapping the area filter)."""
    title = "title_en" if lang == "en" else "title_da"
    area = "area_name_en" if lang == "en" else "area_name"
    rows = matrix
    if industry_groups:
        rows = rows.filter(pl.col("industry_group").is_in(list(industry_groups)))
    if area_codes is not None:
        rows = rows.filter(pl.col("area_code").is_in(area_codes))
    if only_shortage:
        rows = rows.filter(pl.col("shortage_areas") > 0)
    star = pl.when(pl.col("widespread_shortage")).then(pl.lit(" ★")).otherwise(pl.lit(""))
    return rows.select(
        (pl.col(title) + star).alias("occupation"),
        # Short area names fit the heatmap's column heads: 'Nordjylland', not 'Beskæftigelsesrådet …'.
        pl.col(area).str.replace(r"^(RAR |Beskæftigelsesrådet |Employment Council )", "").alias("area"),
        "status",
        "shortage_areas",
        pl.col("industry_group").cast(pl.String),
    ).sort(["shortage_areas", "occupation"], descending=[True, False])


def overlapping_areas(filters: Filters, scheme: AreaScheme) -> list[str] | None:
    """The balance scheme's areas that overlap the area filter (None: no area filter)."""
    codes = filters.municipality_codes()
    if codes is None:
        return None
    lookup = geography.area_lookup(scheme)
    return lookup.filter(pl.col("municipality_code").is_in(codes))["area_code"].unique().to_list()


def occupation_statuses(matrix: pl.DataFrame, occupation_code: str) -> pl.DataFrame:
    """One occupation's status in every area (for the balance map)."""
    return matrix.filter(pl.col("occupation_code") == occupation_code).select(
        "area_code", "area_name", "status")


CHANGE_SUMMARY_COLUMNS = {"change": Column(label="shortage.col.change"),
                          "cells": Column(label="shortage.col.cells", kind="count")}


def change_summary(changes: pl.DataFrame, lang: str) -> pl.DataFrame:
    """How many occupation × area cells changed, by kind (counts stay numbers)."""
    counts = dict(changes.group_by("change").len().iter_rows())
    return pl.DataFrame({
        "change": [t(f"shortage.change.{k}", lang) for k in CHANGE_KINDS],
        "cells": [counts.get(k, 0) for k in CHANGE_KINDS],
    }, schema={"change": pl.String, "cells": pl.Int64})


def change_display(changes: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Cells that moved into or out of shortage, as people read them."""
    title = "title_en" if lang == "en" else "title_da"
    area = "area_name_en" if lang == "en" else "area_name"
    moved = changes.filter(pl.col("change").is_in(["new_shortage", "ended_shortage"]))
    return moved.select(
        pl.col(title).alias(t("shortage.col.occupation", lang)),
        pl.col(area).alias(t("col.area", lang)),
        pl.col("previous_status").alias(t("shortage.col.previous", lang)),
        pl.col("status").alias(t("shortage.col.now", lang)),
        pl.col("change").replace_strict({k: t(f"shortage.change.{k}", lang) for k in CHANGE_KINDS},
                                        default=pl.col("change")).alias(t("shortage.col.change", lang)),
    )


ACTIVITY_COLUMNS: dict[str, Column] = {
    "occupation": Column(label="shortage.col.occupation"),
    "industry_group": Column(label="shortage.col.industry_group"),
    "shortage_areas": Column(label="shortage.col.shortage_areas", kind="count"),
    "mangel_areas": Column(label="shortage.col.mangel_areas", kind="count"),
    "widespread_shortage": Column(label="shortage.col.widespread_shortage"),
    "participations": Column(label="shortage.col.participations", kind="count"),
    "courses_started": Column(label="shortage.col.courses_started", kind="count"),
}


def blind_help(threshold: int, lang: str) -> str:
    """The blind spots' help: the limit the core applies and what 0 and the marker mean under
    cell-key perturbation (``veu_metrics.disclosure``), all from the code's constants."""
    limit = blind_spot_limit(threshold)
    if threshold <= 1:  # protection off (benchmarks, raw comparisons)
        return t("shortage.blind_help_unprotected", lang, limit=limit)
    return t("shortage.blind_help", lang, limit=limit, marker=SUPPRESSED_MARKER,
             hidden_max=threshold - 1, noise=MAX_NOISE)


def activity_rows(activity: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Activity per shortage occupation as a typed table (counts sort as numbers)."""
    title = "title_en" if lang == "en" else "title_da"
    return activity.select(
        pl.col(title).alias("occupation"),
        # a title the reference lacks has no industry group
        pl.col("industry_group").cast(pl.String).fill_null(t("value.not_given", lang)),
        "shortage_areas", "mangel_areas",
        pl.col("widespread_shortage").replace_strict({True: "★", False: ""}, return_dtype=pl.String),
        "participations", "participations_suppressed", "courses_started",
    )


def activity_chart_rows(activity: pl.DataFrame, lang: str, top: int = 20) -> pl.DataFrame:
    """The ``top`` shortage occupations with the most (shown) participations: with ~900 balance
    titles most shortage occupations have no courses, and a chart of zeros says nothing (the
    table below lists them all). Suppressed values sort last, so the order reveals nothing."""
    title = "title_en" if lang == "en" else "title_da"
    ranked = activity.with_row_index("_order").sort(
        ["participations", "_order"], descending=[True, False], nulls_last=True)
    return ranked.head(top).select(pl.col(title).alias("occupation"), "participations",
                                     "participations_suppressed")


def scheme_of(published: pl.DataFrame, half_year: str) -> AreaScheme:
    """The scheme a half-year was published in (the newer one when both exist)."""
    schemes = published.filter(pl.col("half_year") == half_year)["area_scheme"].to_list()
    scheme = "council" if "council" in schemes else schemes[0]
    if not geography.is_scheme(scheme):  # the schema's enum allows only schemes
        raise ValueError(f"unknown area scheme {scheme!r} in the balance for {half_year}")
    return scheme
