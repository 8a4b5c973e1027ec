"""The month × area table's totals (issue 15: the Data page's Excel had none, and its hidden
cells could not be reconciled with the screen). Totals are cells of their own, computed by the
core's protected path: they equal what the screen shows for the same selection, not the sum
of the published cells. Scenario and hand counts: ``test_tables``."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
import pytest

from measures_builders import REFORM
from test_tables import SPRING, scenario
from veu_metrics import measures
from veu_metrics.catalogue import load_catalogue
from veu_metrics.exports import to_excel_bytes
from veu_metrics.facts import prepare_facts
from veu_metrics.i18n import t
from veu_metrics.tables import compute_area_month_table

MAR, APR, MAY = date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)


@pytest.fixture(scope="module")
def facts():
    return prepare_facts(scenario(), reform_date=REFORM, covers_from=date(2024, 1, 1),
                         covers_to=date(2024, 12, 31))


def _row(frame: pl.DataFrame, kind: str, **keys) -> dict:
    chosen = frame.filter(pl.col("total") == t(f"data.total.{kind}", "da"))
    for column, value in keys.items():
        chosen = chosen.filter(pl.col(column) == value)
    assert chosen.height == 1, (kind, keys)
    return chosen.row(0, named=True)


def test_totals_are_added_after_the_grid_only_when_asked(facts):
    plain = compute_area_month_table(facts, SPRING, threshold=1)
    assert "total" not in plain.columns
    table = compute_area_month_table(facts, SPRING, threshold=1, totals=True)
    assert table.columns == ["total", *plain.columns]
    grid = table.filter(pl.col("total").is_null())
    assert grid.drop("total").equals(plain)  # the cells themselves are unchanged
    assert table.head(plain.height)["total"].null_count() == plain.height  # totals come last
    kinds = table["total"].drop_nulls().to_list()
    areas = plain["area_code"].n_unique()
    assert kinds.count(t("data.total.by_month", "da")) == 3  # March, April, May
    assert kinds.count(t("data.total.by_area", "da")) == areas
    assert kinds.count(t("data.total.grand", "da")) == 1


def test_totals_unprotected_match_the_hand_counts(facts):
    table = compute_area_month_table(facts, SPRING, threshold=1, totals=True)
    march = _row(table, "by_month", month=MAR)
    assert march["area_code"] is None and march["area_name"] == t("data.total.areas", "da")
    assert (march["participations"], march["courses_started"]) == (13, 2)
    assert _row(table, "by_month", month=APR)["participations"] == 0
    assert _row(table, "by_month", month=MAY)["participations"] == 6
    fyn = _row(table, "by_area", area_code="fyn")
    assert fyn["month"] is None and (fyn["participations"], fyn["persons"]) == (13, 12)
    grand = _row(table, "grand")
    assert (grand["participations"], grand["persons"], grand["courses_started"]) == (19, 18, 3)
    # årselever: (6·5 + 15 + 2·5 + 4·15 + 6·2) / 200 = 0.635
    assert grand["aarselever"] == pytest.approx(0.635)
    # a rate's total is numerator ÷ denominator of the whole, not an average of the cells
    assert grand["shortage_share_numerator"] == 8 and grand["shortage_share_denominator"] == 19


@pytest.mark.parametrize("threshold", [3, 5, 7])
def test_perturbed_totals_equal_the_screen_not_the_sum_of_cells(facts, threshold):
    table = compute_area_month_table(facts, SPRING, threshold=threshold, totals=True)
    keys = ["participations", "persons", "aarselever", "courses_started"]
    cards = measures.compute_kpis(facts, SPRING, threshold, measures=keys)
    card = {r["measure"]: r for r in cards.iter_rows(named=True)}
    grand = _row(table, "grand")
    for key in keys:
        assert (grand[key], grand[f"{key}_suppressed"]) == (
            card[key]["value"], card[key]["value_suppressed"]), key
    for key in ("participations", "persons"):
        area = measures.compute_area_table(facts, SPRING, key, "rar", threshold=threshold)
        for row in area.filter(pl.col("area_code").is_in(["fyn", "hovedstaden"])).iter_rows(
                named=True):
            total = _row(table, "by_area", area_code=row["area_code"])
            assert (total[key], total[f"{key}_suppressed"]) == (row["value"],
                                                                row["value_suppressed"]), key
    # a total is never a number behind its flag, and never a small count
    totals = table.filter(pl.col("total").is_not_null())
    hidden = totals.filter(pl.col("participations_suppressed"))
    assert hidden["participations"].null_count() == hidden.height
    shown = totals["participations"].drop_nulls()
    assert not ((shown > 0) & (shown < threshold)).any()


def test_totals_of_a_custom_selection_are_withheld(facts):
    custom = SPRING.with_changes(areas=("fyn", "hovedstaden"))
    table = compute_area_month_table(facts, custom, threshold=3, totals=True)
    together = table.filter(pl.col("total").is_in([t("data.total.by_month", "da"),
                                                    t("data.total.grand", "da")]))
    assert together.height == 4 and together["participations_suppressed"].all()
    assert together["participations"].null_count() == together.height
    assert not _row(table, "by_area", area_code="fyn")["participations_suppressed"]


def test_the_excel_holds_the_totals_and_the_note(facts):
    table = compute_area_month_table(facts, SPRING, threshold=1, totals=True, lang="en")
    note = t("disclosure.note", "en")
    data = to_excel_bytes(table, title="x", definitions=load_catalogue(),
                          filters_description="-", filters_params={}, data_version="v",
                          exported_at=datetime(2026, 11, 29), lang="en", disclosure_threshold=1,
                          note=note)
    sheet = pl.read_excel(io.BytesIO(data), sheet_name="Data", engine="calamine")
    assert t("data.total.grand", "en") in sheet["total"].to_list()
    filters = pl.read_excel(io.BytesIO(data), sheet_name="Filters", engine="calamine",
                            has_header=False)
    assert note in filters.to_series(1).to_list()
