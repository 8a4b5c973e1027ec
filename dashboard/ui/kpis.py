"""KPI cards from the core's compute_kpis: formatted values, change vs a year earlier, sparklines."""

from __future__ import annotations

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
