"""The Data page's full tables on a small hand-made dataset with hand-computed answers.

Scenario (RAR scheme; Odense 461 and Svendborg 479 are in RAR Fyn, København 101 in
RAR Hovedstaden):

- course A: Odense, 4 Mar 2024, 5 days, occupation 532110 (Mangel in Fyn 2024H1), Job-VEU.
  Persons 1–6 from Odense, 7–8 from København. Completed: 1–5 yes, 6 no.
- course B: København, 20 Mar – 10 Apr 2024, 15 days. Persons 1 (Odense) and 9–12 (København).
- course C: Odense, 2 May 2024, cancelled (persons 13–14 never count).
- course D: Svendborg, 6 May 2024, 2 days: persons 15–20 from Svendborg.

March–May 2024 by RAR area, by start month:
  courses started  Mar: Fyn 1, Hovedstaden 1;   May: Fyn 1
  participations   Mar: Fyn 7 (A 1–6, B 1), Hovedstaden 6 (A 7–8, B 9–12);   May: Fyn 6
  persons          Mar: Fyn 6 (person 1 twice), Hovedstaden 6;   May: Fyn 6
  årselever        Mar Fyn (6·5 + 15)/200 = 0.225, Mar Hovedstaden (2·5 + 4·15)/200 = 0.35,
                   May Fyn 6·2/200 = 0.06
  shortage share   Mar Fyn 6/7 (A's Odense participants), Mar Hovedstaden 2/6 (A's København
                   participants: A is held in Fyn, where 532110 is Mangel)
"""

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from measures_builders import REFORM, People, balance_rows, course, tables
from veu_metrics.catalogue import load_catalogue
from veu_metrics.dataset import Dataset
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.i18n import t
from veu_metrics.schema import EDUCATION_TYPES, NULLABLE, TABLES
from veu_metrics.tables import (
    OUTCOME_MEASURES,
    compute_area_month_table,
    compute_balance_table,
    compute_data_dictionary,
    compute_empty_months,
    compute_measure_definitions,
    compute_null_counts,
    compute_table_summary,
    select_enrolments,
    type_name,
)

SPRING = Filters(period_from=date(2024, 3, 1), period_to=date(2024, 5, 1), scheme="rar")
SSA = "532110"


def scenario() -> dict[str, pl.DataFrame]:
    p = People()
    courses = [
        course("A", date(2024, 3, 4), date(2024, 3, 8), course_days=5.0, job_veu=True,
               occupation_code=SSA, industry_group="Sundhed, omsorg og pleje"),
        course("B", date(2024, 3, 20), date(2024, 4, 10), course_days=15.0,
               provider_municipality_code=101),
        course("C", date(2024, 5, 2), date(2024, 5, 3), cancelled=True),
        course("D", date(2024, 5, 6), date(2024, 5, 7), course_days=2.0,
               provider_municipality_code=479),
    ]
    enrolments = (
        p.enrol("A", [1, 2, 3, 4, 5], completed=True)
        + p.enrol("A", [6], completed=False)
        + p.enrol("A", [7, 8], municipality_code=101)
        + p.enrol("B", [1])
        + p.enrol("B", [9, 10, 11, 12], municipality_code=101)
        + p.enrol("C", [13, 14])
        + p.enrol("D", [15, 16, 17, 18, 19, 20], municipality_code=479)
    )
    balance = (balance_rows("2024H1", "rar", "fyn", {SSA: "Mangel"})
               + balance_rows("2024H1", "rar", "hovedstaden", {SSA: "Gode jobmuligheder"})
               + balance_rows("2023H2", "rar", "fyn", {SSA: "Paradoks"})
               + balance_rows("2025H1", "council", "syddanmark", {SSA: "Mangel"}))
    return tables(courses, enrolments, balance)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), reform_date=REFORM, covers_from=date(2024, 1, 1),
                         covers_to=date(2024, 12, 31))


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    frames = scenario()
    metadata = {"covers_from": "2024-01-01", "covers_to": "2024-07-31"}
    return Dataset(path=Path("."), tables={k: v.lazy() for k, v in frames.items()},
                   metadata=metadata, version="test")


def _cell(frame: pl.DataFrame, month: date, area: str, column: str):
    row = frame.filter((pl.col("month") == month) & (pl.col("area_code") == area))
    assert row.height == 1
    return row[column][0]


# ------------------------------------------------------------------------ month × area table
def test_area_month_table_has_every_month_and_area(facts):
    table = compute_area_month_table(facts, SPRING, threshold=1)
    assert table.height == 3 * 8  # March–May × the 8 RAR areas
    assert table["month"].unique().sort().to_list() == [date(2024, 3, 1), date(2024, 4, 1),
                                                         date(2024, 5, 1)]
    assert table.columns[:3] == ["month", "area_code", "area_name"]
    assert _cell(table, date(2024, 3, 1), "fyn", "area_name") == "RAR Fyn"


