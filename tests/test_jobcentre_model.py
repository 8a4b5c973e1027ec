"""The expected-uptake model: its fit on counts with known effects, leave-one-out, intervals,
and — on generated demo data — recovering the generator's directions and planted outliers
without reading the generator's rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from veu_metrics import geography, jobcentre
from veu_metrics.dataset import open_dataset
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.generate import generate_dataset
from veu_metrics.generate_conditions import EFFECT_DIRECTIONS, PLANTED_OUTLIERS

YEAR_2019 = Filters(period_from=date(2019, 1, 1), period_to=date(2019, 12, 1), scheme="rar")


@pytest.mark.parametrize(("first", "last", "expected"), [
    (date(2024, 1, 1), date(2024, 12, 1), [(2024, date(2024, 1, 1), date(2024, 12, 1))]),
    # the last 12 months: one year, whatever the calendar says
    (date(2025, 11, 1), date(2026, 10, 1), [(2026, date(2025, 11, 1), date(2026, 10, 1))]),
    # a 3-month remainder at the start joins the year after it
    (date(2023, 1, 1), date(2024, 3, 1), [(2023, date(2023, 1, 1), date(2024, 3, 1))]),
    (date(2023, 1, 1), date(2024, 12, 1), [(2023, date(2023, 1, 1), date(2023, 12, 1)),
                                           (2024, date(2024, 1, 1), date(2024, 12, 1))]),
    (date(2024, 3, 1), date(2024, 5, 1), [(2024, date(2024, 3, 1), date(2024, 5, 1))]),
])
def test_year_parts(first, last, expected):
    assert jobcentre._year_parts(first, last) == expected


# ---------------------------------------------------------------- the fit on known counts

TRUE_EFFECTS = {"unskilled_share": 2.0, "senior_share": -2.0, "long_term_share": 0.0,
                "shortage_employment_share": 3.0, "amu_distance_km": -0.02}


def synthetic_inputs(seed: int, alpha: float = 0.02, outliers: dict[int, float] | None = None
                     ) -> pl.DataFrame:
    """98 municipalities with conditions, exposure and negative binomial counts of known effects."""
    rng = np.random.default_rng(seed)
    n = 98
    frame = pl.DataFrame({
        "municipality_code": geography.municipalities()["municipality_code"],
        "full_time_unemployed": rng.uniform(200, 8000, n),
        "insured_share": rng.uniform(0.55, 0.75, n),
        "unemployment_rate": rng.uniform(0.015, 0.04, n),
        "unskilled_share": rng.uniform(0.25, 0.5, n),
        "senior_share": rng.uniform(0.25, 0.45, n),
        "long_term_share": rng.uniform(0.1, 0.35, n),
        "shortage_employment_share": rng.uniform(0.1, 0.35, n),
        "population": rng.uniform(10_000, 600_000, n),
        "amu_distance_km": rng.uniform(2, 40, n),
        "conditions_year": np.full(n, 2024),
    })
    log_rate = np.log(0.08) + sum(
        effect * (frame[key].to_numpy() - frame[key].mean()) for key, effect in TRUE_EFFECTS.items())
    mu = frame["full_time_unemployed"].to_numpy() * np.exp(log_rate)
    for index, factor in (outliers or {}).items():
        mu[index] *= factor
    gamma = rng.gamma(1 / alpha, alpha, n)
    counts = rng.poisson(mu * gamma)
    return frame.with_columns(pl.Series("protected_participations", counts, dtype=pl.Int64))


def test_fit_recovers_known_effects():
    frame = synthetic_inputs(1)
    fit, mu, var_eta = jobcentre._fit_year(frame, 2024)
    assert fit is not None and fit.municipalities == 98
    se = np.sqrt(np.diag(fit.cov))
    for key, effect in TRUE_EFFECTS.items():
        i = fit.used.index(key) + 1
        assert abs(fit.params[i] - effect) < 3.5 * se[i], key
        if effect:
            assert np.sign(fit.params[i]) == np.sign(effect), key
    assert 0.0 < fit.alpha < 0.1
    assert 0.5 < fit.deviance_explained <= 1.0
    assert np.isfinite(mu).all() and (var_eta > 0).all()


def test_leave_one_out_matches_real_refits():
    frame = synthetic_inputs(2)
    fit, mu, _ = jobcentre._fit_year(frame, 2024)
    x = jobcentre._design(frame, fit.used) - fit.centre
    design = np.column_stack([np.ones(frame.height), x])
    y = frame["protected_participations"].cast(pl.Float64).to_numpy()
    offset = np.log(frame["full_time_unemployed"].to_numpy())
    for i in (0, 17, 50, 97):
        keep = np.arange(frame.height) != i
        refit = jobcentre._glm(y[keep], design[keep], offset[keep], fit.alpha)
        exact = float(np.exp(design[i] @ refit.params + offset[i]))
        assert mu[i] == pytest.approx(exact, rel=0.01)
        # and it is not the in-sample fit: the municipality's own count is left out
        assert mu[i] != pytest.approx(float(np.exp(design[i] @ fit.params + offset[i])), rel=1e-9)


def test_intervals_cover_most_ordinary_municipalities_and_catch_planted_ones():
    outliers = {5: 2.5, 40: 0.35}
    frame = synthetic_inputs(3, outliers=outliers)
    fit, mu, var_eta = jobcentre._fit_year(frame, 2024)
    variance = mu + fit.alpha * mu ** 2 + mu ** 2 * var_eta
    lower, upper = jobcentre._interval(mu, variance)
    y = frame["protected_participations"].to_numpy()
    outside = (y < lower) | (y > upper)
    assert outside[5] and y[5] > upper[5]
    assert outside[40] and y[40] < lower[40]
    ordinary = np.delete(outside, list(outliers))
    assert ordinary.mean() <= 0.12  # a 95 % interval: about 5 % outside by chance
    assert (lower <= mu).all() and (mu <= upper).all()


def test_too_few_participations_give_no_model():
    # 30 participations in the country cannot carry 9 parameters
    frame = synthetic_inputs(4).with_columns(
        pl.Series("protected_participations", [1] * 30 + [0] * 68, dtype=pl.Int64))
    fit, mu, _ = jobcentre._fit_year(frame, 2024)
    assert fit is None and np.isnan(mu).all()


# ---------------------------------------------------------------- on generated demo data


@pytest.fixture(scope="module")
def model_dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo dataset dense enough in 2019 for the model (about 48,000 unemployed participations;
    at half that, the ±3 perturbation of a planted low outlier's ~20 participations can move it
    inside its interval)."""
    out = tmp_path_factory.mktemp("model") / "dataset"
    return generate_dataset(out, enrolments=240_000, seed=2018, until=date(2019, 12, 1))


