"""Measures on a small hand-made dataset with hand-computed answers.

The scenario (2024 unless said otherwise; Odense 461 and Svendborg 479 are in RAR Fyn,
København 101 in RAR Hovedstaden):

- course A: held in Odense, Mar 2024, 5 days, Job-VEU, SSA (532110, Mangel in Fyn 2024H1),
  focus Sundhed og omsorg, AMU. Persons 1–6 from Odense, 7–8 from København (8 participations).
  Persons 1–4 insured unemployed (employed after 3m: 1, 2, 3; after 6m: 1, 2).
  Completed: 1–5 yes, 6 no, 7–8 unknown.
- course B: held in København, Mar–Apr 2024, 15 days, SSA (Gode jobmuligheder in Hovedstaden),
  EUV. Person 1 (Odense) and 9–12 (København): 5 participations, all completed.
- course C: Odense, May 2024, cancelled (persons 13, 14 never count).
- course D: Svendborg, May 2024, 2 days, no occupation, AMU, focus Grøn omstilling.
  Persons 15–20 from Svendborg, other unemployed, employed after 3m: 15, 16. Completed 15–18.
- course E: Odense, Jun 2023, 2 days: persons 21–30 from Odense (last year's comparison).

Hand-computed for 2024, whole country: 3 courses started (1 Job-VEU), 19 participations,
18 persons, årselever (8·5 + 5·15 + 6·2)/200 = 0.635, shortage 8/19, completion 14/15,
employment 3m 5/10. RAR Fyn: 2 courses, 13 participations, 12 persons, årselever 57/200,
shortage 6/13, completion 10/11, uptake 10 per 1,500 unemployed.

The computations are checked with the protection off (threshold 1, ``RAW``): the perturbation
itself is tested in test_disclosure.py, test_properties.py and test_attacks.py. The tests under
"protection" check that each measure hands its cells to it.
"""

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from measures_builders import (
    FYN,
    REFORM,
    YEAR,
    People,
    balance_rows,
    course,
    monthly_unemployment,
    tables,
)
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.measures import (
    MeasureError,
    compute_area_table,
    compute_courses,
    compute_courses_by_provider,
    compute_focus_areas,
    compute_kpis,
    compute_measure_value,
    compute_outcomes,
    compute_series,
)


def scenario() -> dict[str, pl.DataFrame]:
    p = People()
    ssa = "532110"
    courses = [
        course("A", date(2024, 3, 4), date(2024, 3, 8), course_days=5.0, job_veu=True,
               occupation_code=ssa, industry_group="Sundhed, omsorg og pleje",
               focus_area="Sundhed og omsorg", funding="Regional uddannelsespulje",
               provider="Odense Skole", themes=["digitalisering"]),
        course("B", date(2024, 3, 20), date(2024, 4, 10), course_days=15.0, education_type="EUV",
               occupation_code=ssa, industry_group="Sundhed, omsorg og pleje",
               provider_municipality_code=101, provider="KBH Skole"),
        course("C", date(2024, 5, 2), date(2024, 5, 3), cancelled=True),
        course("D", date(2024, 5, 6), date(2024, 5, 7), course_days=2.0,
               provider_municipality_code=479, provider="Odense Skole",
               focus_area="Grøn omstilling"),
        course("E", date(2023, 6, 1), date(2023, 6, 2), course_days=2.0),
    ]
    enrolments = [
        *p.enrol("A", [1, 2], labour_status="Forsikret ledig", completed=True,
                 employed_3m=True, employed_6m=True),
        *p.enrol("A", [3], labour_status="Forsikret ledig", completed=True, employed_3m=True),
        *p.enrol("A", [4], labour_status="Forsikret ledig", completed=True, employed_3m=False),
        *p.enrol("A", [5], completed=True, employed_3m=True),  # employed: not in employment rates
        *p.enrol("A", [6], completed=False),
        *p.enrol("A", [7, 8], municipality_code=101),
        *p.enrol("B", [1], completed=True),
        *p.enrol("B", [9, 10, 11, 12], municipality_code=101, completed=True),
        *p.enrol("C", [13, 14]),
        *p.enrol("D", [15, 16], municipality_code=479, labour_status="Øvrig ledig",
                 completed=True, employed_3m=True),
        *p.enrol("D", [17, 18], municipality_code=479, labour_status="Øvrig ledig",
                 completed=True, employed_3m=False),
        *p.enrol("D", [19, 20], municipality_code=479, labour_status="Øvrig ledig",
                 employed_3m=False),
        *p.enrol("E", list(range(21, 31))),
    ]
    balance = [
        *balance_rows("2024H1", "rar", "fyn", {ssa: "Mangel"}),
        *balance_rows("2024H1", "rar", "hovedstaden", {ssa: "Gode jobmuligheder"}),
    ]
    unemployment = [
        *monthly_unemployment(461, date(2023, 1, 1), date(2024, 12, 1), 1000.0, 600.0),
        *monthly_unemployment(479, date(2023, 1, 1), date(2024, 12, 1), 500.0, 200.0),
        *monthly_unemployment(101, date(2023, 1, 1), date(2024, 12, 1), 2000.0, 1000.0),
    ]
    return tables(courses, enrolments, balance, unemployment)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), REFORM, covers_from=date(2023, 1, 1),
                         covers_to=date(2024, 12, 31))


