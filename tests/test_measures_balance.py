"""The labour-market balance: the shortage flag at course start, the reform date, the matrix,
widespread shortage, changes, shortage activity and blind spots — on a hand-made dataset."""

from datetime import date

import polars as pl
import pytest

from measures_builders import REFORM, People, balance_rows, course, tables
from veu_metrics.facts import prepare_facts
from veu_metrics.filters import Filters
from veu_metrics.measures import (
    MeasureError,
    available_half_years,
    compute_balance_changes,
    compute_balance_matrix,
    compute_blind_spots,
    compute_shortage_activity,
)

SSA, ELECTRICIAN, LABOURER, CARPENTER = "532110", "741110", "931210", "711510"
RAR_FOUR = ("hovedstaden", "sjaelland", "fyn", "sydjylland")


def _balance() -> list[dict]:
    rows = []
    # 2023H2 (RAR): electrician short in 4 areas (with Østjylland instead of Sydjylland).
    for area in ("hovedstaden", "sjaelland", "fyn", "oestjylland"):
        rows += balance_rows("2023H2", "rar", area, {ELECTRICIAN: "Mangel", CARPENTER: "Mangel"
                                                      if area != "oestjylland" else "Paradoks"})
    rows += balance_rows("2023H2", "rar", "sydjylland", {ELECTRICIAN: "Gode jobmuligheder"})
    rows += balance_rows("2023H2", "rar", "bornholm", {CARPENTER: "Mangel"})
    rows += balance_rows("2023H2", "rar", "fyn", {SSA: "Gode jobmuligheder"})
    # 2024H1 (RAR): electrician short in 4 areas again → widespread; Østjylland no longer short.
    for area in RAR_FOUR:
        rows += balance_rows("2024H1", "rar", area, {ELECTRICIAN: "Mangel"})
    rows += balance_rows("2024H1", "rar", "oestjylland", {ELECTRICIAN: "Gode jobmuligheder"})
    # Carpenter: Bornholm + 3 others → not widespread (Bornholm does not count).
    for area in ("bornholm", "hovedstaden", "sjaelland", "fyn"):
        rows += balance_rows("2024H1", "rar", area, {CARPENTER: "Mangel"})
    # Labourer: short in 5 areas both half-years, but needs no vocational education.
    for half_year in ("2023H2", "2024H1"):
        for area in ("hovedstaden", "sjaelland", "sydjylland", "oestjylland", "vestjylland"):
            rows += balance_rows(half_year, "rar", area, {LABOURER: "Mangel"})
    rows += balance_rows("2024H1", "rar", "fyn", {SSA: "Mangel"})
    # 2024H2 (RAR): SSA no longer short in Fyn; electrician short in 4 areas.
    rows += balance_rows("2024H2", "rar", "fyn", {SSA: "Gode jobmuligheder"})
    for area in RAR_FOUR:
        rows += balance_rows("2024H2", "rar", area, {ELECTRICIAN: "Mangel"})
    # 2025H1 (councils, after the reform): electrician short in 3 of 5, not in Syddanmark.
    for area in ("nordjylland", "midtjylland", "hovedstaden"):
        rows += balance_rows("2025H1", "council", area, {ELECTRICIAN: "Mangel"})
    rows += balance_rows("2025H1", "council", "syddanmark", {ELECTRICIAN: "Gode jobmuligheder"})
    # 2025H2: electrician short in Syddanmark too.
    for area in ("nordjylland", "midtjylland", "hovedstaden", "syddanmark"):
        rows += balance_rows("2025H2", "council", area, {ELECTRICIAN: "Mangel"})
    return rows


