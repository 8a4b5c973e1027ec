"""Property tests: over random small datasets, random filters and random thresholds, no output of
the core shows a person count from 1 to threshold − 1, and no hidden cell can be rebuilt from the
totals published beside it (checked exactly, by linear algebra over the lines of each table).

Each output is compared with the same call at threshold 1 (no suppression), which gives the raw
values behind the hidden cells.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures_builders import REFORM, People, balance_rows, course, monthly_unemployment, tables
from veu_metrics import geography
from veu_metrics.disclosure import (
    constraint_matrix,
    determined_by_lines,
    line_groups,
    line_publication,
)
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
def _shown_small(frame: pl.DataFrame, column: str, threshold: int) -> pl.DataFrame:
    return frame.filter(pl.col(column).is_not_null() & (pl.col(column) > 0)
                        & (pl.col(column) < threshold))


def assert_no_small_counts(frame: pl.DataFrame, columns: list[str], threshold: int) -> None:
    for column in columns:
        small = _shown_small(frame, column, threshold)
        assert small.height == 0, f"{column} shows a small count:\n{small}"


def assert_not_rebuildable(shown: pl.DataFrame, raw: pl.DataFrame, column: str,
                           lines: list[tuple[str, ...]], threshold: int) -> None:
    """Every raw 1..t−1 cell is hidden, and no such cell follows from the line totals."""
    assert shown.height == raw.height
    values = raw[column].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    mask = shown[f"{column}_suppressed"].to_numpy()
    present = ~np.isnan(values)
    v = np.where(present, values, 0.0)
    primary = present & (v > 0) & (v < threshold)
    assert mask[primary].all(), f"{column}: a small count is not hidden"
    groups = [line_groups(raw, keys) for keys in lines]
    # A line total counts as published unless it is small or hidden where it is shown (the
    # coarser table protects it against the grand total; see disclosure.line_publication).
    published = line_publication(v, groups, threshold)
    for ids, shown in zip(groups, published, strict=True):
        hidden_n = np.bincount(ids, weights=mask.astype(float), minlength=len(shown))
        hidden_sum = np.bincount(ids, weights=v * mask, minlength=len(shown))
        sizes = np.bincount(ids, minlength=len(shown))
        weak = shown & (sizes > 1) & ((hidden_n == 1) | ((hidden_sum > 0) & (hidden_sum < threshold)))
        # A weak line is acceptable only if its hidden cells cannot be rebuilt (checked below)
        # because every cell of it is hidden.
        assert not (weak & (hidden_n < sizes)).any(), f"{column}: a weak line with shown cells"
    determined = determined_by_lines(constraint_matrix(v, mask, groups, threshold, published), mask)
    assert not (determined & primary).any(), f"{column}: a hidden small count can be rebuilt"


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
    assert_no_small_counts(kpis, ["value", "value_previous", "value_national",
                                  "value_national_previous"], threshold)

    if measure in ("participations", "persons"):
        series = compute_series(facts, filters, measure, threshold=threshold, grain=grain,
                                breakdown=breakdown)
        raw = compute_series(facts, filters, measure, threshold=1, grain=grain, breakdown=breakdown)
        assert_no_small_counts(series, ["value"], threshold)
        lines = [("period",), ("group",), ()] if breakdown else [()]
        assert_not_rebuildable(series, raw, "value", lines, threshold)

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
    assert_not_rebuildable(shown, raw, "numerator", [()], threshold)
    # A shown rate never rests on a small numerator or a small denominator.
    visible = raw.filter(~shown["value_suppressed"] & shown["value"].is_not_null())
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
        assert_not_rebuildable(outcomes, raw, column, [()], threshold)

    courses, raw = both(compute_courses, ["course_id"])
    assert_not_rebuildable(courses, raw, "participants", [("provider",), ()], threshold)
    providers, raw_providers = both(compute_courses_by_provider, ["provider"])
    assert_not_rebuildable(providers, raw_providers, "participants", [()], threshold)
    # The course list assumes exactly the provider totals the provider table shows.
    if raw.height:
        ids = line_groups(raw, ["provider"])
        values = raw["participants"].cast(pl.Float64).to_numpy()
        modelled = line_publication(values, [ids, np.zeros_like(ids)], threshold)[0]
        totals = np.bincount(ids, weights=values)
        shown_totals = ~providers["participants_suppressed"].to_numpy() & (totals >= threshold)
        assert (modelled == shown_totals).all()

    focus, raw = both(compute_focus_areas, ["focus_area"])
    assert_not_rebuildable(focus, raw, "participations", [()], threshold)

    ranking, raw = both(compute_jobcentre_ranking, ["municipality_code"])
    assert_not_rebuildable(ranking, raw, "participations", [()], threshold)
    visible = raw.filter(~ranking["uptake_suppressed"] & ranking["uptake"].is_not_null())
    assert_no_small_counts(visible, ["participations", "full_time_unemployed"], threshold)

    activity, raw = both(compute_shortage_activity, ["occupation_code"], half_year="2024H1")
    assert_not_rebuildable(activity, raw, "participations", [()], threshold)

    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=threshold)
    counts = progress.filter(pl.col("measure") != "completion_rate")
    assert_no_small_counts(counts, ["actual_ytd"], threshold)