def test_area_month_table_counts_by_hand(facts):
    table = compute_area_month_table(facts, SPRING, threshold=1)
    march, april, may = date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)
    expected = {
        (march, "fyn"): (1, 7, 6, 0.225, 1, 6, 7),
        (march, "hovedstaden"): (1, 6, 6, 0.35, 0, 2, 6),
        (april, "fyn"): (0, 0, 0, 0.0, 0, 0, 0),
        (may, "fyn"): (1, 6, 6, 0.06, 0, 0, 6),
    }
    columns = ("courses_started", "participations", "persons", "aarselever", "job_veu_courses",
               "shortage_share_numerator", "shortage_share_denominator")
    for (month, area), values in expected.items():
        found = tuple(_cell(table, month, area, c) for c in columns)
        assert found[:3] == values[:3]
        assert found[3] == pytest.approx(values[3])
        assert found[4:] == values[4:]
    assert _cell(table, march, "fyn", "shortage_share") == round(6 / 7, 6)
    assert _cell(table, march, "hovedstaden", "shortage_share") == pytest.approx(2 / 6)
    assert _cell(table, april, "fyn", "shortage_share") is None  # no participations: no share
    assert not table["participations_suppressed"].any()


def test_area_month_table_only_selected_areas(facts):
    table = compute_area_month_table(facts, SPRING.with_changes(areas=("fyn",)), threshold=1)
    assert table["area_code"].unique().to_list() == ["fyn"]
    assert table["participations"].to_list() == [7, 0, 6]


def test_area_month_table_by_municipality(facts):
    filters = SPRING.with_changes(scheme="municipality", areas=("461", "479"))
    table = compute_area_month_table(facts, filters, threshold=1,
                                     measures=("participations", "courses_started"))
    # Odense residents: A 1–6 and B 1 in March; Svendborg residents: D in May.
    assert table.select("month", "area_code", "participations", "courses_started").to_dicts() == [
        {"month": date(2024, 3, 1), "area_code": "461", "participations": 7, "courses_started": 1},
        {"month": date(2024, 3, 1), "area_code": "479", "participations": 0, "courses_started": 0},
        {"month": date(2024, 4, 1), "area_code": "461", "participations": 0, "courses_started": 0},
        {"month": date(2024, 4, 1), "area_code": "479", "participations": 0, "courses_started": 0},
        {"month": date(2024, 5, 1), "area_code": "461", "participations": 0, "courses_started": 0},
        {"month": date(2024, 5, 1), "area_code": "479", "participations": 6, "courses_started": 1},
    ]


def test_area_month_table_protects_small_counts(facts):
    table = compute_area_month_table(facts, SPRING, threshold=7)
    # 6 participations (Mar Hovedstaden, May Fyn) are under the threshold of 7: never shown as 6
    # (published values are perturbed; 1–6 shown as the marker).
    for month, area in ((date(2024, 3, 1), "hovedstaden"), (date(2024, 5, 1), "fyn")):
        shown = _cell(table, month, area, "participations")
        assert shown is None or shown == 0 or shown >= 7
    hidden = table.filter(pl.col("participations_suppressed"))
    assert hidden["participations"].null_count() == hidden.height  # never a number behind the flag
    shown = table["participations"].drop_nulls()
    assert not ((shown > 0) & (shown < 7)).any()
    # Course counts are not person counts: never perturbed.
    assert not table["courses_started_suppressed"].any()
    assert _cell(table, date(2024, 3, 1), "hovedstaden", "courses_started") == 1


def test_area_month_table_outcomes_by_end_month(facts):
    table = compute_area_month_table(facts, SPRING.with_changes(areas=("fyn",)), threshold=1,
                                     measures=OUTCOME_MEASURES)
    # Course A ends in March: 5 of the 6 Odense participants with a known outcome completed.
    march = table.filter(pl.col("month") == date(2024, 3, 1))
    assert march["completion_rate_numerator"][0] == 5
    assert march["completion_rate_denominator"][0] == 6
    assert march["completion_rate"][0] == pytest.approx(5 / 6)
    assert march["employment_rate_3m_denominator"][0] == 0  # nobody was unemployed


def test_area_month_table_refuses_mixed_period_bases(facts):
    with pytest.raises(ValueError, match="start-month and end-month"):
        compute_area_month_table(facts, SPRING, threshold=1,
                                 measures=("participations", "completion_rate"))


# -------------------------------------------------------------------------------------- balance
def test_balance_table_takes_the_half_years_of_the_period(facts):
    table = compute_balance_table(facts, SPRING)
    assert table["half_year"].unique().to_list() == ["2024H1"]
    assert sorted(zip(table["area_code"], table["status"], strict=True)) == [
        ("fyn", "Mangel"), ("hovedstaden", "Gode jobmuligheder")]
    assert table.columns[:3] == ["half_year", "area_scheme", "occupation_code"]


def test_balance_table_spans_half_years_and_schemes(facts):
    year = Filters(period_from=date(2023, 10, 1), period_to=date(2025, 2, 1), scheme="rar")
    table = compute_balance_table(facts, year)
    assert table.select("half_year", "area_scheme").unique(maintain_order=True).rows() == [
        ("2023H2", "rar"), ("2024H1", "rar"), ("2025H1", "council")]