RAW = 1
"""Threshold 1: disclosure control off, the true values."""


def value(facts, filters, measure, threshold=RAW):
    return compute_measure_value(facts, filters, measure, threshold=threshold)


# ---------------------------------------------------------------------------------------- KPIs
@pytest.mark.parametrize(
    ("measure", "national", "fyn"),
    [
        ("courses_started", 3, 2),
        ("job_veu_courses", 1, 1),
        ("job_veu_share", 1 / 3, 1 / 2),
        ("participations", 19, 13),
        ("persons", 18, 12),
        ("aarselever", 127 / 200, 57 / 200),
        ("shortage_share", 8 / 19, 6 / 13),
        ("completion_rate", 14 / 15, 10 / 11),
        ("employment_rate_3m", 5 / 10, 5 / 10),
        ("jobcentre_uptake", 10 / 3500 * 1000, 10 / 1500 * 1000),
    ],
)
def test_each_measure_nationally_and_for_one_area(facts, measure, national, fyn):
    assert value(facts, YEAR, measure) == (pytest.approx(national), False)
    assert value(facts, FYN, measure) == (pytest.approx(fyn), False)


def test_kpis_compare_with_last_year_and_the_country(facts):
    kpis = compute_kpis(facts, FYN, RAW, ["participations", "completion_rate"])
    row = kpis.row(0, named=True)
    assert row["measure"] == "participations"
    assert (row["value"], row["value_previous"], row["value_national"],
            row["value_national_previous"]) == (13, 10, 19, 10)
    assert row["change"] == 3 and row["change_pct"] == pytest.approx(0.3)
    assert not any(row[c] for c in kpis.columns if c.endswith("_suppressed"))
    assert row["previous_available"]
    completion = kpis.row(1, named=True)
    assert completion["value"] == pytest.approx(10 / 11)
    assert completion["value_previous"] is None  # no known outcome in 2023: no value, not hidden
    assert not completion["value_previous_suppressed"]
    assert completion["change"] is None and completion["change_pct"] is None


def test_kpis_without_data_a_year_back(facts):
    early = Filters(period_from=date(2023, 1, 1), period_to=date(2023, 12, 1))
    row = compute_kpis(facts, early, RAW, ["participations"]).row(0, named=True)
    assert row["value"] == 10
    assert row["value_previous"] is None and not row["previous_available"]


def test_attribute_filters(facts):
    amu = YEAR.with_changes(education_types=("AMU",))
    assert value(facts, amu, "participations") == (14, False)  # A 8 + D 6
    insured = YEAR.with_changes(labour_status=("Forsikret ledig",))
    assert value(facts, insured, "participations", threshold=1) == (4, False)
    # A labour-status filter does not restrict course counts.
    assert value(facts, insured, "courses_started") == (3, False)
    assert value(facts, YEAR.with_changes(job_veu_only=True), "participations") == (8, False)
    assert value(facts, YEAR.with_changes(themes=("digitalisering",)), "participations") == (8, False)
    assert value(facts, YEAR.with_changes(balance_status=("Mangel",)), "participations") == (8, False)
    assert value(facts, YEAR.with_changes(occupations=("532110",)), "participations") == (13, False)
    assert value(facts, YEAR.with_changes(focus_areas=("Grøn omstilling",)), "persons") == (6, False)
    assert value(facts, YEAR.with_changes(funding=("Regional uddannelsespulje",)),
                 "courses_started") == (1, False)
    assert value(facts, YEAR.with_changes(industry_groups=("Sundhed, omsorg og pleje",)),
                 "courses_started") == (2, False)