@pytest.fixture(scope="module")
def model_facts(model_dataset_dir: Path):
    return prepare_facts(open_dataset(model_dataset_dir), reform_date=date(2025, 1, 1))


def test_generated_conditions_table(model_facts):
    conditions = model_facts.conditions
    assert conditions.height == 98 * 2
    assert set(conditions["year"]) == {2018, 2019}
    shares = ["unskilled_share", "senior_share", "long_term_share", "shortage_employment_share"]
    assert conditions.select(pl.all_horizontal(pl.col(c).is_between(0, 1) for c in shares)
                             .all()).item()
    assert conditions["amu_distance_km"].min() >= 0


def test_model_recovers_the_generator_directions_and_flags_the_planted_outliers(model_facts):
    model = jobcentre.compute_uptake_model(model_facts, YEAR_2019, threshold=5)
    (fit,) = model.fit.iter_rows(named=True)
    assert fit["municipalities"] >= 90 and fit["deviance_explained"] > 0.5
    coefficients = {r["condition"]: r for r in model.coefficients.iter_rows(named=True)}
    for key, direction in EFFECT_DIRECTIONS.items():
        row = coefficients[key]
        # the direction, and clearly so (the 95 % interval excludes no effect)
        assert np.sign(row["estimate"]) == direction, key
        assert (row["ratio_lower"] > 1) if direction > 0 else (row["ratio_upper"] < 1), key

    ranking = jobcentre.compute_jobcentre_ranking(model_facts, YEAR_2019, threshold=5)
    assessed = dict(zip(ranking["municipality_code"], ranking["assessment"].cast(pl.String),
                        strict=True))
    for code, factor in PLANTED_OUTLIERS.items():
        assert assessed[code] == ("above" if factor > 1 else "below"), code
    # expected values vary widely (the old composition model spanned only a few per cent)
    expected = ranking["expected_uptake"].drop_nulls()
    assert expected.max() / expected.min() > 2.5
    # few municipalities are flagged beyond the planted ones
    flagged = ranking.filter(pl.col("assessment").is_in(["above", "below"]))
    assert flagged.height <= len(PLANTED_OUTLIERS) + 10
    # the interval holds the expected value; the difference is actual − expected
    shown = ranking.filter(pl.col("difference").is_not_null())
    assert (shown["expected_lower"] <= shown["expected_uptake"]).all()
    assert (shown["expected_uptake"] <= shown["expected_upper"]).all()
    assert shown["difference"].to_list() == pytest.approx(
        (shown["uptake"] - shown["expected_uptake"]).to_list())


