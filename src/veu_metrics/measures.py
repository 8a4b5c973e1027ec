"""The dashboard's computations: pure functions from (facts, filters) to disclosure-controlled frames.

Every ``compute_*`` takes the ``Facts`` of a dataset (``facts.prepare_facts``), a ``Filters`` and
the disclosure ``threshold`` (``settings.disclosure_threshold``), and returns a small Polars
DataFrame whose person counts and rates have already passed ``disclosure.apply_disclosure``
(cell-key perturbation): a hidden value is null and its ``<column>_suppressed`` flag is true.

This module holds the general views (KPIs, series, area tables, focus areas, outcomes, courses);
job centres, the labour-market balance and targets live in ``jobcentre``, ``balance`` and
``targets`` and are re-exported here so that pages import from one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl
import polars.selectors as cs
from polars.datatypes import DataTypeClass

from veu_metrics import geography
from veu_metrics.aggregate import (
    BREAKDOWNS,
    GRAINS,
    Breakdown,
    MeasureError,
    anchor_of,
    area_grid,
    check_breakdown,
    check_grain,
    condition_expr,
    disclose,
    measure_of,
    measure_table,
    part_exprs,
    period_starts,
    population_expr,
    unemployment_average,
    with_value,
    withheld_selection,
)
from veu_metrics.aggregate import (
    rows as fact_rows,
)
from veu_metrics.balance import (
    available_half_years,
    compute_balance_changes,
    compute_balance_matrix,
    compute_blind_spots,
    compute_shortage_activity,
)
from veu_metrics.catalogue import Measure, kpi_measures
from veu_metrics.dimensions import BREAKDOWN_DIMENSIONS, OUTCOME_DIMENSIONS, dimension
from veu_metrics.disclosure import (
    KEY_SUFFIX,
    apply_disclosure,
    cell_key,
    flag_column,
    is_flag,
    key_column,
    published_count,
)
from veu_metrics.facts import Facts, earliest_start_for_end, slice_by_start
from veu_metrics.filters import Filters
from veu_metrics.jobcentre import (
    compute_comparable_municipalities,
    compute_jobcentre_conditions,
    compute_jobcentre_ranking,
    compute_jobcentre_trend,
    compute_uptake_model,
)
from veu_metrics.periods import Grain, add_months, month_start
from veu_metrics.targets import compute_target_progress

__all__ = [
    "BREAKDOWNS", "GRAINS", "MeasureError", "available_half_years", "compute_area_table",
    "compute_balance_changes", "compute_balance_matrix", "compute_blind_spots",
    "compute_comparable_municipalities", "compute_courses", "compute_courses_by_provider",
    "compute_focus_areas", "compute_jobcentre_ranking", "compute_jobcentre_trend",
    "compute_kpis", "compute_outcomes", "compute_series", "compute_shortage_activity",
    "compute_target_progress", "compute_measure_value",
    "compute_jobcentre_conditions", "compute_uptake_model",
]

OUTCOME_GROUPINGS: tuple[str, ...] = tuple(d.name for d in OUTCOME_DIMENSIONS)

_SCOPES = ("current", "previous", "national", "national_previous")


# ---------------------------------------------------------------------------------------- KPIs
def compute_kpis(facts: Facts, filters: Filters, threshold: int,
                 measures: list[str] | None = None) -> pl.DataFrame:
    """One row per measure: the value, the same period a year earlier, the national value.

    Columns: ``measure``, ``value``, ``value_previous``, ``value_national``,
    ``value_national_previous`` (each with ``_suppressed``), ``change`` (value − previous; for
    shares in fraction points) with ``change_suppressed``, ``change_pct`` (relative change, for
    non-rates) and ``previous_available`` (false when the data do not reach a year back).
    """
    keys = list(measures) if measures else kpi_measures()
    chosen = [measure_of(k) for k in keys]
    current = (filters.period_from, filters.period_to)
    previous = (add_months(filters.period_from, -12), add_months(filters.period_to, -12))
    previous_available = previous[0] >= month_start(facts.covers_from)
    windows = {"current": current, "previous": previous, "national": current,
               "national_previous": previous}

    parts: dict[tuple[str, str], dict[str, float]] = {}
    for table in ("enrolments", "courses"):
        group = [m for m in chosen if m.table == table]
        if group:
            parts |= _kpi_parts(facts, filters, group, windows)
    # A rate per unemployed divides by the period's average full-time unemployed.
    per_unemployed = [m for m in chosen if m.formula.per_unemployed]
    if per_unemployed:
        for scope, (first, last) in windows.items():
            avg = unemployment_average(facts, filters, first=first, last=last,
                                       use_areas=not scope.startswith("national"))
            value = avg["full_time_unemployed"][0] if avg.height else None
            for m in per_unemployed:
                parts[(m.key, scope)]["denominator"] = float(value or 0.0)

    # A custom selection publishes no person counts of its own; the national scopes stay.
    withhold = [withheld_selection(filters) and not s.startswith("national") for s in _SCOPES]
    rows = []
    for m in chosen:
        frame = pl.DataFrame(
            [{"scope": s, **parts[(m.key, s)]} for s in _SCOPES],
            schema={"scope": pl.String, "numerator": pl.Float64, "numerator_ckey": pl.Int64,
                    "denominator": pl.Float64, "denominator_ckey": pl.Int64,
                    "support": pl.Int64, "support_ckey": pl.Int64},
        )
        shown = disclose(with_value(frame, m).with_columns(pl.col("value").cast(pl.Float64)), m,
                         threshold=threshold, withhold=withhold)
        by_scope = {r["scope"]: r for r in shown.iter_rows(named=True)}
        row: dict[str, object] = {"measure": m.key}
        for scope in _SCOPES:
            suffix = "" if scope == "current" else f"_{scope}"
            value, hidden = by_scope[scope]["value"], by_scope[scope]["value_suppressed"]
            if scope.endswith("previous") and not previous_available:
                value, hidden = None, False
            row[f"value{suffix}"] = value
            row[flag_column(f"value{suffix}")] = hidden
        both = row["value"] is not None and row["value_previous"] is not None
        row["change"] = (row["value"] - row["value_previous"]) if both else None  # type: ignore[operator]
        row["change_suppressed"] = bool(row["value_suppressed"] or row["value_previous_suppressed"])
        row["change_pct"] = (
            row["change"] / row["value_previous"]  # type: ignore[operator]
            if both and m.kind != "rate" and row["value_previous"] else None
        )
        row["previous_available"] = previous_available
        rows.append(row)
    values = [f"value{'' if s == 'current' else '_' + s}" for s in _SCOPES]
    columns = ["measure"] + [c for v in values for c in (v, flag_column(v))]
    schema: dict[str, DataTypeClass] = {
        c: (pl.Boolean if is_flag(c) else pl.Float64) for c in columns}
    schema |= {"measure": pl.String, "change": pl.Float64, "change_suppressed": pl.Boolean,
               "change_pct": pl.Float64, "previous_available": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _kpi_parts(facts: Facts, filters: Filters, measures: list[Measure],
               windows: dict[str, tuple[date, date]]) -> dict[tuple[str, str], dict[str, float]]:
    """Numerator/denominator/support of each (measure, scope) in ONE pass over the facts."""
    table = measures[0].table
    earliest = min(first for first, _ in windows.values())
    latest = max(last for _, last in windows.values())
    if table == "courses":
        frame = slice_by_start(facts.courses, earliest, latest).lazy().filter(
            ~pl.col("cancelled") & filters.attribute_predicate(include_participant=False))
        in_area = filters.area_predicate("provider_municipality_code")
    else:
        frame = slice_by_start(facts.participations, earliest_start_for_end(facts, earliest),
                               latest).lazy().filter(
            (pl.col("end_month") >= earliest) & filters.attribute_predicate())
        in_area = filters.area_predicate("municipality_code")
    # The scope masks as columns, computed once and shared by every measure's aggregations.
    scope_columns = {}
    for anchor in {anchor_of(m) for m in measures}:
        for scope, (first, last) in windows.items():
            condition = pl.col(anchor).is_between(first, last)
            if not scope.startswith("national"):
                condition = condition & in_area
            scope_columns[f"_{anchor}|{scope}"] = condition
    frame = frame.with_columns(condition.alias(name) for name, condition in scope_columns.items())
    exprs = []
    for m in measures:
        for scope in windows:
            mask = pl.col(f"_{anchor_of(m)}|{scope}")
            population = population_expr(m)
            if population is not None:
                mask = mask & population
            for expr in part_exprs(m, mask):
                exprs.append(expr.alias(f"{m.key}|{scope}|{expr.meta.output_name()}"))
    values = frame.select(exprs).collect().row(0, named=True)
    result: dict[tuple[str, str], dict[str, float]] = {}
    for name, value in values.items():
        key, scope, part = name.split("|")
        result.setdefault((key, scope), {})[part] = value
    return result


def compute_measure_value(facts: Facts, filters: Filters, measure: str, *, threshold: int
                          ) -> tuple[float | None, bool]:
    """One measure for the filters: (value, suppressed). The KPI cards' figure."""
    row = compute_kpis(facts, filters, threshold, [measure]).row(0, named=True)
    return row["value"], row["value_suppressed"]