def _tables(reform: date = REFORM) -> dict[str, pl.DataFrame]:
    p = People()
    courses = [
        # Spans two half-years: the status of the START half-year (2024H1, Mangel) counts.
        course("K1", date(2024, 6, 24), date(2024, 7, 5), occupation_code=SSA),
        # The day before the reform: RAR Fyn 2024H2 (Mangel).
        course("K2", date(2024, 12, 31), occupation_code=ELECTRICIAN),
        # The reform day: council Syddanmark 2025H1 (Gode jobmuligheder).
        course("K3", date(2025, 1, 1), occupation_code=ELECTRICIAN),
        # 2026H1 is not published: the latest council half-year (2025H2, Mangel) is used.
        course("K4", date(2026, 2, 1), occupation_code=ELECTRICIAN),
        course("K5", date(2024, 3, 1)),  # no occupation
        # Before any published balance: unknown, not shortage.
        course("K6", date(2023, 1, 10), occupation_code=ELECTRICIAN),
        course("K7", date(2024, 2, 1), occupation_code=ELECTRICIAN),
    ]
    enrolments = [
        *p.enrol("K1", list(range(1, 7))),
        *p.enrol("K2", [7, 8, 9]),
        *p.enrol("K3", [10]),
        *p.enrol("K4", [11]),
        *p.enrol("K5", [12, 13, 14, 15, 16]),
        *p.enrol("K6", [17]),
    ]
    return tables(courses, enrolments, _balance())


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(_tables(), REFORM, covers_from=date(2023, 1, 1),
                         covers_to=date(2026, 6, 30))


def _course_flags(facts) -> dict[str, tuple]:
    frame = facts.courses.select("course_id", pl.col("balance_scheme").cast(pl.String),
                                 "balance_half_year", pl.col("balance_status").cast(pl.String),
                                 "shortage")
    return {r[0]: r[1:] for r in frame.rows()}


def test_shortage_flag_at_course_start_around_the_reform(facts):
    flags = _course_flags(facts)
    assert flags["K1"] == ("rar", "2024H1", "Mangel", True)
    assert flags["K2"] == ("rar", "2024H2", "Mangel", True)
    assert flags["K3"] == ("council", "2025H1", "Gode jobmuligheder", False)
    assert flags["K4"] == ("council", "2025H2", "Mangel", True)
    assert flags["K5"][2:] == (None, False)
    assert flags["K6"] == ("rar", None, None, False)
    # The participations carry the course's flag.
    k1 = facts.courses.filter(pl.col("course_id") == "K1")["course_idx"][0]
    assert facts.participations.filter(pl.col("course_idx") == k1)["shortage"].to_list() == [True] * 6


def test_reform_date_is_a_setting():
    later = prepare_facts(_tables(), date(2025, 7, 1), covers_from=date(2023, 1, 1),
                          covers_to=date(2026, 6, 30))
    # With the reform in July, K3 (1 Jan 2025) is judged under RAR; 2025H1 has no RAR balance,
    # so the latest RAR half-year (2024H2, Mangel in Fyn) is used.
    assert _course_flags(later)["K3"] == ("rar", "2024H2", "Mangel", True)


def test_available_half_years(facts):
    assert available_half_years(facts).rows() == [
        ("2025H2", "council"), ("2025H1", "council"), ("2024H2", "rar"), ("2024H1", "rar"),
        ("2023H2", "rar")]


def test_balance_matrix_and_widespread_shortage(facts):
    matrix = compute_balance_matrix(facts, "2024H1")
    assert matrix.height == 15  # electrician 5 + carpenter 4 + labourer 5 + SSA 1
    widespread = set(matrix.filter(pl.col("widespread_shortage"))["occupation_code"])
    assert widespread == {ELECTRICIAN}
    electrician = matrix.filter(pl.col("occupation_code") == ELECTRICIAN)
    assert electrician["area_code"].to_list() == ["hovedstaden", "sjaelland", "fyn", "sydjylland",
                                                  "oestjylland"]  # in the schemes' area order
    assert electrician["shortage_areas"].unique().to_list() == [4]
    assert electrician["title_da"][0] == "Elektriker"
    assert compute_balance_matrix(facts, "2024H1", "council").height == 0
    with pytest.raises(MeasureError, match="YYYYH1"):
        compute_balance_matrix(facts, "2024-1")


