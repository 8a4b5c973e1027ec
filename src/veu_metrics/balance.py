"""The labour-market balance (Arbejdsmarkedsbalancen) and VEU activity in shortage occupations.

The balance is published per half-year, per RAR area up to the reform and per council area after
it. A status always belongs to a half-year; these functions never mix schemes within one view.

*Omfattende mangel* (widespread shortage), derived: status Mangel in at least 4 of the 7 RAR
areas excluding Bornholm (or, for the 5 council areas, at least 3) in both the half-year and the
one before — each judged in the scheme it was published in — for an occupation that requires
vocational or higher education. The official condition on national unemployment in the occupation
(≤ 2.5 %) cannot be checked: unemployment by occupation is not in the data.
"""

from __future__ import annotations

import polars as pl

from veu_metrics import geography
from veu_metrics.aggregate import MeasureError, aggregate, measure_of, withheld_selection
from veu_metrics.disclosure import apply_disclosure
from veu_metrics.facts import Facts
from veu_metrics.filters import Filters
from veu_metrics.periods import half_year_index_of_label, half_year_label_of_index
from veu_metrics.schema import SHORTAGE_STATUSES

WIDESPREAD_MIN_AREAS = {"rar": 4, "council": 3}
WIDESPREAD_EXCLUDED_AREAS = {"rar": ("bornholm",), "council": ()}
BLIND_SPOT_LIMIT = 20
"""Default: a shortage occupation with fewer participations than this in the period is a blind spot."""


def blind_spot_limit(threshold: int, limit: int = BLIND_SPOT_LIMIT) -> int:
    """The limit ``compute_blind_spots`` applies: ``limit``, but never below the disclosure
    threshold (a hidden count must count as under it). The help text states this number."""
    return max(limit, threshold)

CHANGE_KINDS = ("new_shortage", "ended_shortage", "changed", "unchanged", "new", "not_comparable")


def _index(half_year: str) -> int:
    try:
        return half_year_index_of_label(half_year)
    except ValueError as exc:
        raise MeasureError(str(exc)) from None


def available_half_years(facts: Facts) -> pl.DataFrame:
    """The published half-years, newest first: ``half_year``, ``area_scheme`` (String)."""
    return (facts.balance.select("half_year", pl.col("area_scheme").cast(pl.String),
                                 "half_year_index")
            .unique().sort(["half_year_index", "area_scheme"], descending=[True, False])
            .drop("half_year_index"))


def _published_schemes(facts: Facts, index: int) -> list[geography.AreaScheme]:
    found = facts.balance.filter(pl.col("half_year_index") == index)["area_scheme"].cast(pl.String)
    # the column is an enum of 'rar' and 'council': every value is a scheme
    return sorted(s for s in set(found.to_list()) if geography.is_scheme(s))


def _resolve_scheme(facts: Facts, half_year: str,
                    scheme: str | None) -> tuple[int, geography.AreaScheme | None]:
    index = _index(half_year)
    schemes = _published_schemes(facts, index)
    if scheme is not None:
        if scheme not in ("rar", "council") or not geography.is_scheme(scheme):
            raise MeasureError(f"the balance is published per 'rar' or 'council' area, not {scheme!r}")
        return index, scheme if scheme in schemes else None
    if not schemes:
        return index, None
    return index, "council" if "council" in schemes else schemes[0]


def _statuses(facts: Facts, index: int, scheme: geography.AreaScheme) -> pl.DataFrame:
    return facts.balance.filter(
        (pl.col("half_year_index") == index) & (pl.col("area_scheme") == scheme)
    ).select("area_code", "occupation_code", "status")


def _widespread(facts: Facts, index: int, scheme: geography.AreaScheme) -> set[str]:
    """Occupations with widespread shortage in the half-year (see the module docstring)."""
    def meets(idx: int, preferred: str) -> set[str] | None:
        schemes = _published_schemes(facts, idx)
        if not schemes:
            return None
        used = preferred if preferred in schemes else schemes[0]
        frame = _statuses(facts, idx, used).filter(
            (pl.col("status") == "Mangel")
            & ~pl.col("area_code").is_in(list(WIDESPREAD_EXCLUDED_AREAS[used])))
        counts = frame.group_by("occupation_code").len()
        return set(counts.filter(pl.col("len") >= WIDESPREAD_MIN_AREAS[used])["occupation_code"])

    now, before = meets(index, scheme), meets(index - 1, scheme)
    if now is None or before is None:
        return set()
    occ = facts.occupations
    vocational = set(occ.filter(pl.col("vocational_required").fill_null(False))["occupation_code"])
    return now & before & vocational


