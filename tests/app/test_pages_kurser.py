"""AppTest of the Kurser page: the course list on the demo fixture, searched, grouped, filtered to
nothing, large, and opened from good and malformed links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from tests.app.conftest import texts_of

from veu_metrics import geography
from veu_metrics.dataset import open_dataset
from veu_metrics.occupations import occupations

PAGE = "app_pages/course.py"
YEAR = {"periode": ["2025-01", "2025-12"]}
NEEDLE = "svejsning"


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _courses_in(dataset_dir: Path, first: date, last: date, needle: str = "") -> pl.DataFrame:
    """Courses starting in [first, last] (not cancelled) whose searchable fields contain the
    needle — worked out from the raw tables, independently of the page's core function."""
    places = geography.municipalities().select(
        pl.col("municipality_code").alias("provider_municipality_code"),
        pl.col("municipality_name").alias("place"))
    occ = occupations().select("occupation_code", "title_da", "title_en")
    courses = (open_dataset(dataset_dir).courses.collect()
               .filter(~pl.col("cancelled") & pl.col("start_date").is_between(first, last))
               .join(places, on="provider_municipality_code", how="left")
               .join(occ, on="occupation_code", how="left"))
    fields = ("title", "provider", "place", "title_da", "title_en", "amu_number", "course_id")
    return courses.filter(pl.any_horizontal(
        pl.col(f).cast(pl.String).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
        for f in fields))


def test_course_list_renders_with_demo_data(open_page):
    at = open_page(PAGE)
    _no_exception(at)
    assert at.title[0].value == "Kurser"
    assert at.subheader[0].value == "Kurser, nyeste først"
    assert any("kurser hos" in text for text in texts_of(at, "markdown"))
    table = at.dataframe[0].value
    assert {"title", "provider", "place", "start_date", "participants", "job_veu"} <= set(table.columns)


def test_search_from_the_link_lists_exactly_the_matching_courses(open_page, app_env):
    expected = _courses_in(app_env, date(2025, 1, 1), date(2025, 12, 31), NEEDLE)
    assert 0 < expected.height < 2000, "the fixture has some, but not too many, welding courses"
    at = open_page(PAGE, {**YEAR, "soeg": NEEDLE})
    _no_exception(at)
    assert at.text_input(key="soeg").value == NEEDLE
    table = at.dataframe[0].value
    assert len(table) == expected.height
    assert sorted(table["course_id"]) == sorted(expected["course_id"])
    providers = expected["provider"].n_unique()
    line = f"{expected.height} kurser hos {providers} udbydere"
    assert any(line in text for text in texts_of(at, "markdown")), texts_of(at, "markdown")


def test_typing_a_search_narrows_the_list(open_page, app_env):
    at = open_page(PAGE, YEAR)
    everything = len(at.dataframe[0].value)
    at.text_input(key="soeg").set_value(f"  {NEEDLE.upper()} ").run()
    _no_exception(at)
    expected = _courses_in(app_env, date(2025, 1, 1), date(2025, 12, 31), NEEDLE)
    assert len(at.dataframe[0].value) == expected.height < everything


def test_grouped_by_provider(open_page, app_env):
    expected = _courses_in(app_env, date(2025, 1, 1), date(2025, 12, 31), NEEDLE)
    at = open_page(PAGE, {**YEAR, "soeg": NEEDLE, "gruppe": "true"})
    _no_exception(at)
    table = at.dataframe[0].value
    assert len(table) == expected["provider"].n_unique()
    counts = dict(expected.group_by("provider").len().iter_rows())
    shown = dict(zip(table["provider"], table["courses"], strict=True))
    assert shown == counts  # numbers: the column sorts as numbers


def test_hidden_participant_counts_show_the_marker(open_page):
    at = open_page(PAGE, {"periode": ["2018-01", "2026-10"], "soeg": "FVU"})
    _no_exception(at)
    table = at.dataframe[0]
    participants = table.value["participants"]
    # Hidden counts are empty numbers shown with the table's placeholder, the marker.
    assert table.proto.placeholder == ".."
    assert participants.isna().any(), "small courses (1–4 participants) are hidden"
    # Cell-key perturbation: a shown count is 0 (a true 0–3) or at least the threshold.
    assert all(p == 0 or p >= 5 for p in participants.dropna()), "a shown count of 1–4"


def test_a_large_list_is_cut_with_a_note_and_the_full_download(open_page, app_env):
    expected = _courses_in(app_env, date(2018, 1, 1), date(2026, 10, 31))
    assert expected.height > 2000
    at = open_page(PAGE, {"periode": ["2018-01", "2026-10"]})
    _no_exception(at)
    assert len(at.dataframe[0].value) == 2000
    total = f"{expected.height:,}".replace(",", ".")
    assert any(f"2.000 nyeste af {total}" in text for text in texts_of(at, "caption"))
    assert {b.key for b in at.download_button} >= {"courses-csv", "courses-xlsx", "courses-pq"}


def test_filter_that_matches_nothing_gives_a_friendly_message(open_page):
    at = open_page(PAGE, {"fin": ["Uddannelsesløft"], "udd": ["Diplom"], "jobveu": "true"})
    _no_exception(at)
    assert any("Ingen data passer" in text for text in texts_of(at, "info"))
    assert not at.dataframe


def test_search_that_matches_nothing_says_so(open_page):
    at = open_page(PAGE, {"soeg": "zzqxq"})
    _no_exception(at)
    assert any("zzqxq" in text for text in texts_of(at, "info"))


@pytest.mark.parametrize("search", ["*[x](javascript:alert(1))", "%", "ø" * 500])
def test_odd_searches_do_not_break_the_page(open_page, search):
    at = open_page(PAGE, {"soeg": search})
    _no_exception(at)


def test_malformed_link_gives_a_message_and_the_page_works(open_page):
    at = open_page(PAGE, {"gruppe": "maybe", "omr": ["Atlantis"]})
    _no_exception(at)
    warnings = " ".join(texts_of(at, "warning"))
    assert "maybe" in warnings and "Atlantis" in warnings
    assert at.toggle(key="gruppe").value is False
    assert at.dataframe, "the course list is still shown"


def test_english(open_page):
    at = open_page(PAGE, {**YEAR, "soeg": NEEDLE, "sprog": "English"})
    _no_exception(at)
    assert at.title[0].value == "Courses"
    assert any("courses at" in text for text in texts_of(at, "markdown"))
