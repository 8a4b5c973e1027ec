from datetime import date

import pytest

from veu_metrics.formatting import (
    SUPPRESSED_MARKER,
    format_date,
    format_number,
    format_percent,
    format_value,
)


@pytest.mark.parametrize(("value", "decimals", "lang", "expected"), [
    (12345, 0, "da", "12.345"),
    (12345.678, 1, "da", "12.345,7"),
    (12345.678, 1, "en", "12,345.7"),
    (0, 0, "da", "0"),
    (-1234, 0, "da", "−1.234"),
    (None, 0, "da", "–"),
    (float("nan"), 1, "da", "–"),
])
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals, lang) == expected


def test_format_percent():
    assert format_percent(0.125) == "12,5 %"
    assert format_percent(0.125, 1, "en") == "12.5%"
    assert format_percent(1.0, 0) == "100 %"


def test_suppressed_is_marker_never_zero():
    assert format_number(0, suppressed=True) == SUPPRESSED_MARKER
    assert format_value(3, "persons", suppressed=True) == SUPPRESSED_MARKER
    assert format_value(0.4, "share", suppressed=True) == SUPPRESSED_MARKER


def test_format_date():
    assert format_date(date(2024, 3, 1)) == "1. mar. 2024"
    assert format_date(date(2024, 3, 1), "en") == "1 Mar 2024"