def _empty_matrix() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "occupation_code": pl.String, "title_da": pl.String, "title_en": pl.String,
        "industry_group": pl.String, "area_code": pl.String, "area_name": pl.String,
        "area_name_en": pl.String, "status": pl.String, "shortage_areas": pl.UInt32,
        "widespread_shortage": pl.Boolean,
    })


def compute_balance_matrix(facts: Facts, half_year: str, scheme: str | None = None) -> pl.DataFrame:
    """Occupation × area statuses for a half-year (long form, for a categorical heatmap).

    ``scheme`` defaults to the scheme the half-year was published in; an empty frame means the
    half-year is not published in that scheme. Columns: ``occupation_code``, ``title_da``,
    ``title_en``, ``industry_group``, ``area_code``, ``area_name``, ``area_name_en``,
    ``status``, ``shortage_areas`` (areas with Mangel or Paradoks for the occupation),
    ``widespread_shortage`` (omfattende mangel). The balance is public: no disclosure control.
    """
    index, used = _resolve_scheme(facts, half_year, scheme)
    if used is None:
        return _empty_matrix()
    statuses = _statuses(facts, index, used)
    widespread = _widespread(facts, index, used)
    areas = geography.areas(used).with_row_index("_area_order")
    occ = facts.occupations.select("occupation_code", "title_da", "title_en",
                                   pl.col("industry_group").cast(pl.String))
    shortage_areas = statuses.group_by("occupation_code").agg(
        pl.col("status").is_in(list(SHORTAGE_STATUSES)).sum().cast(pl.UInt32).alias("shortage_areas"))
    return (
        statuses.join(occ, on="occupation_code", how="left")
        .join(areas, on="area_code", how="left")
        .join(shortage_areas, on="occupation_code", how="left")
        .with_columns(
            pl.col("status").cast(pl.String),
            pl.col("occupation_code").is_in(list(widespread)).alias("widespread_shortage"),
        )
        .sort(["industry_group", "title_da", "occupation_code", "_area_order"], nulls_last=True)
        .select(_empty_matrix().columns)
    )


def compute_balance_changes(facts: Facts, half_year: str, scheme: str | None = None) -> pl.DataFrame:
    """Each occupation × area's status against the previous half-year in the same scheme.

    ``change``: new_shortage (now Mangel/Paradoks, before not), ended_shortage, changed (another
    change of status), unchanged, new (no status before), not_comparable (the previous half-year
    was published in the other scheme, e.g. across the reform). Columns: those of the matrix plus
    ``previous_half_year``, ``previous_status``, ``change``.
    """
    matrix = compute_balance_matrix(facts, half_year, scheme)
    index, used = _resolve_scheme(facts, half_year, scheme)
    previous_label = half_year_label_of_index(index - 1)
    base = matrix.with_columns(pl.lit(previous_label).alias("previous_half_year"))
    if used is None or matrix.height == 0:
        return base.with_columns(pl.lit(None, dtype=pl.String).alias("previous_status"),
                                 pl.lit(None, dtype=pl.String).alias("change"))
    if used not in _published_schemes(facts, index - 1):
        return base.with_columns(pl.lit(None, dtype=pl.String).alias("previous_status"),
                                 pl.lit("not_comparable").alias("change"))
    previous = _statuses(facts, index - 1, used).select(
        "area_code", "occupation_code", pl.col("status").cast(pl.String).alias("previous_status"))
    joined = base.join(previous, on=["area_code", "occupation_code"], how="left",
                       maintain_order="left")
    shortage = list(SHORTAGE_STATUSES)
    now, before = pl.col("status").is_in(shortage), pl.col("previous_status").is_in(shortage)
    change = (
        pl.when(pl.col("previous_status").is_null()).then(pl.lit("new"))
        .when(now & ~before).then(pl.lit("new_shortage"))
        .when(~now & before).then(pl.lit("ended_shortage"))
        .when(pl.col("status") != pl.col("previous_status")).then(pl.lit("changed"))
        .otherwise(pl.lit("unchanged"))
    )
    return joined.with_columns(change.alias("change"))


