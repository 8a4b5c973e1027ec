from datetime import date

import polars as pl
import pytest

from veu_metrics.periods import drop_incomplete_last_period, is_complete


@pytest.mark.parametrize(("last_month", "grain", "expected"), [
    (date(2026, 10, 1), "month", True),
    (date(2026, 10, 1), "quarter", False),
    (date(2026, 9, 1), "quarter", True),
    (date(2026, 12, 1), "quarter", True),
    (date(2026, 11, 1), "year", False),
    (date(2026, 12, 1), "year", True),
])
def test_is_complete(last_month, grain, expected):
    assert is_complete(last_month, grain) is expected


def test_drops_only_the_cut_short_last_period_of_every_group():
    series = pl.DataFrame({
        "period": [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)] * 2,
        "group": ["a"] * 3 + ["b"] * 3,
        "value": [1, 2, 3, 4, 5, 6],
    })
    kept, dropped = drop_incomplete_last_period(series, "quarter", date(2026, 10, 1))
    assert dropped
    assert kept["period"].max() == date(2026, 7, 1) and kept.height == 4
    same, dropped = drop_incomplete_last_period(series, "quarter", date(2026, 12, 1))
    assert not dropped and same.equals(series)


def test_period_presets_cover_the_last_12_months_years_and_quarters():
    from veu_metrics.periods import LAST_12, period_presets, preset_label

    presets = period_presets(date(2018, 1, 1), date(2026, 10, 31))
    assert list(presets)[:3] == [LAST_12, "2026", "2025"]
    assert presets[LAST_12] == (date(2025, 11, 1), date(2026, 10, 1))
    assert presets["2026"] == (date(2026, 1, 1), date(2026, 10, 1))  # up to the last month
    assert presets["2024"] == (date(2024, 1, 1), date(2024, 12, 1))
    assert presets["2026 K4"] == (date(2026, 10, 1), date(2026, 10, 1))
    assert presets["2025 K2"] == (date(2025, 4, 1), date(2025, 6, 1))
    assert "2017" not in presets and "2018 K1" in presets
    assert preset_label("2025 K2", "en") == "2025 Q2" and preset_label(LAST_12, "en") == "Last 12 months"
    # Data shorter than a year: the last 12 months start with the data.
    assert period_presets(date(2026, 3, 1), date(2026, 5, 31))[LAST_12] == (date(2026, 3, 1), date(2026, 5, 1))
