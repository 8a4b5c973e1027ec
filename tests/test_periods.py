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


# --- months and half-years: the one home of date arithmetic ---------------------------------


def test_last_complete_month_and_add_months():
    from veu_metrics.periods import add_months, last_complete_month

    assert last_complete_month(date(2024, 2, 29)) == date(2024, 2, 1)
    assert last_complete_month(date(2024, 2, 28)) == date(2024, 1, 1)
    assert last_complete_month(date(2024, 12, 31)) == date(2024, 12, 1)
    assert add_months(date(2024, 1, 1), -1) == date(2023, 12, 1)
    assert add_months(date(2024, 11, 1), 14) == date(2026, 1, 1)
    assert add_months(date(2024, 3, 15), 0) == date(2024, 3, 1)  # always a first day


@pytest.mark.parametrize(("first", "last", "count"), [
    (date(2024, 1, 1), date(2024, 1, 1), 1),
    (date(2024, 1, 1), date(2024, 12, 1), 12),
    (date(2023, 11, 1), date(2024, 2, 1), 4),
    (date(2024, 3, 1), date(2024, 2, 1), 0),
])
def test_months_between_and_month_range_agree(first, last, count):
    from veu_metrics.periods import month_range, months_between

    assert months_between(first, last) == count
    months = month_range(first, last)
    assert len(months) == count and months == sorted(months)
    assert all(m.day == 1 for m in months)
    if count:
        assert (months[0], months[-1]) == (first, last)


def test_month_start_end_and_key():
    from veu_metrics.periods import month_end, month_key, month_of_key, month_start

    assert month_start(date(2024, 2, 17)) == date(2024, 2, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)  # a leap year
    assert month_end(date(2023, 2, 10)) == date(2023, 2, 28)
    assert month_end(date(2024, 12, 1)) == date(2024, 12, 31)
    assert month_key(date(2024, 3, 1)) == "2024-03"
    assert month_of_key("2024-03") == date(2024, 3, 1)
    with pytest.raises(ValueError):
        month_of_key("2024")


def test_months_apart_expr():
    from veu_metrics.periods import months_apart_expr

    frame = pl.DataFrame({"a": [date(2023, 11, 20), date(2024, 1, 1)],
                          "b": [date(2024, 2, 1), date(2024, 1, 31)]})
    assert frame.select(months_apart_expr(pl.col("a"), pl.col("b")))["b"].to_list() == [3, 0]


@pytest.mark.parametrize(("day", "label", "index"), [
    (date(2024, 1, 1), "2024H1", 4048),
    (date(2024, 6, 30), "2024H1", 4048),
    (date(2024, 7, 1), "2024H2", 4049),
    (date(2024, 12, 31), "2024H2", 4049),
])
def test_half_years_as_numbers_labels_and_expressions_agree(day, label, index):
    from veu_metrics import periods

    assert periods.half_year_index(day) == index
    assert periods.half_year_index_of_label(label) == index
    assert periods.half_year_label_of_index(index) == label
    assert periods.half_year_start(index) == date(day.year, 1 if day.month <= 6 else 7, 1)
    frame = pl.DataFrame({"day": [day], "label": [label], "index": [index]})
    row = frame.select(
        periods.half_year_label_expr(pl.col("day")).alias("label"),
        periods.half_year_index_expr(pl.col("day")).alias("index"),
        periods.half_year_index_of_label_expr(pl.col("label")).alias("from_label"),
        periods.half_year_label_of_index_expr(pl.col("index")).alias("from_index"),
    ).row(0, named=True)
    assert row == {"label": label, "index": index, "from_label": index, "from_index": label}


@pytest.mark.parametrize("bad", ["2024H3", "2024-H1", "24H1", "", "2024h1"])
def test_a_malformed_half_year_is_refused(bad):
    from veu_metrics.periods import half_year_index_of_label

    with pytest.raises(ValueError, match="YYYYH1"):
        half_year_index_of_label(bad)


def test_date_arithmetic_lives_only_in_periods():
    """Month and half-year arithmetic has one home: no other module of the core or the app
    computes a month index or a month's end by hand."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    patterns = re.compile(r"year\(?\)?\)? \* 12|\* 12 \+|\.year \* 2\b|monthrange|timedelta\(days=4\)"
                          r"|def (month_start|add_months|months_between|_?month_end|_month_add)\(")
    found = []
    for folder in ("src/veu_metrics", "dashboard"):
        for path in sorted((root / folder).rglob("*.py")):
            if path.name == "periods.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if patterns.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, "date arithmetic outside periods.py:\n" + "\n".join(found)
