"""The aggregation engine behind every ``compute_*``: one measure, any grouping, then disclosure.

A measure is aggregated into three raw parts — ``numerator``, ``denominator`` (rates only) and
``support`` (the number of participations or courses behind the figure) — from which ``value``
follows. Each part of a person measure comes with its cell key (``numerator_ckey`` …: the sum of
the record keys behind it, see ``disclosure``). ``disclose`` then applies
``disclosure.apply_disclosure`` the way the measure's kind needs.
Nothing here is public API; the compute modules are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import cast

import polars as pl

from veu_metrics import geography
from veu_metrics.catalogue import Aggregation, Condition, Measure, get_measure
from veu_metrics.dimensions import BREAKDOWN_DIMENSIONS
from veu_metrics.dimensions import Breakdown as Breakdown  # re-exported: callers import it here
from veu_metrics.disclosure import (
    apply_disclosure,
    cell_key,
    flag_column,
    key_column,
    person_cell_key,
)
from veu_metrics.facts import Facts, earliest_start_for_end, slice_by_start
from veu_metrics.filters import Filters
from veu_metrics.periods import Grain

GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")
_TRUNCATE = {"month": "1mo", "quarter": "1q", "year": "1y"}
_STEP = {"month": "1mo", "quarter": "3mo", "year": "1y"}

# Breakdown → facts column ("" for the area, whose column depends on the scheme), from the
# dimension registry. Participant breakdowns exist only for measures counting enrolments.
BREAKDOWNS: dict[Breakdown, str] = {
    cast(Breakdown, d.name): d.column or "" for d in BREAKDOWN_DIMENSIONS}
PARTICIPANT_BREAKDOWNS: frozenset[Breakdown] = frozenset(
    cast(Breakdown, d.name) for d in BREAKDOWN_DIMENSIONS if d.participant_only)

PARTS = ("numerator", "denominator", "support")
PART_KEYS = tuple(key_column(p) for p in PARTS)


class MeasureError(ValueError):
    """A computation was asked for something that does not exist (measure, grain, breakdown)."""


def measure_of(key: str) -> Measure:
    try:
        return get_measure(key)
    except KeyError as exc:
        raise MeasureError(str(exc.args[0])) from None


def check_grain(grain: str) -> None:
    if grain not in GRAINS:
        raise MeasureError(f"unknown grain {grain!r}; expected one of {GRAINS}")


def check_breakdown(measure: Measure, breakdown: str | None) -> None:
    if breakdown is None:
        return
    if breakdown not in BREAKDOWNS:
        raise MeasureError(f"unknown breakdown {breakdown!r}; expected one of {tuple(BREAKDOWNS)}")
    if breakdown in PARTICIPANT_BREAKDOWNS and measure.table == "courses":
        raise MeasureError(f"{measure.key} counts courses, which have no {breakdown}")


def anchor_of(measure: Measure) -> str:
    return "start_month" if measure.period_basis == "start" else "end_month"


def area_expr(scheme: geography.AreaScheme, table: str) -> pl.Expr:
    """The area code (String) of each row under ``scheme``: provider's for courses."""
    prefix = "provider_" if table == "courses" else ""
    if scheme == "municipality":
        return pl.col(f"{prefix}municipality_code").cast(pl.String)
    if scheme not in ("rar", "council"):
        raise MeasureError(f"unknown area scheme {scheme!r}")
    return pl.col(f"{prefix}{scheme}_code").cast(pl.String)


def period_expr(column: str, grain: Grain) -> pl.Expr:
    check_grain(grain)
    expr = pl.col(column)
    return expr if grain == "month" else expr.dt.truncate(_TRUNCATE[grain])


def period_starts(first: date, last: date, grain: Grain) -> list[date]:
    """The first days of every period of ``grain`` overlapping [first, last]."""
    check_grain(grain)
    frame = pl.DataFrame({"d": [first, last]}).select(period_expr("d", grain))
    start, end = frame["d"].to_list()
    return pl.date_range(start, end, interval=_STEP[grain], eager=True).to_list()


@cache
def _whole_areas() -> frozenset[frozenset[int]]:
    """The municipality sets of every RAR area, employment council and the whole country."""
    sets = set()
    for scheme in ("rar", "council"):
        lookup = geography.area_lookup(scheme)
        for _, group in lookup.group_by("area_code"):
            sets.add(frozenset(group["municipality_code"].to_list()))
    return frozenset(sets)


def withheld_selection(filters: Filters) -> bool:
    """True for a *custom* selection: several areas that together are not one whole area.

    Person counts of such a selection as a whole are not published (each area on its own still
    is). A visitor could otherwise ask "these municipalities" and "these minus one" in as many
    combinations as there are subsets (2⁹⁷ around one municipality), and average the
    perturbation away (docs/CONFIDENTIALITY.md, query-space limits).
    """
    if len(filters.areas) <= 1:
        return False
    chosen = filters.municipality_codes() or []
    return frozenset(chosen) not in _whole_areas()


