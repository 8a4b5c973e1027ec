"""Target progress with a seasonal projection, on a hand-made dataset.

Every year 2021–2023 RAR Fyn had 10 participations in March and 30 in September (all in the focus
area Sundhed og omsorg), so by the end of June a year was 10/40 = 25 % done. In 2024 (data up to
June) there are 12 participations in March: projection 12 / 0.25 = 48.
"""

from datetime import date

import polars as pl
import pytest

from measures_builders import REFORM, People, course, tables
from veu_metrics.facts import prepare_facts
from veu_metrics.measures import MeasureError, compute_target_progress
from veu_metrics.targets import status_in_brief, target_date_range

HEALTH = "Sundhed og omsorg"


def _tables() -> dict[str, pl.DataFrame]:
    p = People()
    courses, enrolments = [], []
    person = 1
    for year in (2021, 2022, 2023):
        for month, size in ((3, 10), (9, 30)):
            course_id = f"{year}-{month}"
            courses.append(course(course_id, date(year, month, 10), focus_area=HEALTH))
            enrolments += p.enrol(course_id, list(range(person, person + size)))
            person += size
    courses.append(course("2024-3", date(2024, 3, 10), focus_area=HEALTH))
    enrolments += p.enrol("2024-3", list(range(person, person + 12)), completed=True)
    targets = [
        {"year": 2024, "area_scheme": "rar", "area_code": "fyn", "measure": "participations",
         "focus_area": None, "target": 100.0},
        {"year": 2024, "area_scheme": "rar", "area_code": "fyn", "measure": "participations",
         "focus_area": HEALTH, "target": 40.0},
        {"year": 2024, "area_scheme": "rar", "area_code": "fyn", "measure": "completion_rate",
         "focus_area": None, "target": 0.9},
        {"year": 2024, "area_scheme": "rar", "area_code": "fyn", "measure": "happiness",
         "focus_area": None, "target": 1.0},
        {"year": 2024, "area_scheme": "rar", "area_code": "sjaelland", "measure": "participations",
         "focus_area": None, "target": 5.0},
        {"year": 2025, "area_scheme": "council", "area_code": "syddanmark",
         "measure": "courses_started", "focus_area": None, "target": 3.0},
    ]
    return tables(courses, enrolments, targets=targets)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(_tables(), REFORM, covers_from=date(2021, 1, 1),
                         covers_to=date(2024, 6, 30))


def test_projection_uses_the_seasonal_profile(facts):
    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=1)
    assert progress.select("measure", "focus_area").rows() == [
        ("completion_rate", None), ("participations", None), ("participations", HEALTH)]
    total = progress.row(1, named=True)
    assert (total["actual_ytd"], total["months_elapsed"]) == (12, 6)
    assert total["expected_share_of_year"] == pytest.approx(0.25)
    assert total["projection"] == pytest.approx(48.0)
    assert total["share_of_target"] == pytest.approx(0.48)
    assert total["on_track"] is False
    health = progress.row(2, named=True)
    assert health["projection"] == pytest.approx(48.0) and health["on_track"] is True
    # A rate is not projected: the year-to-date value is compared with the target.
    completion = progress.row(0, named=True)
    assert completion["actual_ytd"] == 1.0 and completion["projection"] == 1.0
    assert completion["on_track"] is True


def test_small_actuals_are_protected_with_their_projection(facts):
    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=13)
    total = progress.filter(pl.col("measure") == "participations").row(0, named=True)
    # 12 participations under a threshold of 13: never published as 12.
    if total["actual_ytd_suppressed"]:
        assert total["actual_ytd"] is None and total["projection"] is None
        assert total["projection_suppressed"] and total["on_track"] is None
    else:
        assert total["actual_ytd"] != 12 and (total["actual_ytd"] == 0 or total["actual_ytd"] >= 13)
        assert total["projection"] == pytest.approx(total["actual_ytd"] / 0.25)


def test_as_of_an_earlier_month_and_an_area_without_activity(facts):
    march = compute_target_progress(facts, "rar", "fyn", 2024, threshold=5, as_of=date(2024, 3, 1))
    total = march.filter(pl.col("measure") == "participations").row(0, named=True)
    # By March a year held 10 of 40 too: the same share.
    assert total["months_elapsed"] == 3 and total["expected_share_of_year"] == pytest.approx(0.25)
    nothing = compute_target_progress(facts, "rar", "sjaelland", 2024, threshold=5).row(0, named=True)
    assert (nothing["actual_ytd"], nothing["projection"], nothing["on_track"]) == (0.0, 0.0, False)


def test_a_year_without_data_yet_and_bad_arguments(facts):
    future = compute_target_progress(facts, "council", "syddanmark", 2025, threshold=5)
    row = future.row(0, named=True)
    assert row["months_elapsed"] == 0 and row["actual_ytd"] is None and row["on_track"] is None
    assert compute_target_progress(facts, "rar", "bornholm", 2024, threshold=5).height == 0
    with pytest.raises(MeasureError, match="unknown rar area"):
        compute_target_progress(facts, "rar", "atlantis", 2024, threshold=5)
    with pytest.raises(MeasureError, match="per 'rar' or 'council'"):
        compute_target_progress(facts, "municipality", "101", 2024, threshold=5)


def test_expected_by_now_follows_the_seasonal_profile(facts):
    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=5)
    total, completion = progress.row(1, named=True), progress.row(0, named=True)
    # A quarter of a year's participations by the end of June: 25 % of the target of 100.
    assert total["expected_by_now"] == pytest.approx(25.0)
    assert completion["expected_by_now"] == pytest.approx(0.9)  # a rate: the target itself


def test_status_in_brief_counts_targets_and_names_the_extremes(facts):
    # Protection off (threshold 1): the figures are the scenario's own.
    progress = compute_target_progress(facts, "rar", "fyn", 2024, threshold=1)
    labels = ["Gennemførelse", "Deltagelser", "Deltagelser — Sundhed"]
    change = {"previous_available": True, "change_pct": 0.06, "change_suppressed": False}
    text = status_in_brief(progress, labels, lang="da", change_row=change,
                           change_title="Kursusdeltagelser")
    assert text.startswith("1 af 3 mål er bagud.")
    assert "Kursusdeltagelser er 6,0 % over samme periode sidste år." in text
    assert "Længst bagud: Deltagelser (48 % af målet forventet)." in text
    english = status_in_brief(progress, labels, lang="en")
    assert english.startswith("1 of 3 targets are behind.") and "last year" not in english


def test_status_in_brief_when_all_are_on_track_or_nothing_can_be_judged():
    on_track = pl.DataFrame({"on_track": [True, True], "share_of_target": [1.1, 1.3],
                             "share_of_target_suppressed": [False, False]})
    assert status_in_brief(on_track, ["A", "B"], lang="da").startswith("Alle 2 mål er på rette vej.")
    unknown = pl.DataFrame({"on_track": [None], "share_of_target": [None],
                            "share_of_target_suppressed": [True]},
                           schema={"on_track": pl.Boolean, "share_of_target": pl.Float64,
                                   "share_of_target_suppressed": pl.Boolean})
    assert status_in_brief(unknown, ["A"], lang="da") == "Ingen af de 1 mål kan vurderes endnu."


def test_target_date_range_is_january_to_the_last_month_with_data():
    assert target_date_range(2024, date(2024, 6, 30)) == (date(2024, 1, 1), date(2024, 6, 1))
    assert target_date_range(2023, date(2024, 6, 30)) == (date(2023, 1, 1), date(2023, 12, 1))
    assert target_date_range(2025, date(2024, 6, 30)) is None
