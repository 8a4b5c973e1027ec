"""How a table column is shown to people: its label and its kind (count, share, date …).

A table on screen and in a file for people keeps its numbers as numbers (so it sorts as
numbers) and formats them only for display, in Danish or English. This module decides, per
column, the label and the kind; ``dashboard/ui/tables.py`` turns that into Streamlit's column
configuration, and ``file_headers`` gives the same labels to the files (Danish CSV, Excel).

A column's kind comes, in this order, from an explicit ``Column`` given by the caller, from the
measures catalogue (a column named like a measure: its unit and decimals), or from its type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import polars as pl

from veu_metrics.catalogue import load_catalogue
from veu_metrics.disclosure import is_flag_of
from veu_metrics.formatting import format_month, format_value
from veu_metrics.i18n import t, texts

Kind = Literal["text", "count", "number", "share", "date", "month", "quarter", "year", "flag",
               "hidden"]

PERIOD_KINDS: dict[str, Kind] = {"month": "month", "quarter": "quarter", "year": "year"}
"""A time grain → the kind of a period column at that grain."""


@dataclass(frozen=True)
class Column:
    """One column as people see it. ``label`` is a texts.yaml key or, when no such key exists,
    the label itself; ``decimals`` applies to numbers and shares; ``progress`` draws a share as
    a bar (where the share is the point, e.g. progress towards a target)."""

    label: str | None = None
    kind: Kind | None = None
    decimals: int | None = None
    progress: bool = False
    help: str | None = None
    unit_from: str | None = None
    """A column holding each row's measure key: the cell takes that measure's unit and
    decimals (a table of targets mixes counts, årselever and shares)."""


def column_label(name: str, lang: str, label: str | None = None) -> str:
    """The label of a column: the given text key or text, a measure's title, a ``col.<name>``
    text, or (last resort) the name itself."""
    if label is not None:
        return t(label, lang) if label in texts() else label
    catalogue = load_catalogue()
    measure = catalogue.get(name)
    if measure is not None:
        return measure.title(lang)
    for part in ("numerator", "denominator"):  # a rate's parts: 'Gennemførelsesprocent – tæller'
        base = name.removesuffix(f"_{part}")
        if base != name and base in catalogue:
            return f"{catalogue[base].title(lang)} – {t(f'col.{part}', lang)}"
    key = f"col.{name}"
    return t(key, lang) if key in texts() else name


def resolve_columns(frame: pl.DataFrame, lang: str,
                    columns: Mapping[str, Column] | None = None) -> dict[str, Column]:
    """A complete ``Column`` (label text, kind, decimals) for every shown column of ``frame``
    (the ``<x>_suppressed`` flags are not shown: they decide where the marker goes)."""
    given = dict(columns or {})
    catalogue = load_catalogue()
    resolved: dict[str, Column] = {}
    for name, dtype in frame.schema.items():
        if is_flag_of(name, frame.columns):
            continue
        spec = given.get(name, Column())
        kind, decimals = spec.kind, spec.decimals
        measure = catalogue.get(name)
        if kind is None and measure is not None:
            kind = "share" if measure.unit == "share" else ("count" if measure.decimals == 0
                                                            else "number")
            decimals = measure.decimals if decimals is None else decimals
        if kind is None:
            kind = _kind_of(dtype)
        if decimals is None:
            decimals = 1 if kind in ("share", "number") else 0
        resolved[name] = replace(spec, label=column_label(name, lang, spec.label), kind=kind,
                                 decimals=decimals)
    return resolved


def _kind_of(dtype: pl.DataType) -> Kind:
    if dtype == pl.Boolean:
        return "flag"
    if dtype == pl.Date or dtype.is_temporal():
        return "date"
    if dtype.is_integer():
        return "count"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    return "text"


def cell_text(value: object, column: Column, lang: str) -> str:
    """One cell as a person reads it (numbers in the language's format, Danish dates)."""
    if value is None:
        return "–"
    kind = column.kind
    if kind == "share":
        return format_value(value, "share", column.decimals or 0, lang)  # type: ignore[arg-type]
    if kind in ("count", "number"):
        return format_value(value, "count", column.decimals or 0, lang)  # type: ignore[arg-type]
    if kind == "date" and isinstance(value, date):
        return format_table_date(value)
    if kind == "month" and isinstance(value, date):
        return format_month(value, lang)
    if kind == "quarter" and isinstance(value, date):
        return t("period.quarter", "da" if lang == "da" else "en", year=value.year,
                 quarter=(value.month - 1) // 3 + 1)
    if kind == "year" and isinstance(value, date):
        return str(value.year)
    if kind == "flag":
        return t("value.yes" if value else "value.no", lang)
    return str(value)


def measure_cell_text(value: object, measure_key: str | None, lang: str) -> str:
    """A cell formatted by the unit and decimals of the measure named in its row."""
    measure = load_catalogue().get(measure_key or "")
    if value is None or measure is None:
        return "–" if value is None else str(value)
    return format_value(value, measure.unit, measure.decimals, lang)  # type: ignore[arg-type]


def format_table_date(day: date | None) -> str:
    """The date format of tables: ``30-10-2026`` (day-month-year, as Danish tables write it;
    text uses ``formatting.format_date``: ``30. okt. 2026``)."""
    return "–" if day is None else f"{day.day:02d}-{day.month:02d}-{day.year}"


def file_headers(frame: pl.DataFrame, lang: str,
                 columns: Mapping[str, Column] | None = None) -> dict[str, str]:
    """Column → label for a file people open (``exports.to_csv_bytes(..., headers=...)``):
    the same labels as on screen, made unique. Codes stay in the plain CSV and Parquet."""
    headers: dict[str, str] = {}
    for name, column in resolve_columns(frame, lang, columns).items():
        label, n = column.label or name, 2
        while label in headers.values():
            label, n = f"{column.label} ({n})", n + 1
        headers[name] = label
    return headers