def test_empty_filter_result(facts):
    nothing = YEAR.with_changes(education_types=("Diplom",))
    kpis = compute_kpis(facts, nothing, RAW, ["participations", "completion_rate", "aarselever"])
    assert kpis["value"].to_list() == [0, None, 0.0]
    assert not kpis["value_suppressed"].any()
    series = compute_series(facts, nothing, "participations", threshold=RAW, grain="quarter")
    assert series["value"].to_list() == [0, 0, 0, 0]
    assert compute_series(facts, nothing, "participations", threshold=RAW,
                          breakdown="education_type").height == 0
    assert compute_area_table(facts, nothing, "participations", "rar", threshold=RAW)[
        "value"].to_list() == [0] * 8
    assert compute_focus_areas(facts, nothing, threshold=RAW).height == 0
    assert compute_outcomes(facts, nothing, threshold=RAW).height == 0
    assert compute_courses(facts, nothing, threshold=RAW).height == 0


# -------------------------------------------------------------------------------------- series
def test_monthly_series_has_every_month_and_zero_for_months_without_data(facts):
    series = compute_series(facts, YEAR, "participations", threshold=RAW)
    expected = pl.DataFrame({
        "period": pl.date_range(date(2024, 1, 1), date(2024, 12, 1), interval="1mo", eager=True),
        "group": pl.Series([None] * 12, dtype=pl.String),
        "value": [0, 0, 13, 0, 6, 0, 0, 0, 0, 0, 0, 0],
        "value_suppressed": [False] * 12,
    })
    assert_frame_equal(series, expected)


def test_series_by_quarter_year_and_end_month(facts):
    two_years = Filters(period_from=date(2023, 1, 1), period_to=date(2024, 12, 1))
    quarters = compute_series(facts, two_years, "participations", threshold=RAW, grain="quarter")
    assert quarters["value"].to_list() == [0, 10, 0, 0, 13, 6, 0, 0]
    years = compute_series(facts, two_years, "courses_started", threshold=RAW, grain="year")
    assert years.select("period", "value").rows() == [(date(2023, 1, 1), 1), (date(2024, 1, 1), 3)]
    # Completion counts by the course's END month: B ends in April.
    completion = compute_series(facts, YEAR, "completion_rate", threshold=1, grain="month")
    by_month = dict(completion.select("period", "value").rows())
    assert by_month[date(2024, 3, 1)] == pytest.approx(5 / 6)
    assert by_month[date(2024, 4, 1)] == pytest.approx(1.0)
    assert by_month[date(2024, 5, 1)] == pytest.approx(1.0)
    assert by_month[date(2024, 1, 1)] is None


def test_end_month_measures_reach_back_to_the_longest_course(facts):
    # Course B starts in March and ends in April: April's completion includes it.
    assert facts.max_course_months == 1
    april = Filters(period_from=date(2024, 4, 1), period_to=date(2024, 4, 1))
    assert value(facts, april, "completion_rate", threshold=1) == (1.0, False)
    kpis = compute_kpis(facts, april, 1, ["completion_rate"])
    assert kpis["value"][0] == 1.0


def test_series_with_breakdown(facts):
    series = compute_series(facts, YEAR, "participations", threshold=RAW, grain="year",
                            breakdown="education_type")
    assert series.select("group", "value").rows() == [("AMU", 14), ("EUV", 5)]
    areas = compute_series(facts, YEAR, "participations", threshold=RAW, grain="year",
                           breakdown="area")
    assert len(areas) == 8
    assert dict(areas.select("group", "value").rows())["fyn"] == 13
    focus = compute_series(facts, YEAR, "participations", threshold=RAW, grain="year",
                           breakdown="focus_area")
    # Courses without a focus area form the null group, so that the groups add up.
    assert focus.select("group", "value").rows() == [
        ("Sundhed og omsorg", 8), ("Grøn omstilling", 6), (None, 5)]


def test_breakdown_not_available_for_courses(facts):
    with pytest.raises(MeasureError, match="counts courses"):
        compute_series(facts, YEAR, "courses_started", threshold=RAW, breakdown="labour_status")
    with pytest.raises(MeasureError, match="unknown grain"):
        compute_series(facts, YEAR, "participations", threshold=RAW, grain="week")
    with pytest.raises(MeasureError, match="unknown measure"):
        compute_series(facts, YEAR, "happiness", threshold=RAW)