# -------------------------------------------------------------------------------------- series
def compute_series(facts: Facts, filters: Filters, measure: str, *, threshold: int,
                   grain: Grain = "month", breakdown: Breakdown | None = None) -> pl.DataFrame:
    """A measure per period (month / quarter / year), optionally split by a breakdown.

    Columns: ``period`` (Date, first day), ``group`` (String; null without a breakdown, and the
    null group holds rows without a value, e.g. courses without focus area), ``value``,
    ``value_suppressed``. Every period of the filter is present; counts of empty periods are 0.
    Area groups are area codes of ``filters.scheme`` (names: ``geography.area_names``).
    """
    m = measure_of(measure)
    check_grain(grain)
    check_breakdown(m, breakdown)
    periods = period_starts(filters.period_from, filters.period_to, grain)
    period_frame = pl.DataFrame({"period": periods}, schema={"period": pl.Date})

    def grid(raw: pl.DataFrame) -> pl.DataFrame:
        if breakdown is None:
            return period_frame
        groups: Sequence[str | None]
        if breakdown == "area":
            groups = list(filters.areas) or area_grid(filters.scheme)
        else:
            groups = _ordered_groups(raw.filter(pl.col("support") > 0)["group"], breakdown)
        return period_frame.join(pl.DataFrame({"group": groups}, schema={"group": pl.String}),
                                 how="cross")

    table = measure_table(facts, filters, m, first=filters.period_from, last=filters.period_to,
                          grain=grain, breakdown=breakdown, grid=grid)
    if breakdown is None:
        table = table.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    # Area groups are single areas; any other series is of the selection as a whole.
    shown = disclose(table, m, threshold=threshold,
                     withhold=breakdown != "area" and withheld_selection(filters))
    return shown.select("period", "group", "value", "value_suppressed").sort(
        "period", maintain_order=True)