def test_the_model_is_fitted_on_protected_counts(model_facts):
    threshold = 60  # hides many municipalities' counts
    frame = jobcentre._inputs(model_facts, YEAR_2019, 2019, YEAR_2019.period_from,
                              YEAR_2019.period_to, threshold)
    hidden = frame["protected_participations"].null_count()
    assert hidden > 0
    model = jobcentre.compute_uptake_model(model_facts, YEAR_2019, threshold=threshold)
    with_unemployed = frame.filter(pl.col("full_time_unemployed") > 0)
    assert model.fit["municipalities"][0] == with_unemployed["protected_participations"].count()
    # hidden municipalities still get an expected value (their own count is not needed)
    assert model.expected["expected_participations"].null_count() == 0


def test_a_dataset_without_conditions_uses_the_insured_share_only(model_dataset_dir):
    tables = {name: frame for name, frame in open_dataset(model_dataset_dir).tables.items()
              if name != "conditions"}
    facts = prepare_facts(tables, reform_date=date(2025, 1, 1), covers_from=date(2018, 1, 1),
                          covers_to=date(2019, 12, 31))
    assert facts.conditions.is_empty()
    model = jobcentre.compute_uptake_model(facts, YEAR_2019, threshold=5)
    assert model.coefficients["condition"].to_list() == ["insured_share"]
    conditions = jobcentre.compute_jobcentre_conditions(facts, YEAR_2019, 101)
    assert conditions.filter(pl.col("condition") == "insured_share")["municipality"][0] > 0
    assert conditions.filter(pl.col("condition") == "population")["municipality"][0] is None


def test_conditions_beside_area_and_country(model_facts):
    table = jobcentre.compute_jobcentre_conditions(model_facts, YEAR_2019, 101)
    assert table["condition"].to_list() == list(jobcentre.CONDITION_KEYS)
    rows = {r["condition"]: r for r in table.iter_rows(named=True)}
    population = model_facts.conditions.filter(pl.col("year") == 2019)
    assert rows["population"]["country"] == pytest.approx(population["population"].sum())
    mine = population.filter(pl.col("municipality_code") == 101).row(0, named=True)
    assert rows["senior_share"]["municipality"] == pytest.approx(mine["senior_share"])
    # the area's value lies between its municipalities' extremes
    area = geography.area_lookup("rar").filter(pl.col("area_code") == table["area_code"][0])
    members = population.filter(pl.col("municipality_code").is_in(area["municipality_code"].implode()))
    assert members["amu_distance_km"].min() <= rows["amu_distance_km"]["area"] \
        <= members["amu_distance_km"].max()


def test_comparable_municipalities_are_alike_in_conditions(model_facts):
    similar = jobcentre.compute_comparable_municipalities(model_facts, YEAR_2019, 615, threshold=5)
    assert similar["municipality_code"][0] == 615 and similar.height == 6
    assert similar["distance"].is_sorted()
