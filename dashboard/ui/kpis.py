"""KPI cards from the core's compute_kpis: formatted values, change vs a year earlier, sparklines;
and how wide a card must be for its words to stay whole (the grid's columns follow from that)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from veu_metrics.catalogue import get_measure
from veu_metrics.formatting import format_number, format_percent, format_value
from veu_metrics.i18n import t

if TYPE_CHECKING:
    from ui.context import AppContext


def format_change(row: dict[str, Any], unit: str, lang: str) -> str | None:
    """'+3,5 %' for amounts (relative), '+1,9 procentpoint' for shares; None when not available.

    The sign is an ASCII '-': st.metric reads the direction of its arrow from it."""
    if not row.get("previous_available") or row.get("change_suppressed") or row.get("change") is None:
        return None
    if unit == "share":
        points = format_number(row["change"] * 100, 1, lang)
        sign = "+" if row["change"] > 0 else ""
        return f"{sign}{points} {t('unit.pp', lang)}".replace("−", "-")
    if row.get("change_pct") is None:
        return None
    sign = "+" if row["change_pct"] > 0 else ""
    return f"{sign}{format_percent(row['change_pct'], 1, lang)}".replace("−", "-")


def kpi_cards(ctx: AppContext, kpis: pl.DataFrame, sparklines: dict[str, list[float]]
              ) -> list[dict[str, Any]]:
    lang = ctx.lang
    cards = []
    for row in kpis.iter_rows(named=True):
        measure = get_measure(row["measure"])
        value = format_value(row["value"], measure.unit, measure.decimals, lang,
                             suppressed=row["value_suppressed"])
        national = format_value(row["value_national"], measure.unit, measure.decimals, lang,
                                suppressed=row["value_national_suppressed"])
        help_text = measure.help_text(lang)
        if ctx.filters.areas:
            help_text += "\n\n" + t("kpi.national", lang, value=national)
        cards.append({
            "label": measure.title(lang),
            "value": value,
            "delta": format_change(row, measure.unit, lang),
            "delta_color": "normal" if measure.higher_is_better else "inverse",
            "delta_description": t("kpi.vs_last_year", lang),
            "help": help_text,
            "sparkline": [v for v in sparklines.get(row["measure"], []) if v is not None],
        })
    return cards


# Advance widths (em) of Streamlit's font (Source Sans), each class at its widest member as drawn
# by Chromium: an estimate of a text's width that errs on the wide side, never on the narrow one
# ("Gennemførelsesprocent" is drawn 10.0 em wide and estimated at 11.1 em).
_NARROW_CHARS = frozenset("fijlrtI.,:;!()[]-/'| ")  # at most 0.35 em
_WIDE_CHARS = frozenset("mwMWæÆ%@")  # at most 0.83 em
_NARROW_EM, _LOWER_EM, _UPPER_EM, _WIDE_EM, _OTHER_EM = 0.36, 0.56, 0.66, 0.84, 1.0


def text_width_em(text: str) -> float:
    """The width of ``text`` on one line in em of its font size, estimated from above."""
    width = 0.0
    for char in text:
        if char in _NARROW_CHARS:
            width += _NARROW_EM
        elif char in _WIDE_CHARS:
            width += _WIDE_EM
        elif char.islower() or char.isdigit() or char in "+−–":
            width += _LOWER_EM
        elif char.isupper():
            width += _UPPER_EM
        else:  # symbols, arrows, emoji: as wide as a square
            width += _OTHER_EM
    return width


def longest_word_em(texts: Iterable[str | None]) -> float:
    """The widest single word of ``texts`` (em): the narrowest a box can be that breaks no word."""
    return max((text_width_em(word) for text in texts if text for word in text.split()), default=0.0)


def kpi_grid_style(cards: Iterable[Mapping[str, Any]], columns: int) -> str:
    """The CSS custom properties the KPI grid (components.LAYOUT_CSS) sizes its columns from: the
    widest title word, whole value, whole comparison and widest note word of all ``cards`` in em
    (each multiplied there by its font size, which meeting mode enlarges), and the most columns."""
    cards = list(cards)
    widths = {
        "label": longest_word_em(card["label"] for card in cards),
        "value": max((text_width_em(str(card["value"])) for card in cards), default=0.0),
        "delta": max((text_width_em(card.get("delta") or "") for card in cards), default=0.0),
        "note": longest_word_em(card.get("delta_description") for card in cards),
    }
    properties = "".join(f" --veu-kpi-{part}-em: {em:.2f};" for part, em in widths.items())
    return f"--veu-kpi-columns: {max(1, int(columns))};{properties}"
