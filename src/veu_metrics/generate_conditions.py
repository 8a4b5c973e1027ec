"""Framework conditions for the demo data, and the rule by which they drive uptake.

The demo's ``conditions`` table (docs/DATA.md) gets realistic spreads per municipality with a
slow drift over the years. The unemployed participants of a course are then placed in the
municipalities of the course's RAR area in proportion to *full-time unemployed × a rate*; the
rate follows the municipality's conditions by :data:`_EFFECTS`, times noise, times a few planted
outliers (:data:`PLANTED_OUTLIERS`). The expected-uptake model (``jobcentre.py``) never reads
this rule: a test checks that it finds the rule's directions and flags the outliers.

Works at any dataset size: the rule sets where unemployed participants live, not how many there
are, so the generator's volumes are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from veu_metrics import schema
from veu_metrics.geography import municipalities

# Effect on the log of the uptake rate per unit of each condition (shares per 1.0, i.e. +0.3
# per 10 percentage points for 3.0; distance per km). Population and the insured share have no
# effect of their own in the demo.
_EFFECTS: dict[str, float] = {
    "unskilled_share": 2.5,
    "senior_share": -3.0,
    "long_term_share": -2.0,
    "shortage_employment_share": 3.0,
    "amu_distance_km": -0.015,
}
EFFECT_DIRECTIONS: dict[str, int] = {k: int(np.sign(v)) for k, v in _EFFECTS.items()}
"""Only the signs, for tests and docs: the model must find these without reading the sizes."""

PLANTED_OUTLIERS: dict[int, float] = {
    615: 1.9,   # Horsens: a strong Job-VEU partnership with local firms
    510: 1.8,   # Haderslev: an active job centre with its own course buyer
    250: 0.5,   # Frederikssund: hardly uses upskilling for its unemployed
}
"""Municipality code → factor on its uptake rate beyond what its conditions give."""

_NOISE_SD = 0.08     # municipality × year noise on the log rate
_DRIFT_SD = 0.006    # yearly drift of a share
_MAX_NATIONAL_SHARE = 0.15
"""At most this share of the unemployed live outside their course's area (the rest is the
areas' own variation, which the model does not know)."""
_ISLANDS = (825, 563, 741, 492)  # Læsø, Fanø, Samsø, Ærø: far from an AMU provider


@dataclass(frozen=True)
class UptakeRule:
    """Where unemployed participants live, per year (years × municipalities, codes sorted).

    A participant lives in the course's RAR area (``local`` weights) or, with probability
    ``national_share`` of the year, anywhere (``national`` weights). The national weights top up
    each municipality towards its share of the rule, so the expected count of a municipality is
    close to proportional to full-time unemployed × rate whatever the areas' course supply
    (exactly when the share needed is under :data:`_MAX_NATIONAL_SHARE`).
    """

    first_year: int
    local: np.ndarray
    national: np.ndarray
    national_share: np.ndarray

    def residence(self, rng: np.random.Generator, residence: np.ndarray, unemployed: np.ndarray,
                  area_of_course: np.ndarray, area_of_municipality: np.ndarray,
                  start_year: np.ndarray) -> np.ndarray:
        """``residence`` (indices into the sorted codes) with every unemployed participant
        re-drawn by the rule."""
        result = residence.copy()
        years = np.clip(start_year - self.first_year, 0, self.local.shape[0] - 1)
        rows = np.flatnonzero(unemployed)
        if rows.size == 0:
            return result
        anywhere = rng.random(rows.size) < self.national_share[years[rows]]
        key = years[rows] * 1000 + np.where(anywhere, 0, area_of_course[rows] + 1)
        everyone = np.arange(self.local.shape[1])
        for value in np.unique(key):
            chosen = rows[key == value]
            year, area = value // 1000, value % 1000 - 1  # area −1: the national draw
            members = everyone if area < 0 else np.flatnonzero(area_of_municipality == area)
            weights = (self.national if area < 0 else self.local)[year, members]
            cumulative = np.cumsum(weights) / weights.sum()
            picks = np.searchsorted(cumulative, rng.random(chosen.size), side="right")
            result[chosen] = members[np.minimum(picks, members.size - 1)]
        return result