def municipality_column(measure: Measure) -> str:
    return "provider_municipality_code" if measure.table == "courses" else "municipality_code"


def rows(facts: Facts, filters: Filters, measure: Measure, *, first: date, last: date,
         use_areas: bool = True) -> pl.LazyFrame:
    """The fact rows a measure counts for the filters, with its period [first, last]."""
    anchor = anchor_of(measure)
    if measure.table == "courses":
        frame = slice_by_start(facts.courses, first, last)
        predicates = [~pl.col("cancelled"), filters.attribute_predicate(include_participant=False)]
    else:
        # Rows are sorted by start month and a course ends after it starts: the end-month
        # measures can still cut everything that starts after the period.
        low = first if anchor == "start_month" else earliest_start_for_end(facts, first)
        frame = slice_by_start(facts.participations, low, last)
        predicates = [filters.attribute_predicate()]
    predicates.append(pl.col(anchor).is_between(first, last))
    if use_areas:
        predicates.append(filters.area_predicate(municipality_column(measure)))
    population = population_expr(measure)
    if population is not None:
        predicates.append(population)
    return frame.lazy().filter(pl.all_horizontal(predicates))


def condition_expr(condition: Condition) -> pl.Expr:
    """A catalogue condition as a Boolean expression over fact rows (null where unknown)."""
    column = pl.col(condition.column)
    if condition.known:
        return column.is_not_null()
    if condition.values is not None:  # an Enum column: compared with its values, no cast
        return column.is_in(list(condition.values))
    return column


def population_expr(measure: Measure) -> pl.Expr | None:
    """The rows a measure is restricted to (its formula's ``population``), or None for all."""
    population = measure.formula.population
    return None if population is None else condition_expr(population).fill_null(False)


def part_exprs(measure: Measure, mask: pl.Expr | None = None) -> list[pl.Expr]:
    """Aggregations of a measure's numerator, denominator and support, optionally over a mask,
    each followed by its cell key (``<part>_ckey``; 0 for measures that do not count persons).

    The formula comes from the catalogue (``Measure.formula``); the rows are already restricted
    to the measure's population (``rows``; the KPI pass puts the population in ``mask``). With a
    mask the same expressions serve a one-pass select over several scopes (KPIs).
    """
    def count(condition: pl.Expr | None = None) -> pl.Expr:
        parts = [e for e in (mask, condition) if e is not None]
        if not parts:
            return pl.len().cast(pl.Int64)
        return pl.all_horizontal(parts).fill_null(False).sum().cast(pl.Int64)

    def masked(column: str) -> pl.Expr:
        return pl.col(column) if mask is None else pl.col(column).filter(mask)

    keyed = measure.table == "enrolments"

    def key(condition: pl.Expr | None = None) -> pl.Expr:
        if not keyed:
            return pl.lit(0, dtype=pl.Int64)
        parts = [e for e in (mask, condition) if e is not None]
        return cell_key(pl.all_horizontal(parts) if parts else None)

    def aggregation(spec: Aggregation) -> tuple[pl.Expr, pl.Expr]:
        """The aggregate and its cell key."""
        if spec.op == "distinct":
            return masked(str(spec.column)).n_unique().cast(pl.Int64), person_cell_key(mask)
        if spec.op == "sum":
            # A magnitude is protected through the count of the rows it sums (its support).
            total = masked(str(spec.column)).cast(pl.Float64).sum()
            return (total if spec.divide_by == 1 else total / spec.divide_by), key()
        condition = None if spec.where is None else condition_expr(spec.where)
        return count(condition), key(condition)

    formula = measure.formula
    numerator, numerator_key = aggregation(formula.numerator)
    counted = formula.counted_denominator
    if counted is not None:
        denominator, denominator_key = aggregation(counted)
    else:  # no denominator, or the unemployed (joined later: with_uptake_denominator)
        denominator, denominator_key = pl.lit(None, dtype=pl.Float64), pl.lit(0, dtype=pl.Int64)
    zero = pl.lit(0, dtype=pl.Int64)
    return [numerator.cast(pl.Float64).alias("numerator"), numerator_key.alias("numerator_ckey"),
            denominator.cast(pl.Float64).alias("denominator"),
            denominator_key.alias("denominator_ckey"),
            count().alias("support"),
            # Only a magnitude (årselever) is protected through its support count.
            (key() if measure.kind == "sum" else zero).alias("support_ckey")]


