"""AppTest of the Effekter page: outcomes by group and over time on the demo fixture, with a
chosen grouping, a filter that matches nothing, and good and malformed links."""

from __future__ import annotations

from datetime import date

import pandas as pd
import polars as pl
import pytest
from tests.app.conftest import texts_of

from veu_metrics.dataset import open_dataset

PAGE = "app_pages/outcome.py"
YEAR = {"periode": ["2024-01", "2024-12"]}


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _ended_in_2024(dataset_dir) -> pl.DataFrame:
    """Enrolments in courses (not cancelled) whose last day is in 2024, from the raw tables."""
    dataset = open_dataset(dataset_dir)
    courses = dataset.courses.filter(
        ~pl.col("cancelled") & pl.col("end_date").is_between(date(2024, 1, 1), date(2024, 12, 31))
    ).select("course_id", "education_type")
    return dataset.enrolments.join(courses, on="course_id").collect()


def test_outcomes_render_with_demo_data(open_page):
    at = open_page(PAGE)
    _no_exception(at)
    assert at.title[0].value == "Effekter"
    note = " ".join(texts_of(at, "info"))
    assert "ikke kursets virkning" in note and "ledige ved kursusstart" in note
    assert len(at.get("vega_lite_chart")) == 2, "outcomes by group and over time"


def test_table_by_labour_status_shows_rates_and_denominators(open_page, app_env, monkeypatch):
    # Compared with counts from the raw tables: disclosure control off (it perturbs every count).
    monkeypatch.setenv("VEU_DISCLOSURE_THRESHOLD", "1")
    at = open_page(PAGE, {**YEAR, "effekt": "Ledighedsstatus"})
    _no_exception(at)
    table = at.dataframe[0].value.set_index("group")
    assert list(table.index) == ["Forsikret ledig", "Øvrig ledig", "Beskæftiget"]
    rows = _ended_in_2024(app_env)
    insured = rows.filter(pl.col("labour_status") == "Forsikret ledig")
    known = insured.filter(pl.col("completed").is_not_null())
    completed = known.filter(pl.col("completed")).height
    # The table holds numbers (it sorts as numbers); the Danish text is only its display.
    assert table.loc["Forsikret ledig", "participations"] == insured.height
    assert table.loc["Forsikret ledig", "completion_known"] == known.height
    assert table.loc["Forsikret ledig", "completion_rate"] == pytest.approx(
        completed / known.height, abs=1e-6)
    employment_known = insured.filter(pl.col("employed_3m").is_not_null())
    assert table.loc["Forsikret ledig", "employment_3m_known"] == employment_known.height
    # Employment is measured only for the unemployed: nothing is known for the employed.
    assert table.loc["Beskæftiget", "employment_3m_known"] == 0
    assert pd.isna(table.loc["Beskæftiget", "employment_rate_3m"])


def test_shortage_grouping_names_its_groups(open_page):
    at = open_page(PAGE, {"effekt": "Mangelområde eller ej"})
    _no_exception(at)
    groups = list(at.dataframe[0].value["group"])
    assert groups == ["Mangelområde (mangel/paradoks)", "Øvrige stillinger"]
    assert any("Arbejdsmarkedsbalancen" in text for text in texts_of(at, "caption"))


def test_choosing_a_grouping_by_click(open_page):
    at = open_page(PAGE, YEAR)
    at.segmented_control(key="effekt").set_value("year").run()
    _no_exception(at)
    assert list(at.dataframe[0].value["group"]) == ["2024"]


def test_small_groups_are_hidden_with_the_marker(open_page):
    # One small area and one education type: few participants per funding scheme.
    at = open_page(PAGE, {"inddeling": "Kommune", "omr": ["Læsø"], "periode": ["2018-01", "2026-10"],
                          "effekt": "Finansiering"})
    _no_exception(at)
    table = at.dataframe[0].value
    # A hidden cell is an empty number, shown with the table's placeholder: the marker.
    assert at.dataframe[0].proto.placeholder == ".."
    assert table["participations"].isna().any() or table["completion_rate"].isna().any()


def test_trend_table_has_the_three_rates(open_page):
    at = open_page(PAGE)
    at.segmented_control(key="visning").set_value("År").run()
    _no_exception(at)
    trend = at.dataframe[1].value
    assert {"period", "completion_rate", "employment_rate_3m", "employment_rate_6m"} <= set(trend.columns)
    assert len(trend) == 9, "2018–2026, one row per end year"


def test_filter_that_matches_nothing_gives_a_friendly_message(open_page):
    at = open_page(PAGE, {"fin": ["Uddannelsesløft"], "udd": ["Diplom"], "jobveu": "true"})
    _no_exception(at)
    assert sum("Ingen data passer" in text for text in texts_of(at, "info")) == 2


@pytest.mark.parametrize("value", ["Nonsense", ""])
def test_malformed_grouping_in_the_link(open_page, value):
    at = open_page(PAGE, {"effekt": value, "visning": "Fortnight"})
    _no_exception(at)
    if value:
        assert any(value in text for text in texts_of(at, "warning"))
    groups = list(at.dataframe[0].value["group"])
    assert groups[:2] == ["AMU", "EUD-enkeltfag"], "the default grouping is shown"


def test_english(open_page):
    at = open_page(PAGE, {"sprog": "English", "effekt": "Labour-market status"})
    _no_exception(at)
    assert at.title[0].value == "Outcomes"
    assert list(at.dataframe[0].value["group"])[:1] == ["Forsikret ledig"]


def test_a_danish_link_opens_the_same_grouping_in_english(open_page):
    at = open_page(PAGE, {"sprog": "English", "effekt": "Finansiering"})
    _no_exception(at)
    assert not any("Finansiering" in text for text in texts_of(at, "warning"))
    assert at.segmented_control(key="effekt").value == "funding"
    assert "Regional uddannelsespulje" in list(at.dataframe[0].value["group"])


def test_a_table_of_protected_figures_says_they_are_perturbed(open_page):
    at = open_page(PAGE, {**YEAR, "effekt": "Ledighedsstatus"})
    _no_exception(at)
    assert any("let sløret" in text and "summer kan afvige" in text
               for text in texts_of(at, "caption"))


def test_a_custom_selection_of_municipalities_says_why_its_counts_are_hidden(open_page):
    at = open_page(PAGE, {**YEAR, "inddeling": "Kommune", "omr": ["Odense", "Svendborg"]})
    _no_exception(at)
    assert any("selvvalgt udsnit" in text for text in texts_of(at, "caption"))
    whole = open_page(PAGE, YEAR)
    assert not any("selvvalgt udsnit" in text for text in texts_of(whole, "caption"))