def _ordered_groups(values: pl.Series, breakdown: str) -> list[str | None]:
    """Groups in a stable order: enum order where there is one, else sorted; null last."""
    present = set(values.to_list())
    order = _ENUM_ORDER.get(breakdown)
    if order is not None:
        ordered: list[str | None] = [v for v in order if v in present]
    else:
        ordered = sorted(v for v in present if v is not None)
    if None in present:
        ordered.append(None)
    return ordered


# Each breakdown's groups in their order (from the registry); without one they are sorted.
_ENUM_ORDER: dict[str, list[str]] = {
    d.name: list(d.values) for d in BREAKDOWN_DIMENSIONS if d.values is not None}


# ---------------------------------------------------------------------------------- area table
def compute_area_table(facts: Facts, filters: Filters, measure: str,
                       scheme: geography.AreaScheme, *,
                       threshold: int) -> pl.DataFrame:
    """A measure for every area of ``scheme`` (for maps and tables).

    With ``scheme='municipality'`` and areas selected in the filters, only the municipalities
    inside the selection are returned (the map of one council's area). Otherwise every area of
    the scheme is returned for context and ``selected`` marks those overlapping the selection.
    Columns: ``area_code``, ``area_name``, ``area_name_en``, ``selected``, ``value``,
    ``numerator``, ``denominator`` (each with ``_suppressed``; denominator only for rates).
    """
    m = measure_of(measure)
    areas = geography.areas(scheme)
    selected_municipalities = filters.municipality_codes()
    lookup = geography.area_lookup(scheme)
    if selected_municipalities is None:
        selected_codes: set[str] = set()
    else:
        selected_codes = set(
            lookup.filter(pl.col("municipality_code").is_in(selected_municipalities))["area_code"])
    restrict = scheme == "municipality" and selected_municipalities is not None
    if restrict:
        areas = areas.filter(pl.col("area_code").is_in(list(selected_codes)))
    grid = areas.select("area_code")
    table = measure_table(facts, filters, m, first=filters.period_from, last=filters.period_to,
                          area_scheme=scheme, grid=grid, use_areas=restrict)
    shown = disclose(table, m, threshold=threshold, keep_parts=True)
    return areas.with_columns(pl.col("area_code").is_in(list(selected_codes)).alias("selected")).join(
        shown, on="area_code", how="left", maintain_order="left")