def unemployment_average(facts: Facts, filters: Filters, *, first: date, last: date,
                         grain: Grain | None = None,
                         area_scheme: geography.AreaScheme | None = None, use_areas: bool = True) -> pl.DataFrame:
    """Average monthly full-time (and insured) unemployed per period/area key.

    Columns: the keys present (``period``, ``area_code``), ``full_time_unemployed``,
    ``insured_unemployed``.
    """
    frame = facts.unemployment.lazy().filter(pl.col("month").is_between(first, last))
    if use_areas:
        frame = frame.filter(filters.area_predicate("municipality_code"))
    month_keys: list[pl.Expr] = [pl.col("month")]
    keys: list[str] = []
    if area_scheme is not None:
        month_keys.append(area_expr(area_scheme, "unemployment").alias("area_code"))
        keys.append("area_code")
    monthly = frame.group_by(month_keys).agg(
        pl.col("full_time_unemployed").sum(),
        # A month without insured figures for some municipality has an unknown insured total.
        pl.when(pl.col("insured_unemployed").is_null().any()).then(None)
        .otherwise(pl.col("insured_unemployed").sum()).alias("insured_unemployed"),
    )
    if grain is not None:
        monthly = monthly.with_columns(period_expr("month", grain).alias("period"))
        keys.insert(0, "period")
    aggregations = [pl.col("full_time_unemployed").mean(), pl.col("insured_unemployed").mean()]
    result = monthly.group_by(keys).agg(aggregations) if keys else monthly.select(aggregations)
    return result.collect()


def aggregate(facts: Facts, filters: Filters, measure: Measure, *, first: date, last: date,
              keys: dict[str, pl.Expr] | None = None, use_areas: bool = True) -> pl.DataFrame:
    """Raw parts of a measure grouped by ``keys`` (name → expression); no grid, no disclosure."""
    lazy = rows(facts, filters, measure, first=first, last=last, use_areas=use_areas)
    if keys:
        return lazy.group_by([e.alias(n) for n, e in keys.items()]).agg(part_exprs(measure)).collect()
    return lazy.select(part_exprs(measure)).collect()