def build_conditions(seed: int, until: date, population: pl.DataFrame) -> pl.DataFrame:
    """The conditions table for every year from 2018 to ``until``'s year.

    ``population``: ``municipality_code``, ``population_approx`` (the generator's reference).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    base = population.join(municipalities().select("municipality_code", "west_of_storebaelt"),
                           on="municipality_code", how="left").sort("municipality_code")
    codes = base["municipality_code"].to_numpy().astype(np.int64)
    people = base["population_approx"].to_numpy().astype(np.float64)
    n = codes.size
    shares = {
        "unskilled_share": rng.uniform(0.24, 0.50, n),
        "senior_share": rng.uniform(0.24, 0.46, n),
        "long_term_share": rng.uniform(0.10, 0.36, n),
        "shortage_employment_share": rng.uniform(0.10, 0.36, n),
    }
    # Larger towns have a provider close by; rural municipalities and islands are far from one.
    distance = np.exp(rng.normal(np.log(14.0), 0.45, n)) * np.where(people > 90_000, 0.25, 1.0)
    # AMU providers are denser west of Storebælt, where AMU is used most.
    distance *= np.where(base["west_of_storebaelt"].to_numpy(), 0.6, 1.0)
    distance = np.where(np.isin(codes, _ISLANDS), rng.uniform(35.0, 60.0, n), distance)
    years = list(range(2018, until.year + 1))
    frames = []
    for index, year in enumerate(years):
        drifted = {k: np.clip(v + rng.normal(0.0, _DRIFT_SD, n) * (index > 0), 0.02, 0.95)
                   for k, v in shares.items()}
        shares = drifted
        frames.append(pl.DataFrame({
            "year": np.full(n, year),
            "municipality_code": codes,
            "population": np.round(people * (1.0 + 0.004 * (year - 2024))),
            **{k: np.round(v, 4) for k, v in drifted.items()},
            "amu_distance_km": np.round(distance, 1),
        }))
    return schema.conform("conditions", pl.concat(frames))


def expected_supply(unemployed_per_course: np.ndarray, area_of_course: np.ndarray,
                    start_year: np.ndarray, first_year: int, years: int, areas: int) -> np.ndarray:
    """Expected unemployed participants per year and course area (years × areas)."""
    index = np.clip(start_year - first_year, 0, years - 1) * areas + area_of_course
    return np.bincount(index, weights=unemployed_per_course, minlength=years * areas
                       ).reshape(years, areas)


def build_uptake_rule(seed: int, conditions: pl.DataFrame, unemployment: pl.DataFrame,
                      supply: np.ndarray, area_of_municipality: np.ndarray) -> UptakeRule:
    """The rule's weights: yearly average full-time unemployed × the rate the conditions give.

    ``supply``: expected unemployed participants per year (from 2018) and RAR area
    (:func:`expected_supply`); ``area_of_municipality``: the RAR area index per sorted code.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 8]))
    yearly = (unemployment.group_by(pl.col("month").dt.year().cast(pl.Int16).alias("year"),
                                    "municipality_code")
              .agg(pl.col("full_time_unemployed").mean().alias("unemployed")))
    frame = conditions.join(yearly, on=["year", "municipality_code"], how="left").with_columns(
        pl.col("unemployed").fill_null(0.0)).sort("year", "municipality_code")
    log_rate = pl.sum_horizontal(
        (pl.col(k) - pl.col(k).mean().over("year")) * v for k, v in _EFFECTS.items())
    frame = frame.with_columns(log_rate.alias("log_rate"))
    years = frame["year"].unique().sort().to_list()
    codes = frame.filter(pl.col("year") == years[0])["municipality_code"].to_numpy()
    shape = (len(years), codes.size)
    planted = np.array([PLANTED_OUTLIERS.get(int(c), 1.0) for c in codes])
    rate = np.exp(frame["log_rate"].to_numpy().reshape(shape) + rng.normal(0.0, _NOISE_SD, shape))
    weights = np.maximum(frame["unemployed"].to_numpy().reshape(shape) * rate * planted, 1e-9)

    areas = int(area_of_municipality.max()) + 1
    supply = np.vstack([supply, np.zeros((max(len(years) - supply.shape[0], 0), areas))])
    supply = supply[:len(years)]
    national = np.zeros(shape)
    share = np.zeros(len(years))
    for y in range(len(years)):
        total = supply[y].sum()
        if total <= 0:
            national[y], share[y] = weights[y], 0.0
            continue
        weight_of_area = np.bincount(area_of_municipality, weights=weights[y], minlength=areas)
        # Areas that get more participants than the rule gives them send the surplus anywhere.
        ratio = (weight_of_area / weight_of_area.sum()) / np.maximum(supply[y] / total, 1e-12)
        share[y] = min(max(1.0 - ratio[supply[y] > 0].min(), 0.0) + 0.02, _MAX_NATIONAL_SHARE)
        local_expected = ((1 - share[y]) * supply[y][area_of_municipality] * weights[y]
                          / weight_of_area[area_of_municipality])
        target = total * weights[y] / weights[y].sum()
        national[y] = np.maximum(target - local_expected, 1e-9)
    return UptakeRule(first_year=int(years[0]), local=weights, national=national,
                      national_share=share)
