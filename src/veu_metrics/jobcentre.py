"""Job centres (for KL): uptake of upskilling per 1,000 full-time unemployed, actual vs expected.

Uptake = participations of unemployed residents (insured and other unemployed at course start)
in courses started in the period ÷ the municipality's average monthly full-time unemployed × 1,000.

Expected uptake is a transparent composition model: the national participation rates of insured
and of other unemployed (participations ÷ average full-time unemployed of that kind, same filters,
same period, whole country) applied to the municipality's own mix of insured and other
unemployed. Actual − expected says whether a job centre uses upskilling more or less than its
unemployment would suggest. Where the insured count is unknown the national overall rate is used.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from veu_metrics import geography
from veu_metrics.aggregate import (
    MeasureError,
    disclose,
    measure_of,
    measure_table,
    period_starts,
    rate_decimals,
    rows,
    unemployment_average,
)
from veu_metrics.disclosure import apply_disclosure, cell_key, published_count
from veu_metrics.facts import Facts
from veu_metrics.filters import Filters


def _ranking_raw(facts: Facts, filters: Filters) -> pl.DataFrame:
    """Per municipality (whole country): participations by kind of unemployed and unemployment."""
    m = measure_of("jobcentre_uptake")
    counts = (
        rows(facts, filters, m, first=filters.period_from, last=filters.period_to, use_areas=False)
        .group_by("municipality_code")
        .agg(
            pl.len().cast(pl.Int64).alias("participations"),
            (pl.col("labour_status") == "Forsikret ledig").sum().cast(pl.Int64)
            .alias("insured_participations"),
            cell_key().alias("participations_ckey"),
            cell_key(pl.col("labour_status") == "Forsikret ledig").alias("insured_participations_ckey"),
        )
        .collect()
    )
    unemployed = unemployment_average(facts, filters, first=filters.period_from,
                                      last=filters.period_to, area_scheme="municipality",
                                      use_areas=False).with_columns(
        pl.col("area_code").cast(pl.Int16).alias("municipality_code"))
    base = geography.municipalities().select("municipality_code", "municipality_name")
    return (
        base.join(counts, on="municipality_code", how="left", maintain_order="left")
        .join(unemployed.select("municipality_code", "full_time_unemployed", "insured_unemployed"),
              on="municipality_code", how="left", maintain_order="left")
        .with_columns(
            pl.col("participations").fill_null(0),
            pl.col("insured_participations").fill_null(0),
            pl.col("participations_ckey", "insured_participations_ckey").fill_null(0),
            pl.col("full_time_unemployed").fill_null(0.0),
        )
    )


def _expected(raw: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Add expected participations from the national rates of insured and other unemployed."""
    known = raw.filter(pl.col("insured_unemployed").is_not_null())
    insured = float(known["insured_unemployed"].sum())
    others = float((known["full_time_unemployed"] - known["insured_unemployed"]).sum())
    # The national rates come from published (perturbed) totals: true ones would be differenced.
    insured_parts = _published_sum(known, "insured_participations", threshold)
    other_parts = _published_sum(known, "participations", threshold) - insured_parts
    total_unemployed = float(raw["full_time_unemployed"].sum())
    overall = _published_sum(raw, "participations", threshold)
    overall_rate = overall / total_unemployed if total_unemployed else 0.0
    insured_rate = insured_parts / insured if insured else overall_rate
    other_rate = other_parts / others if others else overall_rate
    expected = (
        pl.when(pl.col("insured_unemployed").is_not_null())
        .then(insured_rate * pl.col("insured_unemployed")
              + other_rate * (pl.col("full_time_unemployed") - pl.col("insured_unemployed")))
        .otherwise(overall_rate * pl.col("full_time_unemployed"))
    )
    return raw.with_columns(expected.alias("expected_participations"))


def _published_sum(frame: pl.DataFrame, column: str, threshold: int) -> float:
    return float(published_count(int(frame[column].sum()), int(frame[f"{column}_ckey"].sum()),
                                 threshold) or 0)


def _per_1000(column: str) -> pl.Expr:
    return (pl.when(pl.col("full_time_unemployed") > 0)
            .then(pl.col(column) / pl.col("full_time_unemployed") * 1000).otherwise(None))