def fill_grid(raw: pl.DataFrame, grid: pl.DataFrame) -> pl.DataFrame:
    """Every combination in ``grid`` gets a row; missing ones have zero numerator and support."""
    keys = grid.columns
    raw = raw.with_columns(pl.col(k).cast(grid.schema[k]) for k in keys)
    joined = grid.join(raw, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return joined.with_columns(
        pl.col("numerator").fill_null(0.0),
        pl.col("support").fill_null(0),
        pl.col("denominator").fill_null(0.0),
        pl.col(*PART_KEYS).fill_null(0),
    )


def with_uptake_denominator(frame: pl.DataFrame, unemployed: pl.DataFrame,
                            keys: Sequence[str]) -> pl.DataFrame:
    """Replace the denominator by the average full-time unemployed of each row's period/area."""
    frame = frame.drop("denominator")
    if keys:
        unemployed = unemployed.with_columns(pl.col(k).cast(frame.schema[k]) for k in keys)
        frame = frame.join(unemployed.select(*keys, "full_time_unemployed"), on=list(keys),
                           how="left", maintain_order="left")
    else:
        value = unemployed["full_time_unemployed"][0] if unemployed.height else None
        frame = frame.with_columns(pl.lit(value, dtype=pl.Float64).alias("full_time_unemployed"))
    return frame.rename({"full_time_unemployed": "denominator"}).with_columns(
        pl.col("denominator").fill_null(0.0))


def with_value(frame: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """``value`` from the parts: the numerator, or numerator ÷ denominator for rates."""
    if measure.kind == "rate":
        scale = measure.formula.scale
        value = (pl.when(pl.col("denominator") > 0)
                 .then(pl.col("numerator") / pl.col("denominator") * scale)
                 .otherwise(None))
    elif measure.kind in ("count", "distinct"):
        value = pl.col("numerator").round(0).cast(pl.Int64)
    else:
        value = pl.col("numerator")
    return frame.with_columns(value.alias("value"))


def measure_table(facts: Facts, filters: Filters, measure: Measure, *, first: date, last: date,
                  grain: Grain | None = None, area_scheme: geography.AreaScheme | None = None,
                  breakdown: Breakdown | None = None,
                  grid: pl.DataFrame | Callable[[pl.DataFrame], pl.DataFrame] | None = None,
                  use_areas: bool = True) -> pl.DataFrame:
    """Raw parts and value of a measure by period / area / group, on a complete grid if given.

    ``grid`` may be a function of the raw aggregate (e.g. to take the groups that occur), so that
    the facts are scanned once.
    """
    keys: dict[str, pl.Expr] = {}
    # Quarters and years are summed from months: truncating every row's date costs more than
    # the aggregation itself on millions of rows. Distinct counts do not add up: per period.
    roll_up = grain not in (None, "month") and measure.kind != "distinct"
    if grain is not None:
        anchor = anchor_of(measure)
        keys["period"] = pl.col(anchor) if roll_up else period_expr(anchor, grain)
    if area_scheme is not None:
        keys["area_code"] = area_expr(area_scheme, measure.table)
    if breakdown is not None:
        if breakdown == "area":
            keys["group"] = area_expr(filters.scheme, measure.table)
        else:
            keys["group"] = pl.col(BREAKDOWNS[breakdown]).cast(pl.String)
    raw = aggregate(facts, filters, measure, first=first, last=last, keys=keys or None,
                    use_areas=use_areas)
    if roll_up and grain is not None:
        raw = _sum_months_into(raw, grain)
    if grid is not None:
        raw = fill_grid(raw, grid(raw) if callable(grid) else grid)
    if measure.formula.per_unemployed:
        unemployed = unemployment_average(facts, filters, first=first, last=last, grain=grain,
                                          area_scheme=area_scheme, use_areas=use_areas)
        unemployment_keys: list[str] = [k for k in ("period", "area_code") if k in keys]
        if breakdown == "area":
            by_group = unemployment_average(facts, filters, first=first, last=last, grain=grain,
                                            area_scheme=filters.scheme, use_areas=use_areas)
            unemployed = by_group.rename({"area_code": "group"})
            unemployment_keys = [k for k in ("period", "group") if k in keys]
        raw = with_uptake_denominator(raw, unemployed, unemployment_keys)
    return with_value(raw, measure)


def _sum_months_into(raw: pl.DataFrame, grain: Grain) -> pl.DataFrame:
    """Monthly parts (``period`` = month) summed into the periods of ``grain``."""
    keys = [c for c in raw.columns if c not in (*PARTS, *PART_KEYS)]
    return raw.with_columns(period_expr("period", grain)).group_by(keys, maintain_order=True).agg(
        pl.col("numerator").sum(),
        pl.when(pl.col("denominator").is_null().all()).then(None)
        .otherwise(pl.col("denominator").sum()).alias("denominator"),
        pl.col("support").sum(),
        pl.col(*PART_KEYS).sum(),  # the records of a quarter are those of its months
    )


def disclose(frame: pl.DataFrame, measure: Measure, *, threshold: int,
             lines: object = None, keep_parts: bool = False,
             withhold: bool | Sequence[bool] = False) -> pl.DataFrame:
    """Apply disclosure control as the measure's kind needs; drop helper parts.

    Output: the key columns, ``value`` and ``value_suppressed`` (and with ``keep_parts``
    ``numerator``, ``denominator`` with their flags). ``withhold`` hides person counts of rows
    (all, or those marked) whatever their value (``withheld_selection``). ``lines`` is ignored
    (see ``disclosure.apply_disclosure``).
    """
    del lines
    if not measure.is_person_count:
        flags = [pl.lit(False).alias(flag_column(c)) for c in ("value", "numerator", "denominator")]
        out = frame.with_columns(flags)
    elif measure.kind in ("count", "distinct"):
        out = apply_disclosure(
            frame.with_columns(pl.col("numerator_ckey").alias("value_ckey")),
            threshold=threshold, counts=["value"], linked={"numerator": "value"},
            withhold=withhold)
        out = out.with_columns(pl.lit(False).alias(flag_column("denominator")))
    elif measure.kind == "sum":
        out = apply_disclosure(frame, threshold=threshold, counts=["support"],
                               linked={"value": "support", "numerator": "support"},
                               decimals={"value": measure.decimals}, withhold=withhold)
        out = out.with_columns(pl.lit(False).alias(flag_column("denominator")))
    else:
        # The unemployed are public statistics: only the participations are a person count.
        uptake = measure.formula.per_unemployed
        counts = ["numerator"] if uptake else ["numerator", "denominator"]
        out = apply_disclosure(frame, threshold=threshold, counts=counts,
                               rates={"value": ("numerator", "denominator")},
                               decimals={"value": rate_decimals(measure)}, withhold=withhold)
        if uptake:
            out = out.with_columns(pl.lit(False).alias(flag_column("denominator")))
    columns = [c for c in frame.columns
               if c not in ("value", *PARTS, *PART_KEYS) and not c.endswith("_ckey")]
    columns += ["value", flag_column("value")]
    if keep_parts:
        columns += ["numerator", flag_column("numerator"), "denominator", flag_column("denominator")]
    result = out.select(columns)
    if keep_parts and measure.kind != "rate":
        result = result.with_columns(pl.lit(None, dtype=pl.Float64).alias("denominator"),
                                     pl.lit(False).alias(flag_column("denominator")))
    return result


def rate_decimals(measure: Measure) -> int:
    """Decimals of a rate's stored value at the precision it is shown (a share is a percentage)."""
    return measure.decimals + (2 if measure.unit == "share" else 0)


def area_grid(scheme: geography.AreaScheme) -> list[str]:
    return geography.areas(scheme)["area_code"].to_list()