def test_widespread_shortage_across_the_reform(facts):
    # 2025H1 (3 of 5 council areas) after 2024H2 (4 RAR areas): widespread in both schemes' terms.
    h1 = compute_balance_matrix(facts, "2025H1")
    assert set(h1.filter(pl.col("widespread_shortage"))["occupation_code"]) == {ELECTRICIAN}
    # 2023H2 has no half-year before it: cannot be widespread.
    assert not compute_balance_matrix(facts, "2023H2")["widespread_shortage"].any()


def test_balance_changes(facts):
    changes = compute_balance_changes(facts, "2024H1")
    by_key = {(r["occupation_code"], r["area_code"]): r["change"] for r in changes.iter_rows(named=True)}
    assert by_key[(SSA, "fyn")] == "new_shortage"
    assert by_key[(ELECTRICIAN, "oestjylland")] == "ended_shortage"
    assert by_key[(ELECTRICIAN, "fyn")] == "unchanged"
    assert by_key[(ELECTRICIAN, "sydjylland")] == "new_shortage"
    assert by_key[(CARPENTER, "bornholm")] == "unchanged"
    changed = compute_balance_changes(facts, "2024H2")
    assert dict(zip(changed["occupation_code"] + changed["area_code"], changed["change"],
                    strict=True))[SSA + "fyn"] == "ended_shortage"
    across = compute_balance_changes(facts, "2025H1")
    assert set(across["change"]) == {"not_comparable"}
    assert across["previous_status"].null_count() == across.height


def test_shortage_activity_and_blind_spots(facts):
    year = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1))
    activity = compute_shortage_activity(facts, year, "2024H1", threshold=1)
    rows = {r["occupation_code"]: r for r in activity.iter_rows(named=True)}
    assert set(rows) == {ELECTRICIAN, CARPENTER, LABOURER, SSA}
    assert (rows[LABOURER]["shortage_areas"], rows[ELECTRICIAN]["shortage_areas"],
            rows[CARPENTER]["shortage_areas"], rows[SSA]["shortage_areas"]) == (5, 4, 4, 1)
    # Electrician courses started in 2024: K2 (3 participants) and K7 (none).
    assert (rows[ELECTRICIAN]["participations"], rows[ELECTRICIAN]["courses_started"]) == (3, 2)
    assert rows[SSA]["participations"] == 6 and rows[LABOURER]["participations"] == 0
    assert rows[ELECTRICIAN]["widespread_shortage"]
    # Threshold 5: the electrician's 3 is perturbed and never shown as itself (nor as 1–4).
    shown = compute_shortage_activity(facts, year, "2024H1", threshold=5)
    published = {r["occupation_code"]: r for r in shown.iter_rows(named=True)}
    electrician = published[ELECTRICIAN]
    assert electrician["participations_suppressed"] or electrician["participations"] in (0, 5, 6)
    assert published[LABOURER]["participations"] == 0  # a true zero stays zero
    # Blind spots are chosen on the published values (hidden ones count as small).
    blind = compute_blind_spots(facts, year, "2024H1", threshold=5, limit=5)
    expected = [code for code, r in published.items()
                if r["participations_suppressed"] or r["participations"] < 5]
    assert sorted(blind["occupation_code"].to_list()) == sorted(expected)
    assert {LABOURER, CARPENTER} <= set(blind["occupation_code"])


def test_shortage_activity_in_the_selected_area(facts):
    fyn = Filters(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), areas=("fyn",))
    activity = compute_shortage_activity(facts, fyn, "2024H1", threshold=1)
    assert set(activity["occupation_code"]) == {ELECTRICIAN, CARPENTER, SSA}
    assert set(activity["shortage_areas"]) == {1}
    # A half-year that is not published gives an empty table with the same columns.
    empty = compute_shortage_activity(facts, fyn, "2022H1", threshold=5)
    assert empty.height == 0 and "participations_suppressed" in empty.columns