def _shortage_activity(facts: Facts, filters: Filters, half_year: str, threshold: int,
                       scheme: str | None) -> pl.DataFrame:
    """Shortage occupations with their (protected) activity."""
    index, used = _resolve_scheme(facts, half_year, scheme)
    columns = {"occupation_code": pl.String, "title_da": pl.String, "title_en": pl.String,
               "industry_group": pl.String, "shortage_areas": pl.UInt32, "mangel_areas": pl.UInt32,
               "widespread_shortage": pl.Boolean, "participations": pl.Int64,
               "participations_ckey": pl.Int64, "courses_started": pl.Int64}
    if used is None:
        empty = pl.DataFrame(schema=columns)
        return apply_disclosure(empty, threshold=threshold, counts=["participations"])
    statuses = _statuses(facts, index, used)
    selection = filters.municipality_codes()
    if selection is not None:
        lookup = geography.area_lookup(used)
        areas = lookup.filter(pl.col("municipality_code").is_in(selection))["area_code"].unique()
        statuses = statuses.filter(pl.col("area_code").is_in(areas.to_list()))
    in_shortage = statuses.filter(pl.col("status").is_in(list(SHORTAGE_STATUSES)))
    per_occupation = in_shortage.group_by("occupation_code").agg(
        pl.len().cast(pl.UInt32).alias("shortage_areas"),
        (pl.col("status") == "Mangel").sum().cast(pl.UInt32).alias("mangel_areas"),
    )
    by_occupation = {"occupation_code": pl.col("occupation_code").cast(pl.String)}
    participations = aggregate(facts, filters, measure_of("participations"),
                               first=filters.period_from, last=filters.period_to,
                               keys=by_occupation).select(
        "occupation_code", pl.col("numerator").cast(pl.Int64).alias("participations"),
        pl.col("numerator_ckey").alias("participations_ckey"))
    courses = aggregate(facts, filters, measure_of("courses_started"), first=filters.period_from,
                        last=filters.period_to, keys=by_occupation).select(
        "occupation_code", pl.col("numerator").cast(pl.Int64).alias("courses_started"))
    widespread = _widespread(facts, index, used)
    occ = facts.occupations.select("occupation_code", "title_da", "title_en",
                                   pl.col("industry_group").cast(pl.String))
    frame = (
        per_occupation.join(occ, on="occupation_code", how="left")
        .join(participations, on="occupation_code", how="left")
        .join(courses, on="occupation_code", how="left")
        .with_columns(
            pl.col("participations").fill_null(0),
            pl.col("participations_ckey").fill_null(0),
            pl.col("courses_started").fill_null(0),
            pl.col("occupation_code").is_in(list(widespread)).alias("widespread_shortage"),
        )
        .sort(["shortage_areas", "title_da"], descending=[True, False])
        .select(list(columns))
    )
    return apply_disclosure(frame, threshold=threshold, counts=["participations"],
                            withhold=withheld_selection(filters))


def compute_shortage_activity(facts: Facts, filters: Filters, half_year: str, *, threshold: int,
                              scheme: str | None = None) -> pl.DataFrame:
    """VEU activity in each occupation with shortage (Mangel or Paradoks) in the half-year.

    Shortage is looked up in the areas overlapping the filter's selection (all areas when none);
    activity is counted with the filters (period, participants' areas, course attributes).
    Columns: ``occupation_code``, ``title_da``, ``title_en``, ``industry_group``,
    ``shortage_areas``, ``mangel_areas``, ``widespread_shortage``, ``participations`` (+
    ``_suppressed``), ``courses_started``. Most widespread shortage first.
    """
    return _shortage_activity(facts, filters, half_year, threshold, scheme)


def compute_blind_spots(facts: Facts, filters: Filters, half_year: str, *, threshold: int,
                        limit: int = BLIND_SPOT_LIMIT, scheme: str | None = None) -> pl.DataFrame:
    """Shortage occupations with little or no VEU activity: fewer than ``limit`` participations.

    ``limit`` is at least the disclosure threshold; the choice is made on the published values
    (a hidden count counts as under the limit), so being listed reveals nothing more than the
    table itself. Same columns as ``compute_shortage_activity``; most shortage
    areas first, then least activity.
    """
    limit = blind_spot_limit(threshold, limit)
    frame = _shortage_activity(facts, filters, half_year, threshold, scheme)
    # Sorted by what is shown (hidden last), so the order reveals nothing about hidden values.
    return (frame.filter(pl.col("participations_suppressed") | (pl.col("participations") < limit))
            .sort(["shortage_areas", "participations_suppressed", "participations", "title_da"],
                  descending=[True, False, False, False], nulls_last=True))


__all__ = ["available_half_years", "blind_spot_limit", "compute_balance_changes",
           "compute_balance_matrix", "compute_blind_spots", "compute_shortage_activity"]
