"""Smoke test: every compute_* runs on the generated demo dataset, agrees with itself, and shows
no small person counts. (Hand-computed answers are in the other test_measures_* files.)"""

from datetime import date

import polars as pl
import pytest

from veu_metrics.aggregate import BREAKDOWNS
from veu_metrics.balance import available_half_years
from veu_metrics.catalogue import load_catalogue
from veu_metrics.disclosure import MAX_NOISE
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import default_filters
from veu_metrics.measures import (
    compute_area_table,
    compute_balance_changes,
    compute_balance_matrix,
    compute_blind_spots,
    compute_comparable_municipalities,
    compute_courses,
    compute_courses_by_provider,
    compute_focus_areas,
    compute_jobcentre_ranking,
    compute_jobcentre_trend,
    compute_kpis,
    compute_outcomes,
    compute_series,
    compute_shortage_activity,
    compute_target_progress,
)

THRESHOLD = 5
REFORM = date(2025, 1, 1)


@pytest.fixture(scope="module")
def demo_facts(demo_dataset):
    return prepare_facts(demo_dataset, REFORM)


@pytest.fixture(scope="module")
def filters(demo_facts):
    return default_filters(demo_facts.covers_to, REFORM)


def _no_small(frame: pl.DataFrame, column: str) -> None:
    values = frame[column].drop_nulls()
    assert not ((values > 0) & (values < THRESHOLD)).any(), f"{column} shows a small count"


def test_facts_cover_every_enrolment_of_courses_that_ran(demo_dataset, demo_facts):
    courses = demo_dataset.courses.collect()
    enrolments = demo_dataset.enrolments.collect()
    ran = courses.filter(~pl.col("cancelled"))["course_id"]
    assert demo_facts.participations.height == enrolments.filter(
        pl.col("course_id").is_in(ran.implode()))["course_id"].len()
    assert demo_facts.courses.height == courses.height
    assert demo_facts.participations["start_month"].is_sorted()


def test_kpis_equal_series_and_area_totals(demo_facts, filters):
    kpis = compute_kpis(demo_facts, filters, THRESHOLD, list(load_catalogue()))
    assert kpis.height == len(load_catalogue())
    by_measure = {r["measure"]: r for r in kpis.iter_rows(named=True)}
    participations = by_measure["participations"]["value_national"]
    assert participations > 0
    true_national = compute_kpis(demo_facts, filters, 1, ["participations"])["value_national"][0]
    assert abs(participations - true_national) <= MAX_NOISE  # the total is a cell of its own
    series = compute_series(demo_facts, filters, "participations", threshold=THRESHOLD, grain="year")
    # Perturbed parts need not add up to the total, but stay within the noise of each.
    assert abs(series["value"].sum() - participations) <= MAX_NOISE * (series.height + 1)
    areas = compute_area_table(demo_facts, filters, "participations", "municipality",
                               threshold=THRESHOLD)
    assert areas.height == 98
    # Every municipality's true participations add up to the true national figure.
    raw = compute_area_table(demo_facts, filters, "participations", "municipality", threshold=1)
    assert raw["value"].sum() == true_national
    _no_small(areas, "value")
    for row in by_measure.values():
        if row["value"] is not None and load_catalogue()[row["measure"]].unit == "share":
            assert 0 <= row["value"] <= 1


@pytest.mark.parametrize("breakdown", [None, *BREAKDOWNS])
def test_series_for_every_breakdown(demo_facts, filters, breakdown):
    series = compute_series(demo_facts, filters, "participations", threshold=THRESHOLD,
                            grain="quarter", breakdown=breakdown)
    assert series.height > 0
    _no_small(series, "value")


def test_every_other_view_runs(demo_facts, filters):
    assert compute_focus_areas(demo_facts, filters, threshold=THRESHOLD).height > 0
    for by in ("education_type", "funding", "labour_status", "shortage", "year"):
        outcomes = compute_outcomes(demo_facts, filters, threshold=THRESHOLD, by=by)
        assert outcomes.height > 0
        _no_small(outcomes, "completion_known")
    courses = compute_courses(demo_facts, filters, threshold=THRESHOLD)
    assert courses.height > 0
    _no_small(courses, "participants")
    providers = compute_courses_by_provider(demo_facts, filters, threshold=THRESHOLD)
    assert providers["courses"].sum() == courses.height
    ranking = compute_jobcentre_ranking(demo_facts, filters, threshold=THRESHOLD)
    assert ranking.height == 98 and ranking["rank"].drop_nulls().len() > 0
    _no_small(ranking, "participations")
    code = ranking["municipality_code"][0]
    assert compute_comparable_municipalities(demo_facts, filters, code,
                                             threshold=THRESHOLD).height == 6
    trend = compute_jobcentre_trend(demo_facts, filters, code, threshold=THRESHOLD)
    assert set(trend["level"]) == {"municipality", "area", "country"}
    half_years = available_half_years(demo_facts)
    latest = half_years["half_year"][0]
    matrix = compute_balance_matrix(demo_facts, latest)
    assert matrix.height > 0 and set(matrix["status"]) <= {
        "Mangel", "Paradoks", "Gode jobmuligheder", "Mindre gode jobmuligheder"}
    assert compute_balance_changes(demo_facts, latest).height == matrix.height
    activity = compute_shortage_activity(demo_facts, filters, latest, threshold=THRESHOLD)
    assert activity.height > 0
    blind = compute_blind_spots(demo_facts, filters, latest, threshold=THRESHOLD)
    assert set(blind["occupation_code"]) <= set(activity["occupation_code"])
    targets = demo_facts.targets.filter(pl.col("year") == filters.period_to.year)
    if targets.height:
        first = targets.row(0, named=True)
        progress = compute_target_progress(demo_facts, str(first["area_scheme"]),
                                           first["area_code"], first["year"], threshold=THRESHOLD)
        assert progress.height > 0 and progress["actual_ytd"].is_not_null().any()
