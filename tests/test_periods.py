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
