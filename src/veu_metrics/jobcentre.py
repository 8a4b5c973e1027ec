"""Job centres (for KL): uptake of upskilling per 1,000 full-time unemployed, actual vs expected.

Uptake = participations of unemployed residents (insured and other unemployed at course start)
in courses started in the period ÷ the municipality's average monthly full-time unemployed × 1,000.

Expected uptake comes from a regression on the municipalities' framework conditions (the
``conditions`` table and the insured share of the unemployed), in the spirit of the ministry's
benchmarking of job centres ("forventet niveau"):

- a negative binomial GLM (log link) of each municipality's participations on its conditions,
  with log(average full-time unemployed) as the exposure offset, so the municipalities count in
  proportion to their unemployed and the overdispersion between municipalities is part of the
  model (a Poisson model would claim far too much certainty);
- fitted per calendar year of the period, across the 98 municipalities, on the *protected* counts
  (the same disclosure control as every count: hidden counts take no part in the fit);
- leave-one-out: a municipality's expected value comes from the model fitted without it, so it is
  never compared with itself;
- a 95 % prediction interval around each expected count (the model's overdispersion plus the
  uncertainty of the fitted coefficients); "below" or "above expected" only outside it.

The years' expected counts add up to the period's. docs/MEASURES.md explains the model for a
KL consultant; the conditions and their steps are declared once, in :data:`MODEL_CONDITIONS`.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

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
from veu_metrics.disclosure import apply_disclosure, cell_key
from veu_metrics.facts import Facts
from veu_metrics.filters import Filters
from veu_metrics.periods import Grain, add_months, months_between


@dataclass(frozen=True)
class Condition:
    """One input of the expected-uptake model.

    ``step``: the change the coefficients are reported for (10 percentage points, 10 km, a
    doubling); ``log2``: the model uses log2 of the value (so one step is a doubling).
    ``weight``: what an area's or the country's value is an average over.
    """

    key: str
    step: float
    log2: bool = False
    weight: str = "full_time_unemployed"  # or "population"; "sum" adds the values up


MODEL_CONDITIONS: tuple[Condition, ...] = (
    Condition("insured_share", 0.10),
    Condition("unemployment_rate", 0.01, weight="population"),
    Condition("unskilled_share", 0.10),
    Condition("senior_share", 0.10),
    Condition("long_term_share", 0.10),
    Condition("shortage_employment_share", 0.10, weight="population"),
    Condition("population", 1.0, log2=True, weight="sum"),
    Condition("amu_distance_km", 10.0, weight="population"),
)
CONDITION_KEYS = tuple(c.key for c in MODEL_CONDITIONS)
INTERVAL_LEVEL = 0.95
MIN_FIT_MUNICIPALITIES = 12
"""Fewer usable municipalities than this (or than inputs + 5) in a year: no model that year."""
ASSESSMENTS = ("below", "as_expected", "above")
MIN_PART_MONTHS = 6
MIN_PARTICIPATIONS_PER_INPUT = 10
"""A year's fit needs at least this many participations per model parameter."""


# --------------------------------------------------------------------------------------------
# Inputs per year


