"""Numbers and dates as Danish (default) or English readers expect them.

Danish: 12.345 and 12,5 % and 1. mar. 2024; English: 12,345 and 12.5% and 1 Mar 2024.
Suppressed cells are shown as SUPPRESSED_MARKER, never as 0 or blank (the marker is
``disclosure``'s, re-exported here for display code).
"""

from __future__ import annotations

import math
from datetime import date

from veu_metrics.disclosure import SUPPRESSED_MARKER as SUPPRESSED_MARKER
from veu_metrics.i18n import t

LANGUAGES = ("da", "en")


def month_abbreviations(lang: str = "da") -> tuple[str, ...]:
    """January's to December's short names ('jan.' … 'dec.', 'Jan' … 'Dec'): ``month.*`` in
    texts.yaml."""
    return tuple(t(f"month.{month}", lang) for month in range(1, 13))


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | None, decimals: int = 0, lang: str = "da",
                  suppressed: bool = False) -> str:
    """12345.6 → '12.346' (da) / '12,346' (en); None → '–'; suppressed → the marker."""
    if suppressed:
        return SUPPRESSED_MARKER
    if _is_missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if text.startswith("-"):
        text = "−" + text[1:]  # a true minus sign reads better on a projector
    return "0" if text in {"−0", "−0,0", "−0.0"} and decimals == 0 else text


def format_percent(share: float | None, decimals: int = 1, lang: str = "da",
                   suppressed: bool = False) -> str:
    """A share in [0, 1]: 0.125 → '12,5 %' (da) / '12.5%' (en)."""
    if suppressed:
        return SUPPRESSED_MARKER
    if share is None or _is_missing(share):
        return "–"
    number = format_number(share * 100, decimals, lang)
    return f"{number} %" if lang == "da" else f"{number}%"


def format_value(value: float | int | None, unit: str, decimals: int = 0, lang: str = "da",
                 suppressed: bool = False) -> str:
    """Format by a measure's unit: 'share' as a percentage, anything else as a number."""
    if unit == "share":
        return format_percent(value, decimals, lang, suppressed)
    return format_number(value, decimals, lang, suppressed)


def format_date(day: date | None, lang: str = "da") -> str:
    if day is None:
        return "–"
    month = t(f"month.{day.month}", lang)
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def format_month(day: date, lang: str = "da") -> str:
    month = t(f"month.{day.month}", lang).rstrip(".")
    return f"{month} {day.year}"