def compute_jobcentre_ranking(facts: Facts, filters: Filters, *, threshold: int) -> pl.DataFrame:
    """Municipalities (in the selected areas) ranked by uptake per 1,000 full-time unemployed.

    Columns: ``municipality_code``, ``municipality_name``, ``area_code`` (of the filter's scheme;
    the scheme in force at the period's end when the filter is by municipality),
    ``participations``, ``full_time_unemployed`` (monthly average), ``insured_share``,
    ``uptake``, ``expected_uptake``, ``difference`` (actual − expected), ``ratio``
    (actual ÷ expected), ``rank`` (1 = highest uptake; null when hidden or undefined). Hidden
    values are null with ``_suppressed`` flags. Zero unemployed: no uptake (null, not hidden).
    """
    raw = _expected(_ranking_raw(facts, filters), threshold)
    frame = raw.with_columns(
        _per_1000("participations").alias("uptake"),
        _per_1000("expected_participations").alias("expected_uptake"),
        pl.when(pl.col("full_time_unemployed") > 0)
        .then(pl.col("insured_unemployed") / pl.col("full_time_unemployed")).alias("insured_share"),
    ).with_columns(
        (pl.col("uptake") - pl.col("expected_uptake")).alias("difference"),
        pl.when(pl.col("expected_uptake") > 0)
        .then(pl.col("uptake") / pl.col("expected_uptake")).alias("ratio"),
    )
    scheme = filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
        filters.period_to, facts.reform_date)
    lookup = geography.area_lookup(scheme)
    frame = frame.join(lookup, on="municipality_code", how="left", maintain_order="left")
    selection = filters.municipality_codes()
    if selection is not None:
        frame = frame.filter(pl.col("municipality_code").is_in(selection))
    frame = frame.select(
        "municipality_code", "municipality_name", "area_code", "participations",
        "participations_ckey", "full_time_unemployed", "insured_share", "uptake",
        "expected_uptake", "difference", "ratio",
    )
    shown = apply_disclosure(
        frame, threshold=threshold, counts=["participations"],
        rates={"uptake": ("participations", "full_time_unemployed")},
        decimals={"uptake": rate_decimals(measure_of("jobcentre_uptake"))},
    )
    # Difference and ratio from the published uptake (from the true one they would give it back).
    shown = shown.with_columns(
        (pl.col("uptake") - pl.col("expected_uptake")).alias("difference"),
        pl.when(pl.col("expected_uptake") > 0)
        .then(pl.col("uptake") / pl.col("expected_uptake")).alias("ratio"),
        pl.col("uptake_suppressed").alias("difference_suppressed"),
        pl.col("uptake_suppressed").alias("ratio_suppressed"),
    ).select(*[c for c in shown.columns if c not in ("difference", "ratio")],
             "difference", "difference_suppressed", "ratio", "ratio_suppressed")
    return shown.with_columns(
        pl.col("uptake").rank("min", descending=True).cast(pl.Int32).alias("rank")
    ).sort(["rank", "municipality_code"], nulls_last=True)


def compute_comparable_municipalities(facts: Facts, filters: Filters, municipality_code: int, *,
                                      threshold: int, count: int = 5) -> pl.DataFrame:
    """The municipality and the ``count`` municipalities most like it in unemployment.

    Likeness: Euclidean distance on the standardised log of average full-time unemployed and the
    insured share, over the municipalities of the whole country that have unemployed people. Columns: the ranking's, plus ``distance`` and
    ``is_selected``; the chosen municipality first.
    """
    if municipality_code not in geography.municipality_codes():
        raise MeasureError(f"unknown municipality code {municipality_code}")
    ranking = compute_jobcentre_ranking(facts, filters.whole_country(), threshold=threshold)
    # Only municipalities with unemployed people are comparable (others have no uptake).
    candidates = ranking.filter((pl.col("full_time_unemployed") > 0)
                                | (pl.col("municipality_code") == municipality_code))
    level = np.log1p(candidates["full_time_unemployed"].fill_null(0.0).to_numpy())
    share = candidates["insured_share"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    known = np.isfinite(share)
    share = np.where(known, share, np.median(share[known]) if known.any() else 0.0)
    features = np.column_stack([_standardise(level), _standardise(share)])
    codes = candidates["municipality_code"].to_list()
    target = features[codes.index(municipality_code)]
    distance = np.sqrt(((features - target) ** 2).sum(axis=1))
    frame = candidates.with_columns(
        pl.Series("distance", distance),
        (pl.col("municipality_code") == municipality_code).alias("is_selected"),
    )
    return frame.sort(["is_selected", "distance", "municipality_code"],
                      descending=[True, False, False]).head(count + 1)


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    if not math.isfinite(spread) or spread == 0:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def compute_jobcentre_trend(facts: Facts, filters: Filters, municipality_code: int, *,
                            threshold: int, grain: str = "quarter") -> pl.DataFrame:
    """Uptake over time for a municipality, its area and the country (same attribute filters).

    The area is the municipality's area under the filter's scheme (or the scheme in force at the
    period's end when filtering by municipality). Columns: ``level`` (municipality / area /
    country), ``area_code``, ``period``, ``value``, ``value_suppressed``.
    """
    if municipality_code not in geography.municipality_codes():
        raise MeasureError(f"unknown municipality code {municipality_code}")
    m = measure_of("jobcentre_uptake")
    scheme = filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
        filters.period_to, facts.reform_date)
    lookup = geography.area_lookup(scheme)
    area_code = lookup.filter(pl.col("municipality_code") == municipality_code)["area_code"][0]
    levels = {
        "municipality": (filters.with_changes(scheme="municipality", areas=(str(municipality_code),)),
                         str(municipality_code)),
        "area": (filters.with_changes(scheme=scheme, areas=(area_code,)), area_code),
        "country": (filters.whole_country(), None),
    }
    grid = pl.DataFrame({"period": period_starts(filters.period_from, filters.period_to, grain)},
                        schema={"period": pl.Date})
    frames = []
    for level, (level_filters, code) in levels.items():
        table = measure_table(facts, level_filters, m, first=filters.period_from,
                              last=filters.period_to, grain=grain, grid=grid)
        shown = disclose(table, m, threshold=threshold)
        frames.append(shown.select(
            pl.lit(level).alias("level"), pl.lit(code, dtype=pl.String).alias("area_code"),
            "period", "value", "value_suppressed"))
    return pl.concat(frames)
