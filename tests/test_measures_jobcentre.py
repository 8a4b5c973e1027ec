"""Job-centre ranking, expected uptake, comparable municipalities and trend on the hand-made scenario.

From test_measures.scenario (2024): unemployed participations — Odense 461: 4 (all insured,
course A, March), Svendborg 479: 6 (other unemployed, course D, May), København 101: 0.
Average full-time unemployed (insured): 461 1,000 (600), 479 500 (200), 101 2,000 (1,000);
no unemployment rows elsewhere.
"""

from datetime import date

import polars as pl
import pytest

from test_measures import FYN, YEAR, facts  # noqa: F401  (facts is a fixture)
from veu_metrics.measures import (
    MeasureError,
    compute_comparable_municipalities,
    compute_jobcentre_ranking,
    compute_jobcentre_trend,
    compute_uptake_model,
)


def test_ranking_actual_uptake_and_no_model_from_three_municipalities(facts):  # noqa: F811
    ranking = compute_jobcentre_ranking(facts, YEAR, threshold=1)
    assert ranking.height == 98
    top = ranking.head(3)
    assert top["municipality_code"].to_list() == [479, 461, 101]
    assert top["rank"].to_list() == [1, 2, 3]
    assert top["uptake"].to_list() == pytest.approx([12.0, 4.0, 0.0])
    assert top["insured_share"].to_list() == pytest.approx([0.4, 0.6, 0.5])
    # Three municipalities with unemployed people are far too few for a regression: no
    # expected value, no interval, no assessment (the page says so) — never a made-up one.
    for column in ("expected_uptake", "expected_lower", "expected_upper", "difference",
                   "assessment", "difference_rank"):
        assert top[column].null_count() == 3, column
    model = compute_uptake_model(facts, YEAR, threshold=1)
    assert model.coefficients.is_empty()
    assert model.fit["municipalities"].to_list() == [0]


def test_municipality_with_zero_unemployed_has_no_uptake_and_no_rank(facts):  # noqa: F811
    ranking = compute_jobcentre_ranking(facts, YEAR, threshold=1)
    laesoe = ranking.filter(pl.col("municipality_code") == 825).row(0, named=True)
    assert laesoe["full_time_unemployed"] == 0.0
    assert laesoe["uptake"] is None and not laesoe["uptake_suppressed"]
    assert laesoe["expected_uptake"] is None and laesoe["rank"] is None


def test_ranking_publishes_perturbed_counts_and_uptake_from_them(facts):  # noqa: F811
    ranking = compute_jobcentre_ranking(facts, YEAR, threshold=5)
    rows = {r["municipality_code"]: r for r in ranking.iter_rows(named=True)}
    # Odense's 4 is never shown as itself; whatever is shown is 0 or at least 5.
    odense = rows[461]
    assert odense["participations_suppressed"] or odense["participations"] in (0, 5, 6, 7)
    for row in rows.values():
        if row["participations_suppressed"]:
            assert row["uptake"] is None and row["uptake_suppressed"]
            assert row["difference"] is None and row["rank"] is None
            assert row["assessment"] is None and row["assessment_suppressed"]
        elif row["full_time_unemployed"]:
            assert row["uptake"] == pytest.approx(
                row["participations"] / row["full_time_unemployed"] * 1000, abs=5e-4)
    # Copenhagen's true zero stays zero.
    assert rows[101]["uptake"] == 0.0


def test_ranking_restricted_to_the_selected_area(facts):  # noqa: F811
    ranking = compute_jobcentre_ranking(facts, FYN, threshold=1)
    assert ranking.height == 10
    assert set(ranking["area_code"]) == {"fyn"}
    odense = ranking.filter(pl.col("municipality_code") == 461).row(0, named=True)
    assert odense["uptake"] == pytest.approx(4.0)


def test_comparable_municipalities(facts):  # noqa: F811
    similar = compute_comparable_municipalities(facts, YEAR, 461, threshold=1, count=2)
    assert similar["municipality_code"].to_list() == [461, 101, 479]
    assert similar["is_selected"].to_list() == [True, False, False]
    assert similar["distance"][0] == 0.0
    with pytest.raises(MeasureError, match="unknown municipality"):
        compute_comparable_municipalities(facts, YEAR, 411, threshold=1)


def test_trend_for_municipality_area_and_country(facts):  # noqa: F811
    trend = compute_jobcentre_trend(facts, YEAR, 461, threshold=1, grain="quarter")
    assert trend.height == 12
    by_level = {level: trend.filter(pl.col("level") == level)["value"].to_list()
                for level in ("municipality", "area", "country")}
    assert by_level["municipality"] == pytest.approx([4.0, 0.0, 0.0, 0.0])
    assert by_level["area"] == pytest.approx([4 / 1500 * 1000, 6 / 1500 * 1000, 0.0, 0.0])
    assert by_level["country"] == pytest.approx([4 / 3500 * 1000, 6 / 3500 * 1000, 0.0, 0.0])
    assert trend.filter(pl.col("level") == "area")["area_code"][0] == "fyn"
    assert trend["period"].to_list()[:4] == [date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1),
                                             date(2024, 10, 1)]


def test_trend_protects_a_small_quarter(facts):  # noqa: F811
    trend = compute_jobcentre_trend(facts, YEAR, 461, threshold=5, grain="quarter")
    municipality = trend.filter(pl.col("level") == "municipality")
    # Odense's first quarter: 4 participations per 1,000 unemployed → 4.0 would reveal them.
    first = municipality.row(0, named=True)
    assert first["value_suppressed"] or first["value"] != pytest.approx(4.0)
    assert municipality["value"].to_list()[1:] == [0.0, 0.0, 0.0]
    # The council scheme gives the municipality's council area.
    council = compute_jobcentre_trend(facts, YEAR.with_changes(scheme="council"), 461,
                                      threshold=5, grain="year")
    assert council.filter(pl.col("level") == "area")["area_code"][0] == "syddanmark"
