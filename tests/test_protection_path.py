"""Every compute_* a page or a download uses goes through the one protection path, and the same
selection gives the same numbers wherever it is shown (cards, tables, rankings, files, images).

The walk: each compute function is called on a small dataset while ``disclosure.perturb`` is
watched; a function that publishes person counts must call it and flag each such column; a new
compute function fails here until it is classified.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl
import pytest

from test_measures import FYN, YEAR, scenario
from veu_metrics import disclosure, measures, tables
from veu_metrics.exports import to_csv_bytes
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.formatting import SUPPRESSED_MARKER

THRESHOLD = 5
HALF_YEAR = "2024H1"

# compute function → (keyword arguments, the person-count columns it publishes)
PUBLISHING = {
    "compute_kpis": ({"measures": ["participations", "persons", "aarselever", "completion_rate",
                                   "jobcentre_uptake"]},
                     ["value", "value_previous", "value_national", "value_national_previous"]),
    "compute_measure_value": ({"measure": "participations"}, []),
    "compute_series": ({"measure": "participations", "breakdown": "education_type"}, ["value"]),
    "compute_area_table": ({"measure": "shortage_share", "scheme": "rar"},
                           ["value", "numerator", "denominator"]),
    "compute_focus_areas": ({}, ["participations", "share"]),
    "compute_outcomes": ({}, ["participations", "completed", "completion_known",
                              "completion_rate", "employed_3m", "employment_3m_known"]),
    "compute_courses": ({}, ["participants"]),
    "compute_courses_by_provider": ({}, ["participants"]),
    "compute_jobcentre_ranking": ({}, ["participations", "uptake", "difference", "ratio"]),
    "compute_comparable_municipalities": ({"municipality_code": 461}, ["participations", "uptake"]),
    "compute_jobcentre_trend": ({"municipality_code": 461}, ["value"]),
    # The expected-uptake model is fitted on published counts; its outputs are model values.
    "compute_uptake_model": ({}, []),
    "compute_shortage_activity": ({"half_year": HALF_YEAR}, ["participations"]),
    "compute_blind_spots": ({"half_year": HALF_YEAR}, ["participations"]),
    "compute_target_progress": ({"area_scheme": "rar", "area_code": "fyn", "year": 2024},
                                ["actual_ytd", "projection"]),
    "compute_area_month_table": ({}, ["participations", "persons", "aarselever",
                                      "shortage_share_numerator"]),
}
# Public statistics or descriptions of the data, no person counts of a selection.
NOT_PERSON_COUNTS = {"compute_balance_matrix", "compute_balance_changes", "available_half_years",
                     "compute_balance_table", "compute_data_dictionary",
                     "compute_measure_definitions", "compute_table_summary", "compute_null_counts",
                     "compute_empty_months",
                     # the municipalities' framework conditions (public statistics)
                     "compute_jobcentre_conditions"}


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), date(2025, 1, 1), covers_from=date(2023, 1, 1),
                         covers_to=date(2024, 12, 31))


def compute_functions() -> dict[str, object]:
    found = {name: getattr(measures, name) for name in measures.__all__
             if name.startswith(("compute_", "available_"))}
    found |= {name: getattr(tables, name) for name in dir(tables) if name.startswith("compute_")}
    return found


def test_every_compute_function_is_classified():
    unknown = set(compute_functions()) - set(PUBLISHING) - NOT_PERSON_COUNTS
    assert not unknown, f"classify these in PUBLISHING or NOT_PERSON_COUNTS: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(PUBLISHING))
def test_each_publishing_function_goes_through_the_protection(facts, name, monkeypatch):
    calls: list[int] = []
    original = disclosure.perturb

    def watched(counts, cell_keys, threshold):
        calls.append(len(counts))
        return original(counts, cell_keys, threshold)

    monkeypatch.setattr(disclosure, "perturb", watched)
    kwargs, columns = PUBLISHING[name]
    function = compute_functions()[name]
    filters = FYN if name == "compute_area_month_table" else YEAR
    if name == "compute_target_progress":  # the scenario has no targets: the targets test's has
        from test_measures_targets import _tables

        with_targets = prepare_facts(_tables(), date(2025, 1, 1), covers_from=date(2021, 1, 1),
                                     covers_to=date(2024, 6, 30))
        result = function(with_targets, threshold=THRESHOLD, **kwargs)
    elif name == "compute_kpis":
        result = function(facts, filters, THRESHOLD, **kwargs)
    else:
        result = function(facts, filters, threshold=THRESHOLD, **kwargs)
    assert calls, f"{name} publishes person counts without the protection"
    frame = result if isinstance(result, pl.DataFrame) else None
    for column in columns:
        assert frame is not None and column in frame.columns, f"{name}: no {column}"
        assert f"{column}_suppressed" in frame.columns, f"{name}: {column} has no flag"


def test_the_same_selection_gives_the_same_numbers_everywhere(facts):
    """Overblik's cards, Område's area table and series, Jobcentre's ranking and trend, and the
    downloads made from them all publish one value per cell."""
    odense = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1),
                     scheme="municipality", areas=("461",))
    for threshold in (3, 5, 7):
        cards = measures.compute_kpis(facts, FYN, threshold)
        card = {r["measure"]: r for r in cards.iter_rows(named=True)}
        area = measures.compute_area_table(facts, YEAR, "participations", "rar",
                                           threshold=threshold).filter(pl.col("area_code") == "fyn")
        assert area["value"][0] == card["participations"]["value"]
        for measure in ("shortage_share", "completion_rate", "aarselever"):
            table = measures.compute_area_table(facts, YEAR, measure, "rar", threshold=threshold)
            row = table.filter(pl.col("area_code") == "fyn").row(0, named=True)
            assert (row["value"], row["value_suppressed"]) == (
                card[measure]["value"], card[measure]["value_suppressed"]), measure
        # Jobcentre: the ranking's uptake for Odense is the uptake card for Odense alone.
        ranking = measures.compute_jobcentre_ranking(facts, YEAR, threshold=threshold)
        odense_row = ranking.filter(pl.col("municipality_code") == 461).row(0, named=True)
        uptake = measures.compute_measure_value(facts, odense, "jobcentre_uptake",
                                                threshold=threshold)
        assert (odense_row["uptake"], odense_row["uptake_suppressed"]) == uptake
        trend = measures.compute_jobcentre_trend(facts, YEAR, 461, threshold=threshold,
                                                 grain="year")
        yearly = trend.filter(pl.col("level") == "municipality").row(0, named=True)
        assert (yearly["value"], yearly["value_suppressed"]) == uptake
        # Effekter: completion of the courses ending in 2024 is the completion card's cell.
        outcomes = measures.compute_outcomes(facts, YEAR, threshold=threshold, by="year")
        national = measures.compute_kpis(facts, YEAR, threshold, ["completion_rate"])
        row = outcomes.filter(pl.col("group") == "2024").row(0, named=True)
        assert (row["completion_rate"], row["completion_rate_suppressed"]) == (
            national["value"][0], national["value_suppressed"][0])
        # A download carries exactly the shown values (the marker where hidden).
        table = measures.compute_area_table(facts, YEAR, "shortage_share", "rar",
                                            threshold=threshold)
        rows = list(csv.DictReader(io.StringIO(to_csv_bytes(table, "plain").decode("utf-8"))))
        for written, shown in zip(rows, table.iter_rows(named=True), strict=True):
            if shown["value_suppressed"]:
                assert written["value"] == SUPPRESSED_MARKER
            elif shown["value"] is not None:
                assert float(written["value"]) == shown["value"]


def test_a_custom_selection_of_areas_publishes_no_person_counts_of_its_own(facts):
    from veu_metrics import geography

    fyn_codes = tuple(str(c) for c in geography.area_lookup("rar").filter(
        pl.col("area_code") == "fyn")["municipality_code"])
    base = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1),
                   scheme="municipality")
    whole = measures.compute_kpis(facts, base.with_changes(areas=fyn_codes), THRESHOLD,
                                  ["participations", "courses_started"])
    as_area = measures.compute_kpis(facts, FYN, THRESHOLD, ["participations", "courses_started"])
    assert whole["value"].to_list() == as_area["value"].to_list()  # a whole area is one cell
    custom = base.with_changes(areas=fyn_codes[:-1])
    kpis = measures.compute_kpis(facts, custom, THRESHOLD, ["participations", "courses_started"])
    participations, courses = kpis.row(0, named=True), kpis.row(1, named=True)
    assert participations["value"] is None and participations["value_suppressed"]
    assert participations["value_national"] is not None  # the country is not a custom selection
    assert courses["value"] is not None  # course counts are not person counts
    series = measures.compute_series(facts, custom, "participations", threshold=THRESHOLD)
    assert series["value_suppressed"].all()
    by_area = measures.compute_series(facts, custom, "participations", threshold=THRESHOLD,
                                      grain="year", breakdown="area")
    assert by_area.filter(pl.col("group") == "461")["value"][0] is not None  # one area: shown
    for function in (measures.compute_focus_areas, measures.compute_outcomes):
        frame = function(facts, custom, threshold=THRESHOLD)
        assert frame.height == 0 or frame["participations_suppressed"].all()
    single = measures.compute_kpis(facts, base.with_changes(areas=("461",)), THRESHOLD,
                                   ["participations"])
    assert not single["value_suppressed"][0]


def test_a_new_version_keeps_the_value_of_every_cell_whose_records_it_keeps(facts):
    """Record keys follow the ids: adding records elsewhere changes no published Fyn figure,
    while a different secret gives different noise."""
    tables_now = scenario()
    enrolments = tables_now["enrolments"]
    extra = enrolments.filter((pl.col("course_id") == "B") & (pl.col("municipality_code") == 101)
                              ).with_columns(
        pl.col("enrolment_id") + 1000, pl.col("person_id") + 1000)  # more people in København
    later = {**tables_now, "enrolments": pl.concat([enrolments, extra])}
    coverage = {"covers_from": date(2023, 1, 1), "covers_to": date(2024, 12, 31)}
    again = prepare_facts(later, date(2025, 1, 1), **coverage)
    for threshold in (5, 7):
        before = measures.compute_kpis(facts, FYN, threshold, ["participations", "persons"])
        after = measures.compute_kpis(again, FYN, threshold, ["participations", "persons"])
        assert before["value"].to_list() == after["value"].to_list()
        national_before = measures.compute_kpis(facts, YEAR, threshold, ["participations"])
        national_after = measures.compute_kpis(again, YEAR, threshold, ["participations"])
        assert national_before["value"][0] != national_after["value"][0]  # its records changed
    other_secret = [prepare_facts(scenario(), date(2025, 1, 1), secret=f"s{i}".encode(),
                                  **coverage) for i in range(8)]
    published = {measures.compute_measure_value(f, YEAR, "participations", threshold=5)
                 for f in other_secret}
    assert len(published) > 1  # the noise depends on the secret