def _year_parts(first: date, last: date) -> list[tuple[int, date, date]]:
    """The period cut into years counted back from its last month: (year, first, last month).

    A calendar-year period gives calendar years; "the last 12 months" gives one year. A
    remainder at the start shorter than :data:`MIN_PART_MONTHS` joins the year after it (too
    few courses to fit a model of its own). ``year`` is the year of the part's middle month
    (which year's conditions are used).
    """
    parts = []
    end = last
    while end >= first:
        start = max(first, add_months(end, -11))
        parts.append([start, end])
        end = add_months(start, -1)
    parts.reverse()
    if len(parts) > 1 and months_between(*parts[0]) < MIN_PART_MONTHS:
        parts[1][0] = parts[0][0]
        parts.pop(0)
    return [(add_months(start, months_between(start, end) // 2).year, start, end)
            for start, end in parts]


def _counts(facts: Facts, filters: Filters, first: date, last: date) -> pl.DataFrame:
    """Participations of unemployed residents per municipality (every municipality, whole country)."""
    m = measure_of("jobcentre_uptake")
    counts = (
        rows(facts, filters, m, first=first, last=last, use_areas=False)
        .group_by("municipality_code")
        .agg(pl.len().cast(pl.Int64).alias("participations"),
             cell_key().alias("participations_ckey"))
        .collect()
    )
    unemployed = unemployment_average(facts, filters, first=first, last=last,
                                      area_scheme="municipality", use_areas=False).with_columns(
        pl.col("area_code").cast(pl.Int16).alias("municipality_code"))
    base = geography.municipalities().select("municipality_code", "municipality_name")
    return (
        base.join(counts, on="municipality_code", how="left", maintain_order="left")
        .join(unemployed.select("municipality_code", "full_time_unemployed", "insured_unemployed"),
              on="municipality_code", how="left", maintain_order="left")
        .with_columns(
            pl.col("participations", "participations_ckey").fill_null(0),
            pl.col("full_time_unemployed").fill_null(0.0),
        )
    )


def conditions_for_year(facts: Facts, year: int) -> pl.DataFrame:
    """The conditions table's rows for ``year`` (or the nearest year it has), one per municipality.

    Columns: ``municipality_code``, ``conditions_year`` and the table's value columns; empty
    when the dataset has no conditions.
    """
    table = facts.conditions
    if table.is_empty():
        return table.drop("year").with_columns(pl.lit(None, pl.Int16).alias("conditions_year"))
    years = table["year"].unique().sort().to_list()
    earlier = [y for y in years if y <= year]
    chosen = earlier[-1] if earlier else years[0]
    return (table.filter(pl.col("year") == chosen).rename({"year": "conditions_year"})
            .unique("municipality_code", keep="first", maintain_order=True))


def _with_conditions(frame: pl.DataFrame, conditions: pl.DataFrame) -> pl.DataFrame:
    """Join the conditions and derive the unemployment rate (full-time unemployed ÷ population)."""
    frame = frame.join(conditions, on="municipality_code", how="left", maintain_order="left")
    if "population" not in frame.columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col("population") > 0)
        .then(pl.col("full_time_unemployed") / pl.col("population")).alias("unemployment_rate"))


def _inputs(facts: Facts, filters: Filters, year: int, first: date, last: date,
            threshold: int) -> pl.DataFrame:
    """One year's part of the period: protected counts, exposure and every condition."""
    counts = _counts(facts, filters, first, last)
    protected = apply_disclosure(
        counts.select("municipality_code", "participations", "participations_ckey"),
        threshold=threshold, counts=["participations"])
    frame = counts.drop("participations", "participations_ckey").join(
        protected.rename({"participations": "protected_participations"}),
        on="municipality_code", how="left", maintain_order="left",
    ).with_columns(
        pl.when(pl.col("full_time_unemployed") > 0)
        .then(pl.col("insured_unemployed") / pl.col("full_time_unemployed"))
        .alias("insured_share"),
    )
    frame = _with_conditions(frame, conditions_for_year(facts, year))
    missing = [k for k in CONDITION_KEYS if k not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.Float64).alias(k) for k in missing)


# --------------------------------------------------------------------------------------------
# The fit


@dataclass(frozen=True)
class YearFit:
    year: int
    used: tuple[str, ...]        # the conditions the model could use this year
    params: np.ndarray           # intercept first, then ``used`` (on the model's scale)
    cov: np.ndarray
    alpha: float                 # negative binomial overdispersion (Var = μ + αμ²)
    municipalities: int
    deviance_explained: float    # 1 − deviance ÷ null deviance
    centre: np.ndarray           # the covariates' means (the model centres them)


def _design(frame: pl.DataFrame, used: tuple[str, ...]) -> np.ndarray:
    columns = []
    for condition in MODEL_CONDITIONS:
        if condition.key not in used:
            continue
        values = frame[condition.key].cast(pl.Float64).to_numpy()
        columns.append(np.log2(np.maximum(values, 1.0)) if condition.log2 else values)
    return np.column_stack(columns) if columns else np.empty((frame.height, 0))