# ---------------------------------------------------------------------------------- area table
def test_area_table_has_every_area_with_parts(facts):
    table = compute_area_table(facts, YEAR, "shortage_share", "rar", threshold=RAW)
    assert table.height == 8
    fyn = table.filter(pl.col("area_code") == "fyn").row(0, named=True)
    assert fyn["area_name"] == "RAR Fyn"
    assert (fyn["numerator"], fyn["denominator"]) == (6, 13)
    assert fyn["value"] == pytest.approx(6 / 13)
    assert table.filter(pl.col("area_code") == "bornholm")["value"][0] is None  # no participations
    assert not table["selected"].any()


def test_focus_areas(facts):
    focus = compute_focus_areas(facts, YEAR, threshold=RAW)
    assert focus.select("focus_area", "participations").rows() == [
        ("Sundhed og omsorg", 8), ("Grøn omstilling", 6), (None, 5)]
    assert focus["share"].to_list() == pytest.approx([8 / 19, 6 / 19, 5 / 19])
    assert compute_focus_areas(facts, YEAR, threshold=RAW, top=1).height == 1


def test_outcomes_by_labour_status(facts):
    out = compute_outcomes(facts, YEAR, threshold=1, by="labour_status")
    rows = {r["group"]: r for r in out.iter_rows(named=True)}
    assert list(rows) == ["Forsikret ledig", "Øvrig ledig", "Beskæftiget"]
    insured = rows["Forsikret ledig"]
    assert (insured["participations"], insured["completed"], insured["completion_known"]) == (4, 4, 4)
    assert (insured["employed_3m"], insured["employment_3m_known"]) == (3, 4)
    assert insured["employment_rate_6m"] == pytest.approx(1.0)
    employed = rows["Beskæftiget"]
    assert employed["employment_rate_3m"] is None and not employed["employment_rate_3m_suppressed"]
    assert employed["completion_rate"] == pytest.approx(6 / 7)


def test_outcomes_suppressed_and_by_shortage(facts):
    out = compute_outcomes(facts, YEAR, threshold=RAW, by="shortage")
    assert out["group"].to_list() == ["shortage", "other"]
    shortage = out.row(0, named=True)
    # Course A: 8 participations, completed 5 of 6 known.
    assert (shortage["participations"], shortage["completion_known"]) == (8, 6)
    assert shortage["completed"] == 5 and shortage["completion_rate"] == pytest.approx(5 / 6)
    # Employment 6m: persons 1 and 2, both in course A (shortage), both employed.
    assert out["employment_rate_6m"].to_list() == [1.0, None]
    with pytest.raises(MeasureError, match="unknown outcome grouping"):
        compute_outcomes(facts, YEAR, threshold=RAW, by="colour")


# ------------------------------------------------------------------------------------- courses
def test_course_list(facts):
    courses = compute_courses(facts, YEAR, threshold=RAW)
    assert courses["course_id"].to_list() == ["D", "B", "A"]  # newest first, cancelled left out
    a = courses.filter(pl.col("course_id") == "A").row(0, named=True)
    assert (a["place"], a["participants"], a["occupation_title_da"]) == (
        "Odense", 8, "Social- og sundhedsassistent")
    assert compute_courses(facts, YEAR, threshold=RAW, include_cancelled=True).height == 4
    assert compute_courses(facts, YEAR, threshold=RAW, search="sundhedsassistent")[
        "course_id"].to_list() == ["B", "A"]
    assert compute_courses(facts, YEAR, threshold=RAW, search="SVENDBORG")["course_id"].to_list() == ["D"]
    assert compute_courses(facts, FYN, threshold=RAW, limit=1)["course_id"].to_list() == ["D"]


def test_area_table_selection_and_municipalities(facts):
    table = compute_area_table(facts, FYN, "participations", "rar", threshold=RAW)
    assert table.filter(pl.col("selected"))["area_code"].to_list() == ["fyn"]
    municipalities = compute_area_table(facts, FYN, "participations", "municipality", threshold=RAW)
    assert municipalities.height == 10  # RAR Fyn's 10 municipalities only
    assert dict(municipalities.select("area_code", "value").rows())["461"] == 7
    assert dict(municipalities.select("area_code", "value").rows())["479"] == 6
    courses = compute_area_table(facts, YEAR, "courses_started", "council", threshold=5)
    assert dict(courses.select("area_code", "value").rows()) == {
        "nordjylland": 0, "midtjylland": 0, "syddanmark": 2, "hovedstaden": 1, "sjaelland": 0}


