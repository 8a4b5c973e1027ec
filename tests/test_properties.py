"""Property tests: over random small datasets, random filters and random thresholds, every
person count the core publishes has passed the cell-key perturbation.

Each output is compared with the same call at threshold 1 (protection off), which gives the true
values. Checked: no shown count is 1 … threshold − 1; no true 1 … threshold − 1 is shown as itself;
every shown count is within the p-table's maximum of its true value and a true zero stays zero;
a shown rate rests on shown parts; the same cell is the same number in every view.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures_builders import REFORM, People, balance_rows, course, monthly_unemployment, tables
from veu_metrics import geography
from veu_metrics.disclosure import MAX_NOISE
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.measures import (
    compute_area_table,
    compute_courses,
    compute_courses_by_provider,
    compute_focus_areas,
    compute_jobcentre_ranking,
    compute_kpis,
    compute_outcomes,
    compute_series,
    compute_shortage_activity,
    compute_target_progress,
)
from veu_metrics.schema import LABOUR_STATUSES

MUNICIPALITIES = [101, 147, 461, 479, 751, 825, 400]
OCCUPATIONS = ["532110", "741110", "711510", None]
MONTHS = pl.date_range(date(2023, 1, 1), date(2024, 12, 1), interval="1mo", eager=True).to_list()
PERSON_MEASURES = ["participations", "persons", "aarselever", "shortage_share", "completion_rate",
                   "employment_rate_3m", "jobcentre_uptake"]

# Modest by default (shared machines); VEU_PROPERTY_EXAMPLES=500 for a deeper search.
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("VEU_PROPERTY_EXAMPLES", "40")),
                             deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    p = People()
    courses, enrolments = [], []
    for i in range(draw(st.integers(1, 14))):
        start = draw(st.sampled_from(MONTHS)) + timedelta(days=draw(st.integers(0, 27)))
        courses.append(course(
            f"c{i}", start, start + timedelta(days=draw(st.integers(0, 70))),
            provider=draw(st.sampled_from(["P1", "P2", "P3"])),
            provider_municipality_code=draw(st.sampled_from(MUNICIPALITIES)),
            education_type=draw(st.sampled_from(["AMU", "EUV"])),
            occupation_code=draw(st.sampled_from(OCCUPATIONS)),
            focus_area=draw(st.sampled_from([None, "Sundhed og omsorg", "Grøn omstilling"])),
            job_veu=draw(st.booleans()),
            cancelled=draw(st.integers(0, 9)) == 0,
            course_days=float(draw(st.integers(1, 20))),
        ))
        for _ in range(draw(st.integers(0, 12))):
            enrolments += p.enrol(
                f"c{i}", [draw(st.integers(1, 30))],
                municipality_code=draw(st.sampled_from(MUNICIPALITIES)),
                labour_status=draw(st.sampled_from(LABOUR_STATUSES)),
                completed=draw(st.sampled_from([None, True, True, False])),
                employed_3m=draw(st.sampled_from([None, True, False])),
                employed_6m=draw(st.sampled_from([None, True, False])),
            )
    statuses = ["Mangel", "Paradoks", "Gode jobmuligheder", "Mindre gode jobmuligheder"]
    balance = []
    for half_year in ("2023H1", "2023H2", "2024H1", "2024H2"):
        for area in ("hovedstaden", "fyn", "oestjylland", "bornholm", "nordjylland"):
            balance += balance_rows(half_year, "rar", area, {
                occ: draw(st.sampled_from(statuses)) for occ in OCCUPATIONS if occ})
    unemployment = []
    for code in MUNICIPALITIES:
        full_time = float(draw(st.integers(0, 40)))
        unemployment += monthly_unemployment(code, MONTHS[0], MONTHS[-1], full_time,
                                             float(draw(st.integers(0, int(full_time)))))
    targets = [{"year": 2024, "area_scheme": "rar", "area_code": "fyn", "measure": measure,
                "focus_area": focus, "target": 10.0}
               for measure in ("participations", "persons", "completion_rate")
               for focus in (None, "Sundhed og omsorg", "Grøn omstilling")]
    return tables(courses, enrolments, balance, unemployment, targets)


@st.composite
def filter_sets(draw: st.DrawFn) -> Filters:
    first, last = sorted(draw(st.lists(st.sampled_from(MONTHS), min_size=2, max_size=2)))
    scheme = draw(st.sampled_from(["rar", "council", "municipality"]))
    if scheme == "municipality":
        choices = [str(c) for c in MUNICIPALITIES]
    else:
        choices = geography.areas(scheme)["area_code"].to_list()
    areas = tuple(draw(st.lists(st.sampled_from(choices), max_size=2, unique=True)))
    return Filters(
        period_from=first, period_to=last, scheme=scheme, areas=areas,
        education_types=tuple(draw(st.lists(st.sampled_from(["AMU", "EUV"]), max_size=1))),
        labour_status=tuple(draw(st.lists(st.sampled_from(LABOUR_STATUSES), max_size=2,
                                          unique=True))),
    )


# ------------------------------------------------------------------------------------ checks
def assert_no_small_counts(frame: pl.DataFrame, columns: list[str], threshold: int) -> None:
    for column in columns:
        small = frame.filter(pl.col(column).is_not_null() & (pl.col(column) > 0)
                             & (pl.col(column) < threshold))
        assert small.height == 0, f"{column} shows a small count:\n{small}"


def assert_protected(shown: pl.DataFrame, raw: pl.DataFrame, column: str, threshold: int) -> None:
    """Shown values of ``column`` against the true ones (row by row)."""
    assert shown.height == raw.height
    assert_no_small_counts(shown, [column], threshold)
    for value, hidden, true in zip(shown[column], shown[f"{column}_suppressed"], raw[column],
                                   strict=True):
        if true is None:
            continue
        if hidden:
            assert value is None
            continue
        assert abs(value - true) <= MAX_NOISE, f"{column}: {value} is too far from {true}"
        if true == 0:
            assert value == 0, f"{column}: a true zero became {value}"
        assert not (0 < true < threshold and value == true), f"{column}: a small count shown"


def aligned(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return frame.sort(keys, nulls_last=True)


# ------------------------------------------------------------------------------------- tests
@PROPERTY_SETTINGS
@given(data=datasets(), filters=filter_sets(), threshold=st.integers(2, 6),
       measure=st.sampled_from(PERSON_MEASURES),
       breakdown=st.sampled_from([None, "area", "education_type", "labour_status", "focus_area"]),
       grain=st.sampled_from(["month", "quarter", "year"]))
def test_kpis_series_and_area_tables(data, filters, threshold, measure, breakdown, grain):
    facts = prepare_facts(data, REFORM, covers_from=date(2023, 1, 1), covers_to=date(2024, 12, 31))

    kpis = compute_kpis(facts, filters, threshold, ["participations", "persons"])
    raw_kpis = compute_kpis(facts, filters, 1, ["participations", "persons"])
    for column in ("value", "value_national"):
        assert_protected(kpis, raw_kpis, column, threshold)

    if measure in ("participations", "persons"):
        series = compute_series(facts, filters, measure, threshold=threshold, grain=grain,
                                breakdown=breakdown)
        raw = compute_series(facts, filters, measure, threshold=1, grain=grain, breakdown=breakdown)
        assert_protected(series, raw, "value", threshold)
        if breakdown is None and grain == "year" and filters.period_from.year == filters.period_to.year:
            # One year, no breakdown: the series' one cell is the KPI's cell.
            kpi = kpis.filter(pl.col("measure") == measure).row(0, named=True)
            assert (series["value"][0], series["value_suppressed"][0]) == (
                kpi["value"], kpi["value_suppressed"])

    scheme = filters.scheme
    shown = aligned(compute_area_table(facts, filters, measure, scheme, threshold=threshold),
                    ["area_code"])
    raw = aligned(compute_area_table(facts, filters, measure, scheme, threshold=1), ["area_code"])
    if measure == "aarselever":
        # Årselever are not a count: they are hidden exactly where participations are.
        participations = aligned(compute_area_table(facts, filters, "participations", scheme,
                                                    threshold=threshold), ["area_code"])
        assert (shown["value_suppressed"] == participations["value_suppressed"]).all()
        return
    assert_protected(shown, raw, "numerator", threshold)
    # A shown rate rests on shown parts.
    visible = shown.filter(~pl.col("value_suppressed") & pl.col("value").is_not_null())
    assert not visible["numerator_suppressed"].any()
    if measure != "jobcentre_uptake":
        assert not visible["denominator_suppressed"].any()
        assert_no_small_counts(visible, ["numerator", "denominator"], threshold)


@PROPERTY_SETTINGS
@given(data=datasets(), filters=filter_sets(), threshold=st.integers(2, 6),
       by=st.sampled_from(["education_type", "funding", "labour_status", "shortage", "year"]))
def test_tables_of_groups_courses_and_municipalities(data, filters, threshold, by):
    facts = prepare_facts(data, REFORM, covers_from=date(2023, 1, 1), covers_to=date(2024, 12, 31))

    def both(function, keys, **kwargs):
        return (aligned(function(facts, filters, threshold=threshold, **kwargs), keys),
                aligned(function(facts, filters, threshold=1, **kwargs), keys))

    outcomes, raw = both(compute_outcomes, ["group"], by=by)
    for column in ("participations", "completed", "completion_known", "employed_3m",
                   "employment_3m_known", "employed_6m", "employment_6m_known"):
        assert_protected(outcomes, raw, column, threshold)

    courses, raw = both(compute_courses, ["course_id"])
    assert_protected(courses, raw, "participants", threshold)
    providers, raw_providers = both(compute_courses_by_provider, ["provider"])
    assert_protected(providers, raw_providers, "participants", threshold)

    focus, raw = both(compute_focus_areas, ["focus_area"])
    assert_protected(focus, raw, "participations", threshold)

    ranking, raw = both(compute_jobcentre_ranking, ["municipality_code"])
    assert_protected(ranking, raw, "participations", threshold)
    visible = ranking.filter(~pl.col("uptake_suppressed") & pl.col("uptake").is_not_null())
    assert_no_small_counts(visible, ["participations"], threshold)

    activity, raw = both(compute_shortage_activity, ["occupation_code"], half_year="2024H1")
    assert_protected(activity, raw, "participations", threshold)

    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=threshold)
    counts = progress.filter(pl.col("measure") != "completion_rate")
    assert_no_small_counts(counts, ["actual_ytd"], threshold)