def _glm(y: np.ndarray, x: np.ndarray, offset: np.ndarray, alpha: float,
         start: np.ndarray | None = None) -> Any:  # statsmodels' results (untyped)
    import statsmodels.api as sm

    family = (sm.families.NegativeBinomial(alpha=alpha) if alpha > 1e-8
              else sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(y, x, family=family, offset=offset).fit(start_params=start, maxiter=100)


def _moment_alpha(y: np.ndarray, mu: np.ndarray, dof: int) -> float:
    """Overdispersion by the method of moments: Σ((y − μ)² − y) ÷ μ² over the degrees of freedom."""
    if dof <= 0:
        return 0.0
    return max(float(np.sum(((y - mu) ** 2 - y) / mu ** 2) / dof), 0.0)


def _leave_one_out(y: np.ndarray, x: np.ndarray, mu: np.ndarray, params: np.ndarray,
                   alpha: float) -> np.ndarray:
    """Each row's coefficients with that row left out (one row of the result per row).

    The standard one-step approximation for GLMs (the exact formula for least squares, applied
    to the fit's last weighted least-squares step): β₋ᵢ = β − (XᵀWX)⁻¹ xᵢ wᵢ rᵢ ÷ (1 − hᵢ), with
    IRLS weights wᵢ = μᵢ ÷ (1 + αμᵢ), working residuals rᵢ = (yᵢ − μᵢ) ÷ μᵢ and leverages hᵢ.
    Against 98 real refits it agrees to well under 1 % of an expected value (see the tests).
    """
    w = mu / (1.0 + alpha * mu)
    inverse = np.linalg.pinv((x * w[:, None]).T @ x)
    spread = x @ inverse
    leverage = w * np.einsum("ij,ij->i", spread, x)
    step = w * (y - mu) / mu / np.maximum(1.0 - leverage, 1e-9)
    return np.asarray(params[None, :] - spread * step[:, None])


def _fit_year(frame: pl.DataFrame, year: int) -> tuple[YearFit | None, np.ndarray, np.ndarray]:
    """Fit one year; return the fit and, per row of ``frame``, the leave-one-out expected count
    and the variance of the log of that expectation (NaN where there is none)."""
    n_rows = frame.height
    mu_out = np.full(n_rows, np.nan)
    var_eta = np.full(n_rows, np.nan)
    exposure = frame["full_time_unemployed"].to_numpy()
    y_all = frame["protected_participations"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    # A condition is used when every municipality with unemployed people has it and it varies.
    has_unemployed = exposure > 0
    used = tuple(
        c.key for c in MODEL_CONDITIONS
        if frame.filter(pl.Series(has_unemployed))[c.key].null_count() == 0
        and frame.filter(pl.Series(has_unemployed))[c.key].n_unique() > 1
    )
    x_all = _design(frame, used)
    predictable = has_unemployed & np.all(np.isfinite(x_all), axis=1)
    fit_rows = predictable & np.isfinite(y_all)
    n_fit = int(fit_rows.sum())
    if n_fit < max(MIN_FIT_MUNICIPALITIES, len(used) + 5):
        return None, mu_out, var_eta
    centre = x_all[fit_rows].mean(axis=0)
    design = np.column_stack([np.ones(n_rows), x_all - centre])
    offset = np.log(np.where(exposure > 0, exposure, 1.0))
    y, x, off = y_all[fit_rows], design[fit_rows], offset[fit_rows]

    if y.sum() < MIN_PARTICIPATIONS_PER_INPUT * x.shape[1]:
        return None, mu_out, var_eta
    # statsmodels warns on the way to a degenerate fit; the checks below decide what is usable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            poisson = _glm(y, x, off, 0.0)
            alpha = _moment_alpha(y, poisson.mu, n_fit - x.shape[1])
            full = _glm(y, x, off, alpha, start=poisson.params)
            null = _glm(y, x[:, :1], off, alpha)
            deviance, null_deviance = float(full.deviance), float(null.deviance)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return None, mu_out, var_eta  # data the regression cannot fit: no model (said on the page)
    explained = 1.0 - deviance / null_deviance if null_deviance > 0 else float("nan")
    if not math.isfinite(explained):
        return None, mu_out, var_eta
    cov = np.asarray(full.cov_params())
    if not (np.all(np.isfinite(cov)) and np.all(np.isfinite(full.params))
            and np.all(np.abs(np.asarray(full.params)[1:]) * x[:, 1:].std(axis=0) < 5)):
        return None, mu_out, var_eta  # a degenerate fit (separation, collinearity)

    def predict(params: np.ndarray, cov: np.ndarray, index: int) -> tuple[float, float]:
        row = design[index]
        return float(np.exp(row @ params + offset[index])), float(row @ cov @ row)

    params = np.asarray(full.params)
    for index, loo_params in zip(np.flatnonzero(fit_rows), _leave_one_out(y, x, full.mu, params,
                                                                          alpha), strict=True):
        mu_out[index], var_eta[index] = predict(loo_params, cov, int(index))
    # Municipalities not in the fit (a hidden count) are out of it already.
    for index in np.flatnonzero(predictable & ~fit_rows):
        mu_out[index], var_eta[index] = predict(params, cov, int(index))
    fit = YearFit(year=year, used=used, params=params, cov=cov, alpha=alpha, municipalities=n_fit,
                  deviance_explained=float(explained), centre=centre)
    return fit, mu_out, var_eta


def _interval(expected: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 95 % prediction interval for a count with this mean and variance (negative binomial
    with the matching overdispersion; Poisson when there is none)."""
    from scipy import stats

    lower = np.full(expected.shape, np.nan)
    upper = np.full(expected.shape, np.nan)
    tail = (1.0 - INTERVAL_LEVEL) / 2
    ok = np.isfinite(expected) & (expected > 0)
    mu = expected[ok]
    alpha = np.maximum((variance[ok] - mu) / mu ** 2, 0.0)
    poisson = alpha < 1e-9
    n = np.where(poisson, 1.0, 1.0 / np.maximum(alpha, 1e-9))
    p = n / (n + mu)
    lo = np.where(poisson, stats.poisson.ppf(tail, mu), stats.nbinom.ppf(tail, n, p))
    hi = np.where(poisson, stats.poisson.ppf(1 - tail, mu), stats.nbinom.ppf(1 - tail, n, p))
    lower[ok], upper[ok] = lo, hi
    zero = np.isfinite(expected) & (expected <= 0)
    lower[zero], upper[zero] = 0.0, 0.0
    return lower, upper


@dataclass(frozen=True)
class UptakeModel:
    """The expected-uptake model for one set of filters (whole country, all years of the period).

    ``expected``: per municipality ``municipality_code``, ``expected_participations``,
    ``expected_lower``, ``expected_upper`` (the 95 % prediction interval, in participations);
    null without a model. ``coefficients``: per year and condition ``year``, ``condition``,
    ``estimate`` (on the log scale, per unit), ``rate_ratio`` (per step), ``ratio_lower`` /
    ``ratio_upper`` (95 % confidence interval), ``step``. ``fit``: per year ``year``,
    ``municipalities``, ``deviance_explained``, ``alpha``, ``conditions_year``.
    """

    expected: pl.DataFrame
    coefficients: pl.DataFrame
    fit: pl.DataFrame


def _coefficients(fit: YearFit) -> list[dict[str, Any]]:
    out = []
    se = np.sqrt(np.maximum(np.diag(fit.cov), 0.0))
    for i, key in enumerate(fit.used, start=1):
        condition = next(c for c in MODEL_CONDITIONS if c.key == key)
        beta, s = float(fit.params[i]), float(se[i])
        out.append({
            "year": fit.year, "condition": key, "estimate": beta, "std_error": s,
            "step": condition.step,
            "rate_ratio": math.exp(beta * condition.step),
            "ratio_lower": math.exp((beta - 1.96 * s) * condition.step),
            "ratio_upper": math.exp((beta + 1.96 * s) * condition.step),
        })
    return out


_MODEL_CACHE: OrderedDict[tuple[object, ...], UptakeModel] = OrderedDict()
_MODEL_LOCK = threading.Lock()
_MODEL_CACHE_SIZE = 16


def compute_uptake_model(facts: Facts, filters: Filters, *, threshold: int) -> UptakeModel:
    """Fit the expected-uptake model for the filters' attributes and period (whole country).

    The area selection does not change the model (it compares every job centre with the
    country). Results are kept per dataset version, filters and threshold.
    """
    key = (facts.version, filters.whole_country(), threshold)
    if facts.version:
        with _MODEL_LOCK:
            if key in _MODEL_CACHE:
                _MODEL_CACHE.move_to_end(key)
                return _MODEL_CACHE[key]
    model = _compute_uptake_model(facts, filters.whole_country(), threshold)
    if facts.version:
        with _MODEL_LOCK:
            _MODEL_CACHE[key] = model
            while len(_MODEL_CACHE) > _MODEL_CACHE_SIZE:
                _MODEL_CACHE.popitem(last=False)
    return model


def _compute_uptake_model(facts: Facts, filters: Filters, threshold: int) -> UptakeModel:
    codes = geography.municipalities()["municipality_code"]
    total_mu = np.zeros(codes.len())
    total_var = np.zeros(codes.len())
    modelled = np.ones(codes.len(), dtype=bool)
    coefficients: list[dict[str, Any]] = []
    fits: list[dict[str, Any]] = []
    for year, first, last in _year_parts(filters.period_from, filters.period_to):
        frame = _inputs(facts, filters, year, first, last, threshold)
        fit, mu, var_eta = _fit_year(frame, year)
        exposure = frame["full_time_unemployed"].to_numpy()
        if fit is None:
            # A year without a model leaves every municipality with unemployed people unmodelled.
            modelled &= exposure <= 0
            fits.append({"year": year, "municipalities": 0, "deviance_explained": None,
                         "alpha": None, "conditions_year": None})
            continue
        # Var(y − ŷ) = μ + αμ² (the count's own spread) + μ²·Var(log ŷ) (the fit's uncertainty)
        variance = mu + fit.alpha * mu ** 2 + mu ** 2 * var_eta
        has = np.isfinite(mu)
        modelled &= has | (exposure <= 0)
        total_mu += np.where(has, mu, 0.0)
        total_var += np.where(has, variance, 0.0)
        coefficients += _coefficients(fit)
        years = frame["conditions_year"].drop_nulls()
        fits.append({"year": year, "municipalities": fit.municipalities,
                     "deviance_explained": fit.deviance_explained, "alpha": fit.alpha,
                     "conditions_year": int(years[0]) if years.len() else None})
    lower, upper = _interval(total_mu, total_var)
    expected = pl.DataFrame({
        "municipality_code": codes,
        "expected_participations": np.where(modelled, total_mu, np.nan),
        "expected_lower": np.where(modelled, lower, np.nan),
        "expected_upper": np.where(modelled, upper, np.nan),
    }).with_columns(pl.col(c).fill_nan(None) for c in
                    ("expected_participations", "expected_lower", "expected_upper"))
    coefficient_schema = {"year": pl.Int32, "condition": pl.String, "estimate": pl.Float64,
                          "std_error": pl.Float64, "step": pl.Float64, "rate_ratio": pl.Float64,
                          "ratio_lower": pl.Float64, "ratio_upper": pl.Float64}
    fit_schema = {"year": pl.Int32, "municipalities": pl.Int32, "deviance_explained": pl.Float64,
                  "alpha": pl.Float64, "conditions_year": pl.Int32}
    return UptakeModel(expected=expected,
                       coefficients=pl.DataFrame(coefficients, schema=coefficient_schema),
                       fit=pl.DataFrame(fits, schema=fit_schema))


# --------------------------------------------------------------------------------------------
# What the page shows


def _per_1000(column: str) -> pl.Expr:
    return (pl.when(pl.col("full_time_unemployed") > 0)
            .then(pl.col(column) / pl.col("full_time_unemployed") * 1000).otherwise(None))


def compute_jobcentre_ranking(facts: Facts, filters: Filters, *, threshold: int) -> pl.DataFrame:
    """Municipalities (in the selected areas) ranked by uptake per 1,000 full-time unemployed.

    Columns: ``municipality_code``, ``municipality_name``, ``area_code`` (of the filter's scheme;
    the scheme in force at the period's end when the filter is by municipality),
    ``participations``, ``full_time_unemployed`` (monthly average), ``insured_share``,
    ``uptake``, ``expected_uptake``, ``expected_lower`` / ``expected_upper`` (the 95 %
    prediction interval per 1,000), ``difference`` (actual − expected), ``ratio``
    (actual ÷ expected), ``assessment`` (below / as_expected / above: outside the interval or
    not), ``rank`` (1 = highest uptake; null when hidden or undefined) and ``difference_rank``
    (1 = furthest above expected). Hidden values are null with ``_suppressed`` flags. Zero
    unemployed: no uptake (null, not hidden).
    """
    raw = _counts(facts, filters, filters.period_from, filters.period_to)
    model = compute_uptake_model(facts, filters, threshold=threshold)
    frame = raw.join(model.expected, on="municipality_code", how="left", maintain_order="left")
    frame = frame.with_columns(
        _per_1000("participations").alias("uptake"),
        _per_1000("expected_participations").alias("expected_uptake"),
        _per_1000("expected_lower").alias("expected_lower"),
        _per_1000("expected_upper").alias("expected_upper"),
        pl.when(pl.col("full_time_unemployed") > 0)
        .then(pl.col("insured_unemployed") / pl.col("full_time_unemployed")).alias("insured_share"),
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
        "expected_uptake", "expected_lower", "expected_upper",
    )
    shown = apply_disclosure(
        frame, threshold=threshold, counts=["participations"],
        rates={"uptake": ("participations", "full_time_unemployed")},
        decimals={"uptake": rate_decimals(measure_of("jobcentre_uptake"))},
    )
    # Difference, ratio and assessment from the published uptake (from the true one they would
    # give it back); they are hidden with it.
    assessment = (
        pl.when(pl.col("uptake").is_null() | pl.col("expected_lower").is_null()).then(None)
        .when(pl.col("uptake") < pl.col("expected_lower")).then(pl.lit("below"))
        .when(pl.col("uptake") > pl.col("expected_upper")).then(pl.lit("above"))
        .otherwise(pl.lit("as_expected"))
    )
    shown = shown.with_columns(
        (pl.col("uptake") - pl.col("expected_uptake")).alias("difference"),
        pl.col("uptake_suppressed").alias("difference_suppressed"),
        pl.when(pl.col("expected_uptake") > 0)
        .then(pl.col("uptake") / pl.col("expected_uptake")).alias("ratio"),
        pl.col("uptake_suppressed").alias("ratio_suppressed"),
        assessment.cast(pl.Enum(list(ASSESSMENTS))).alias("assessment"),
        pl.col("uptake_suppressed").alias("assessment_suppressed"),
    )
    return shown.with_columns(
        pl.col("uptake").rank("min", descending=True).cast(pl.Int32).alias("rank"),
        pl.col("difference").rank("min", descending=True).cast(pl.Int32).alias("difference_rank"),
    ).sort(["rank", "municipality_code"], nulls_last=True)


def _model_features(facts: Facts, filters: Filters) -> pl.DataFrame:
    """Every municipality's model inputs for the period's last year (insured share: the period's)."""
    year = filters.period_to.year
    unemployed = unemployment_average(facts, filters, first=filters.period_from,
                                      last=filters.period_to, area_scheme="municipality",
                                      use_areas=False).with_columns(
        pl.col("area_code").cast(pl.Int16).alias("municipality_code"))
    base = geography.municipalities().select("municipality_code", "municipality_name")
    frame = base.join(unemployed.select("municipality_code", "full_time_unemployed",
                                        "insured_unemployed"),
                      on="municipality_code", how="left", maintain_order="left").with_columns(
        pl.col("full_time_unemployed").fill_null(0.0),
        pl.when(pl.col("full_time_unemployed") > 0)
        .then(pl.col("insured_unemployed") / pl.col("full_time_unemployed")).alias("insured_share"),
    )
    frame = _with_conditions(frame, conditions_for_year(facts, year))
    missing = [k for k in CONDITION_KEYS if k not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.Float64).alias(k) for k in missing)


def compute_comparable_municipalities(facts: Facts, filters: Filters, municipality_code: int, *,
                                      threshold: int, count: int = 5) -> pl.DataFrame:
    """The municipality and the ``count`` municipalities most like it in framework conditions.

    Likeness: Euclidean distance over the expected-uptake model's inputs (each standardised over
    the municipalities with unemployed people; log of population and of full-time unemployed),
    so "comparable" means comparable in what the model takes into account. Columns: the
    ranking's, plus ``distance`` and ``is_selected``; the chosen municipality first.
    """
    if municipality_code not in geography.municipality_codes():
        raise MeasureError(f"unknown municipality code {municipality_code}")
    ranking = compute_jobcentre_ranking(facts, filters.whole_country(), threshold=threshold)
    features = _model_features(facts, filters)
    # Only municipalities with unemployed people are comparable (others have no uptake).
    candidates = ranking.filter((pl.col("full_time_unemployed") > 0)
                                | (pl.col("municipality_code") == municipality_code))
    joined = candidates.select("municipality_code").join(
        features, on="municipality_code", how="left", maintain_order="left")
    columns = [np.log1p(joined["full_time_unemployed"].to_numpy())]
    for condition in MODEL_CONDITIONS:
        values = joined[condition.key].cast(pl.Float64).fill_null(float("nan")).to_numpy()
        if condition.log2:
            values = np.log2(np.maximum(values, 1.0))
        columns.append(values)
    matrix = []
    for values in columns:
        known = np.isfinite(values)
        if not known.any():
            continue
        filled = np.where(known, values, np.median(values[known]))
        matrix.append(_standardise(filled))
    stacked = np.column_stack(matrix)
    codes = candidates["municipality_code"].to_list()
    target = stacked[codes.index(municipality_code)]
    distance = np.sqrt(((stacked - target) ** 2).sum(axis=1))
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
    return np.asarray((values - values.mean()) / spread)


def compute_jobcentre_conditions(facts: Facts, filters: Filters, municipality_code: int
                                 ) -> pl.DataFrame:
    """One job centre's framework conditions beside its area's and the country's.

    One row per model input (:data:`MODEL_CONDITIONS` order): ``condition``, ``municipality``,
    ``area``, ``country`` and ``area_code``. Shares of the unemployed are averages weighted by
    full-time unemployed, other shares and distances by population; population is the total.
    The last year of the period is used (or the nearest year the conditions table has).
    Conditions are not person counts: nothing here is disclosure-controlled.
    """
    if municipality_code not in geography.municipality_codes():
        raise MeasureError(f"unknown municipality code {municipality_code}")
    scheme = filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
        filters.period_to, facts.reform_date)
    lookup = geography.area_lookup(scheme)
    area_code = lookup.filter(pl.col("municipality_code") == municipality_code)["area_code"][0]
    features = _model_features(facts, filters).join(lookup, on="municipality_code", how="left")
    area = features.filter(pl.col("area_code") == area_code)
    mine = features.filter(pl.col("municipality_code") == municipality_code)

    def summary(frame: pl.DataFrame, condition: Condition) -> float | None:
        values = frame[condition.key].cast(pl.Float64)
        if condition.weight == "sum":
            return None if values.null_count() == values.len() else float(values.sum())
        weights = frame[condition.weight].cast(pl.Float64) if condition.weight in frame.columns \
            else frame["population"].cast(pl.Float64)
        known = values.is_not_null() & weights.is_not_null() & (weights > 0)
        if not known.any():
            return None
        return (float((values.filter(known) * weights.filter(known)).sum())
                / float(weights.filter(known).sum()))

    return pl.DataFrame({
        "condition": list(CONDITION_KEYS),
        "municipality": [summary(mine, c) for c in MODEL_CONDITIONS],
        "area": [summary(area, c) for c in MODEL_CONDITIONS],
        "country": [summary(features, c) for c in MODEL_CONDITIONS],
        "area_code": [area_code] * len(MODEL_CONDITIONS),
    }, schema={"condition": pl.String, "municipality": pl.Float64, "area": pl.Float64,
               "country": pl.Float64, "area_code": pl.String})


def compute_jobcentre_trend(facts: Facts, filters: Filters, municipality_code: int, *,
                            threshold: int, grain: Grain = "quarter") -> pl.DataFrame:
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