def test_courses_by_provider(facts):
    shown = compute_courses_by_provider(facts, YEAR, threshold=RAW)
    assert shown.select("provider", "courses", "participants", "places").rows() == [
        ("Odense Skole", 2, 14, "Odense, Svendborg"), ("KBH Skole", 1, 5, "København")]
    assert shown["first_start"].to_list() == [date(2024, 3, 4), date(2024, 3, 20)]


# ---------------------------------------------------------------------------------- protection
def shown_counts_ok(frame: pl.DataFrame, threshold: int) -> bool:
    """No shown value of a protected whole-number column lies in 1 … threshold − 1."""
    for flag in [c for c in frame.columns if c.endswith("_suppressed")]:
        column = flag.removesuffix("_suppressed")
        if column in frame.columns and frame.schema[column].is_integer():
            values = frame[column].drop_nulls()
            if ((values > 0) & (values < threshold)).any():
                return False
    return True


def test_small_person_counts_are_perturbed_or_hidden_but_course_counts_are_not(facts):
    hovedstaden = YEAR.with_changes(areas=("hovedstaden",))
    # Participations in Hovedstaden: 6, so with threshold 7 never published as 1–6 … 6 itself.
    shown, hidden = value(facts, hovedstaden, "participations", threshold=7)
    assert hidden or shown == 0 or shown >= 7
    aarselever, hidden_days = value(facts, hovedstaden, "aarselever", threshold=7)
    assert hidden_days == hidden  # the magnitude follows its count
    assert value(facts, hovedstaden, "courses_started", threshold=7) == (1, False)


def test_a_rate_follows_its_published_parts(facts):
    table = compute_area_table(facts, YEAR, "shortage_share", "rar", threshold=5)
    for row in table.iter_rows(named=True):
        if row["value"] is None or row["value_suppressed"]:
            continue
        assert not row["numerator_suppressed"] and not row["denominator_suppressed"]
        assert row["value"] == pytest.approx(min(row["numerator"] / row["denominator"], 1.0),
                                             abs=5e-4)
        assert row["value"] == round(row["value"], 3)  # at the precision shown (0.1 %)
    assert shown_counts_ok(table, 5)


def test_every_view_of_the_same_cell_gives_the_same_number(facts):
    """The KPI, the area table, the series total and the focus-area total count the same
    records, so they publish the same perturbed value."""
    for threshold in (5, 7, 11):
        kpi = value(facts, FYN, "participations", threshold=threshold)
        area = compute_area_table(facts, YEAR, "participations", "rar", threshold=threshold)
        fyn = area.filter(pl.col("area_code") == "fyn").row(0, named=True)
        assert (fyn["value"], fyn["value_suppressed"]) == kpi
        year = compute_series(facts, FYN, "participations", threshold=threshold, grain="year")
        assert (year["value"][0], year["value_suppressed"][0]) == kpi
        national = value(facts, YEAR, "participations", threshold=threshold)
        by_area = compute_series(facts, YEAR, "participations", threshold=threshold, grain="year",
                                 breakdown="area")
        fyn_group = by_area.filter(pl.col("group") == "fyn").row(0, named=True)
        assert (fyn_group["value"], fyn_group["value_suppressed"]) == kpi
        focus = compute_focus_areas(facts, YEAR, threshold=threshold)
        shown = focus.filter(~pl.col("participations_suppressed"))
        if national[0]:
            assert shown["share"].to_list() == pytest.approx(
                [round(v / national[0], 3) for v in shown["participations"]], abs=1e-9)


def test_protected_views_show_no_small_counts(facts):
    for threshold in (5, 7):
        assert shown_counts_ok(compute_courses(facts, YEAR, threshold=threshold), threshold)
        assert shown_counts_ok(compute_courses_by_provider(facts, YEAR, threshold=threshold),
                               threshold)
        assert shown_counts_ok(compute_outcomes(facts, YEAR, threshold=threshold), threshold)
        assert shown_counts_ok(compute_series(facts, YEAR, "participations", threshold=threshold,
                                              breakdown="education_type"), threshold)
        kpis = compute_kpis(facts, FYN, threshold)
        assert kpis.filter(pl.col("measure") == "courses_started")["value"][0] == 2