# --------------------------------------------------------------------------------- focus areas
def compute_focus_areas(facts: Facts, filters: Filters, *, threshold: int,
                        top: int | None = None) -> pl.DataFrame:
    """Participations by focus area, largest first (hidden ones after, no focus area last).

    Columns: ``focus_area`` (null = courses without a focus area), ``participations``, ``share``
    (of all participations in the filter), each with ``_suppressed``. Focus areas without
    participations are left out.
    """
    m = measure_of("participations")
    raw = measure_table(facts, filters, m, first=filters.period_from, last=filters.period_to,
                        breakdown="focus_area")
    # The share is of the published total: the same cell as the KPI card's participations.
    total = published_count(int(raw["numerator"].sum()), int(raw["numerator_ckey"].sum()),
                            threshold) if raw.height else 0
    frame = raw.filter(pl.col("support") > 0).select(
        pl.col("group").alias("focus_area"),
        pl.col("value").alias("participations"),
        pl.col("numerator_ckey").alias("participations_ckey"),
    )
    shown = apply_disclosure(frame, threshold=threshold, counts=["participations"],
                             withhold=withheld_selection(filters))
    share = pl.col("participations") / total if total else pl.lit(None, dtype=pl.Float64)
    shown = shown.with_columns(
        (share.round(3) if threshold > 1 else share).alias("share"),  # shown to 0.1 %
        pl.col("participations_suppressed").alias("share_suppressed"),
    ).sort(
        [pl.col("focus_area").is_null(), pl.col("participations_suppressed"),
         pl.col("participations")],
        descending=[False, False, True], nulls_last=True,
    )
    return shown.head(top) if top is not None else shown


# ------------------------------------------------------------------------------------ outcomes
def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return (pl.when(pl.col(denominator) > 0)
            .then(pl.col(numerator) / pl.col(denominator)).otherwise(None))


_OUTCOME_COUNTS: dict[str, tuple[str, str]] = {
    "completion_rate": ("completed", "completion_known"),
    "employment_rate_3m": ("employed_3m", "employment_3m_known"),
    "employment_rate_6m": ("employed_6m", "employment_6m_known"),
}
"""The outcome rates and the names of their numerator and denominator columns."""


def compute_outcomes(facts: Facts, filters: Filters, *, threshold: int,
                     by: str = "education_type") -> pl.DataFrame:
    """Completion and employment 3 and 6 months after, by group, for courses ending in the period.

    ``by``: education_type, funding, labour_status, shortage (groups 'shortage' / 'other') or
    year (of the course's end). Columns: ``group``, ``participations`` (ended in the period),
    ``completed``, ``completion_known``, ``completion_rate``, ``employed_3m``,
    ``employment_3m_known``, ``employment_rate_3m``, and the same for 6m — each with
    ``_suppressed``. Employment is measured for unemployed participants only.
    """
    if by not in OUTCOME_GROUPINGS:
        raise MeasureError(f"unknown outcome grouping {by!r}; expected one of {OUTCOME_GROUPINGS}")
    m = measure_of("completion_rate")
    if by == "year":
        key = pl.col("end_month").dt.year().cast(pl.String)
    elif by == "shortage":
        key = pl.when(pl.col("shortage")).then(pl.lit("shortage")).otherwise(pl.lit("other"))
    else:
        key = pl.col(dimension(by).column or by).cast(pl.String)
    lazy = fact_rows(facts, filters, m, first=filters.period_from, last=filters.period_to)
    # Each rate's numerator and denominator are the rows its catalogue formula counts.
    conditions: dict[str, pl.Expr | None] = {"participations": None}
    columns: set[str] = set()
    for rate, names in _OUTCOME_COUNTS.items():
        formula = measure_of(rate).formula
        denominator = formula.counted_denominator
        if denominator is None or any(a.op != "count" for a in (formula.numerator, denominator)):
            raise MeasureError(f"{rate}: an outcome rate must be a count over a count")
        for name, spec in zip(names, (formula.numerator, denominator), strict=True):
            used = [c for c in (formula.population, spec.where) if c is not None]
            columns |= {c.column for c in used}
            conditions[name] = pl.all_horizontal([condition_expr(c) for c in used]) if used else None
    # One pass over the facts into the (few) combinations of the outcome columns, with their
    # counts and cell keys; every count and key below is a sum over those combinations.
    outcome_columns = sorted(columns)
    combinations = lazy.group_by(key.alias("group"), *outcome_columns).agg(
        pl.len().cast(pl.Int64).alias("_n"), cell_key().alias("_key")).collect()
    aggregations = []
    for name, condition in conditions.items():
        chosen = pl.lit(True) if condition is None else condition.fill_null(False)
        aggregations += [pl.col("_n").filter(chosen).sum().cast(pl.Int64).alias(name),
                         pl.col("_key").filter(chosen).sum().cast(pl.Int64).alias(key_column(name))]
    frame = combinations.group_by("group").agg(aggregations)
    present = set(frame["group"].to_list())
    if by == "year":
        groups: list[str | None] = sorted(g for g in present if g is not None)
    elif by == "shortage":
        groups = [g for g in ("shortage", "other") if g in present]
    else:
        groups = _ordered_groups(frame["group"], by)
    frame = pl.DataFrame({"group": groups}, schema={"group": pl.String}).join(
        frame, on="group", how="left", maintain_order="left", nulls_equal=True)
    frame = frame.select(
        "group", "participations", cs.ends_with(KEY_SUFFIX),
        "completed", "completion_known", _ratio("completed", "completion_known").alias("completion_rate"),
        "employed_3m", "employment_3m_known",
        _ratio("employed_3m", "employment_3m_known").alias("employment_rate_3m"),
        "employed_6m", "employment_6m_known",
        _ratio("employed_6m", "employment_6m_known").alias("employment_rate_6m"),
    )
    return apply_disclosure(
        frame, threshold=threshold, counts=list(conditions), withhold=withheld_selection(filters),
        rates={"completion_rate": ("completed", "completion_known"),
               "employment_rate_3m": ("employed_3m", "employment_3m_known"),
               "employment_rate_6m": ("employed_6m", "employment_6m_known")},
    )