def test_balance_table_keeps_areas_overlapping_the_selection(facts):
    table = compute_balance_table(facts, SPRING.with_changes(areas=("fyn",)))
    assert table["area_code"].to_list() == ["fyn"]
    odense = SPRING.with_changes(scheme="municipality", areas=("461",))
    assert compute_balance_table(facts, odense)["area_code"].to_list() == ["fyn"]


def test_balance_table_empty_outside_published_half_years(facts):
    table = compute_balance_table(facts, Filters(period_from=date(2020, 1, 1),
                                                 period_to=date(2020, 3, 1)))
    assert table.height == 0
    assert "status" in table.columns and "half_year" in table.columns


# ---------------------------------------------------------------------- dictionary, definitions
def test_data_dictionary_covers_every_column_in_both_languages():
    for lang in ("da", "en"):
        dictionary = compute_data_dictionary(lang)
        assert dictionary.height == sum(len(columns) for columns in TABLES.values())
        assert dictionary.filter(pl.col("description").str.len_chars() == 0).height == 0
    danish = compute_data_dictionary("da")
    english = compute_data_dictionary("en")
    assert (danish["description"] != english["description"]).sum() > 30
    row = danish.filter((pl.col("table") == "courses") & (pl.col("column") == "education_type"))
    assert row["type"][0] == "Enum"
    assert row["allowed"][0] == ", ".join(EDUCATION_TYPES)
    nullable = danish.filter(pl.col("nullable")).select("table", "column").rows()
    assert sorted(nullable) == sorted((tb, c) for tb, cols in NULLABLE.items() for c in cols)
    keys = danish.filter(pl.col("key")).filter(pl.col("table") == "unemployment")["column"]
    assert keys.to_list() == ["month", "municipality_code"]


def test_type_names_are_short():
    assert type_name(TABLES["courses"]["themes"]) == "List[Enum]"
    assert type_name(pl.Int16()) == "Int16"
    assert type_name(pl.Date()) == "Date"


def test_measure_definitions_follow_the_catalogue():
    catalogue = load_catalogue()
    for lang in ("da", "en"):
        table = compute_measure_definitions(lang)
        assert table["measure"].to_list() == list(catalogue)
        first = catalogue[table["measure"][0]]
        assert table["title"][0] == first.title(lang)
        assert table["definition"][0] == first.definition(lang)
        assert table["source"][0] == first.source(lang)
    completion = compute_measure_definitions("en").filter(pl.col("measure") == "completion_rate")
    assert completion["period_basis"][0] == t("data.basis.end", "en")


# ------------------------------------------------------------------------------- data quality
def test_table_summary_counts_rows_and_dates(dataset):
    summary = compute_table_summary(dataset)
    assert summary["table"].to_list() == list(TABLES)
    rows = dict(zip(summary["table"], summary["rows"], strict=True))
    assert rows == {"courses": 4, "enrolments": 21, "balance": 4, "unemployment": 0, "targets": 0,
                    "conditions": 0}
    courses = summary.filter(pl.col("table") == "courses").row(0, named=True)
    assert (courses["first"], courses["last"]) == (date(2024, 3, 4), date(2024, 5, 6))


def test_null_counts_of_nullable_columns(dataset):
    nulls = compute_null_counts(dataset)
    assert set(zip(nulls["table"], nulls["column"], strict=True)) == {
        (tb, c) for tb, cols in NULLABLE.items() for c in cols}
    completed = nulls.filter(pl.col("column") == "completed").row(0, named=True)
    # 6 of 21 enrolments have an outcome (course A's Odense participants).
    assert (completed["rows"], completed["nulls"]) == (21, 15)
    assert completed["null_share"] == pytest.approx(15 / 21)
    occupation = nulls.filter(pl.col("column") == "occupation_code").row(0, named=True)
    assert occupation["nulls"] == 3
    empty = nulls.filter(pl.col("table") == "unemployment").row(0, named=True)
    assert empty["rows"] == 0 and empty["null_share"] is None


def test_empty_months_are_the_months_without_a_course_start(dataset):
    # Covered Jan–Jul 2024; courses (not cancelled) start in March and May only.
    months = compute_empty_months(dataset)["month"].to_list()
    assert months == [date(2024, m, 1) for m in (1, 2, 4, 6, 7)]


def test_select_enrolments_by_period_area_and_status(dataset):
    everyone = select_enrolments(dataset, SPRING).collect()
    # Cancelled course C still has enrolments: person-level data are the raw rows.
    assert everyone.height == 21
    march = select_enrolments(dataset, SPRING.with_changes(period_to=date(2024, 3, 1))).collect()
    assert sorted(set(march["course_id"])) == ["A", "B"]
    fyn = select_enrolments(dataset, SPRING.with_changes(areas=("hovedstaden",))).collect()
    assert sorted(fyn["person_id"]) == [7, 8, 9, 10, 11, 12]
    assert np.all(fyn["municipality_code"].to_numpy() == 101)
    assert_frame_equal(select_enrolments(dataset, SPRING.with_changes(
        labour_status=("Forsikret ledig",))).collect(), everyone.head(0))
