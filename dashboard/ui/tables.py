"""Typed tables: numbers stay numbers (they sort as numbers), shown in Danish or English format.

``render_table`` takes a frame with column codes and optional ``Column`` specs (label, kind,
decimals, progress bar) and shows it with ``st.dataframe`` column configuration. Number and date
cells carry their display text through a pandas Styler (Streamlit shows a Styler's display
values but sorts by the values beneath). Suppressed cells are empty numbers shown with the
table's placeholder, the marker ``..``; a table without hidden cells shows '–' for a missing
value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import pandas as pd
import polars as pl
import streamlit as st

from veu_metrics.columns import Column, cell_text, measure_cell_text, resolve_columns
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_column, hide_flagged, is_flag_of

MAX_STYLED_CELLS = 60_000
"""Above this many number/date cells the Styler is left out (it formats cell by cell in
Python); counts then show without thousands separators, still sorting as numbers."""

_DATE_KINDS = ("date", "month", "quarter", "year")


def table_parts(frame: pl.DataFrame, lang: str, columns: Mapping[str, Column] | None = None
                ) -> tuple[pl.DataFrame, dict[str, Column], str]:
    """The frame to show (flags applied and dropped, shares of progress columns in per cent,
    booleans in words), the resolved columns, and the placeholder for empty cells."""
    resolved = resolve_columns(frame, lang, columns)
    hidden_any = False
    exprs: list[pl.Expr] = []
    for name, column in resolved.items():
        flag = flag_column(name)
        expr = pl.col(name)
        if flag in frame.columns:
            hidden_any = hidden_any or bool(frame[flag].fill_null(False).any())
            expr = hide_flagged(name)
        if column.kind == "share" and column.progress:
            expr = expr * 100
        if column.kind == "flag":
            expr = pl.when(expr).then(pl.lit(cell_text(True, column, lang))).when(~expr).then(
                pl.lit(cell_text(False, column, lang)))
        if frame.schema[name] == pl.Categorical or isinstance(frame.schema[name], pl.Enum):
            expr = expr.cast(pl.String)
        exprs.append(expr.alias(name))
    shown = frame.select(exprs) if exprs else frame
    return shown, resolved, SUPPRESSED_MARKER if hidden_any else "–"


def column_config(resolved: Mapping[str, Column], lang: str) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name, column in resolved.items():
        label, help_text = column.label, column.help
        if column.kind == "hidden":  # kept for the files (and per-row units), not shown
            config[name] = None
        elif column.kind == "share" and column.progress:
            config[name] = st.column_config.ProgressColumn(
                label, help=help_text, min_value=0, max_value=100,
                format="%.0f %%" if lang == "da" else "%.0f%%")
        elif column.kind in ("count", "number", "share"):
            config[name] = st.column_config.NumberColumn(label, help=help_text)
        elif column.kind in _DATE_KINDS:
            config[name] = st.column_config.DateColumn(label, help=help_text)
        else:
            config[name] = st.column_config.TextColumn(label, help=help_text)
    return config


def styled(shown: pl.DataFrame, resolved: Mapping[str, Column], lang: str) -> Any:
    """A pandas Styler whose display values are the Danish/English texts of numbers and dates;
    the frame itself when there is nothing to format or too much."""
    formatted = [n for n, c in resolved.items()
                 if c.kind in ("count", "number", "share", *_DATE_KINDS) and not c.progress]
    if not formatted or shown.height * len(formatted) > MAX_STYLED_CELLS:
        return shown
    frame = shown.to_pandas(use_pyarrow_extension_array=True)
    formatters: dict[str, str | Callable[[object], str] | None] = {
        name: _cell_formatter(resolved[name], lang)
        for name in formatted if not resolved[name].unit_from}
    styler = frame.style.format(formatters)
    for name in formatted:
        source = resolved[name].unit_from
        if not source or source not in shown.columns:
            continue
        for measure_key in set(shown[source].to_list()):
            rows = [i for i, k in enumerate(shown[source].to_list()) if k == measure_key]
            styler = styler.format(_measure_formatter(measure_key, lang),
                                   subset=pd.IndexSlice[rows, [name]])
    return styler


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _cell_formatter(column: Column, lang: str) -> Callable[[Any], str]:
    """A cell's display text in ``column``'s kind; a pandas timestamp of a date column as a date."""
    def text(value: Any) -> str:
        if _missing(value):
            return ""
        if column.kind in _DATE_KINDS and callable(getattr(value, "date", None)):
            value = value.date()
        return cell_text(value, column, lang)
    return text


def _measure_formatter(measure_key: str, lang: str) -> Callable[[Any], str]:
    """A cell's display text in the unit of the measure its row holds."""
    def text(value: Any) -> str:
        return "" if _missing(value) else measure_cell_text(value, measure_key, lang)
    return text


def render_table(frame: pl.DataFrame, lang: str, columns: Mapping[str, Column] | None = None,
                 *, key: str | None = None,
                 height: int | Literal["auto", "stretch", "content"] = "auto",
                 **options: Any) -> Any:
    """Show ``frame`` as a typed table; returns what ``st.dataframe`` returns (a selection
    event when ``on_select`` is passed)."""
    shown, resolved, placeholder = table_parts(frame, lang, columns)
    return st.dataframe(styled(shown, resolved, lang), hide_index=True, width="stretch",
                        column_config=column_config(resolved, lang), placeholder=placeholder,
                        key=key, height=height, **options)


def columns_of(frame: pl.DataFrame) -> list[str]:
    """The shown columns (flags left out), in order."""
    return [c for c in frame.columns if not is_flag_of(c, frame.columns)]