# ------------------------------------------------------------------------------------- courses
def _course_rows(facts: Facts, filters: Filters, search: str, include_cancelled: bool
                 ) -> pl.DataFrame:
    frame = slice_by_start(facts.courses, filters.period_from, filters.period_to).lazy()
    predicates = [
        filters.period_predicate("start_month"),
        filters.attribute_predicate(include_participant=False),
        filters.area_predicate("provider_municipality_code"),
    ]
    if not include_cancelled:
        predicates.append(~pl.col("cancelled"))
    places = geography.municipalities().lazy().select(
        pl.col("municipality_code").alias("provider_municipality_code"),
        pl.col("municipality_name").alias("place"),
    )
    frame = frame.filter(pl.all_horizontal(predicates)).join(
        places, on="provider_municipality_code", how="left", maintain_order="left")
    needle = search.strip().lower()
    if needle:
        haystack = [pl.col(c).cast(pl.String).fill_null("").str.to_lowercase()
                    for c in ("title", "provider", "place", "occupation_title_da",
                              "occupation_title_en", "amu_number", "course_id")]
        frame = frame.filter(pl.any_horizontal(h.str.contains(needle, literal=True) for h in haystack))
    return frame.collect()


def compute_courses(facts: Facts, filters: Filters, *, threshold: int, search: str = "",
                    limit: int | None = None, include_cancelled: bool = False) -> pl.DataFrame:
    """The courses started in the period in the selected areas (by where they are held).

    ``search`` matches title, provider, place, occupation, AMU number or course id (case
    blind). Newest first. ``participants`` (all enrolments) is a protected person count (see
    ``disclosure``). Participant filters (labour status) do not
    apply to the course list.
    """
    frame = _course_rows(facts, filters, search, include_cancelled).select(
        "course_id", "title", "education_type", "amu_number", "provider", "place",
        "provider_municipality_code", "start_date", "end_date", "funding", "job_veu",
        "focus_area", pl.col("occupation_code").cast(pl.String), "occupation_title_da",
        "occupation_title_en", "seats", pl.col("participants").cast(pl.Int64),
        "participants_ckey", "cancelled",
    ).sort(["start_date", "course_id"], descending=[True, False])
    shown = apply_disclosure(frame, threshold=threshold, counts=["participants"])
    return shown.head(limit) if limit is not None else shown


def compute_courses_by_provider(facts: Facts, filters: Filters, *, threshold: int,
                                search: str = "") -> pl.DataFrame:
    """Courses grouped by provider: ``courses``, ``participants`` (controlled), ``seats``,
    ``places`` (municipalities), ``first_start``, ``last_start``; most courses first."""
    frame = _course_rows(facts, filters, search, include_cancelled=False)
    grouped = frame.group_by("provider").agg(
        pl.len().cast(pl.Int64).alias("courses"),
        pl.col("participants").sum().cast(pl.Int64).alias("participants"),
        pl.col("participants_ckey").sum().alias("participants_ckey"),
        pl.col("seats").sum().cast(pl.Int64).alias("seats"),
        pl.col("place").unique().sort().str.join(", ").alias("places"),
        pl.col("start_date").min().alias("first_start"),
        pl.col("start_date").max().alias("last_start"),
    ).sort("provider")
    shown = apply_disclosure(grouped, threshold=threshold, counts=["participants"],
                             withhold=withheld_selection(filters))
    return shown.sort(["courses", "provider"], descending=[True, False])


