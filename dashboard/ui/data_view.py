"""The Data page's pieces: cached calls of the core's full tables (``veu_metrics.tables``), download
buttons that build a table only when clicked, and the shown versions of the descriptive tables.

The full tables are computed through ``ctx.cached`` (``ui.data.Cached``): keyed on the dataset
version and small hashable filter values (never on frames), on the shared ``ui.data.load_facts``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from ui import data
from veu_metrics import exports, geography, tables
from veu_metrics.catalogue import load_catalogue
from veu_metrics.columns import Column, file_headers
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_month, format_number
from veu_metrics.i18n import t

if TYPE_CHECKING:
    from ui.context import AppContext


# ------------------------------------------------------------------------------- cached tables
def area_month_table(ctx: AppContext, measures: tuple[str, ...], totals: bool = False
                     ) -> pl.DataFrame:
    """The month × area table; ``totals`` adds the core's protected totals rows (the files)."""
    if totals:
        return ctx.cached(tables.compute_area_month_table)(ctx.filters, measures=measures,
                                                           totals=True, lang=ctx.lang)
    return ctx.cached(tables.compute_area_month_table)(ctx.filters, measures=measures)


def balance_table(ctx: AppContext) -> pl.DataFrame:
    return ctx.cached(tables.compute_balance_table)(ctx.filters)


def area_month_rows(filters: Filters) -> tuple[int, int, int]:
    """(rows, months, areas) of the month × area table, without building it."""
    areas = len(filters.areas) or geography.areas(filters.scheme).height
    return filters.months * areas, filters.months, areas


@st.cache_data(show_spinner=False, max_entries=4)
def _quality(path: str, version: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    dataset = data.load_dataset(path, version)
    return (tables.compute_table_summary(dataset), tables.compute_null_counts(dataset),
            tables.compute_empty_months(dataset))


def quality(ctx: AppContext) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(rows per table, nulls in nullable columns, months without a course start)."""
    return _quality(str(ctx.settings.dataset_dir), ctx.dataset.version)


def dictionary_by_table(lang: str) -> dict[str, pl.DataFrame]:
    dictionary = tables.compute_data_dictionary(lang)
    return {name: part.drop("table") for (name,), part in
            dictionary.group_by("table", maintain_order=True)}


# ------------------------------------------------------------------------------- downloads
def render_deferred_downloads(ctx: AppContext, build: Callable[[], pl.DataFrame], *, subject: str,
                              title: str, key: str, measures: list[str] | None = None,
                              note: str | None = None) -> None:
    """CSV (Danish and plain), Excel and Parquet of a table that is built only when a button is
    clicked — for tables too slow to make on every visit. Same files as ``render_downloads``:
    the Danish CSV and Excel with the column labels, the plain CSV and Parquet with the codes."""
    lang = ctx.lang
    today = date.today()
    catalogue = load_catalogue()
    definitions = [catalogue[m] for m in (measures or []) if m in catalogue] or list(catalogue.values())

    def name(ext: str, suffix: str = "") -> str:
        return exports.export_filename(subject + suffix, ctx.filters.short_name(),
                                       ctx.dataset.version, today, ext)

    def headers(frame: pl.DataFrame) -> dict[str, str]:
        labels = file_headers(frame, lang)
        if "total" in labels:  # the totals rows' label column (tables.compute_area_month_table)
            labels["total"] = t("data.total.col", lang)
        return labels

    def excel() -> bytes:
        frame = build()
        return exports.to_excel_bytes(
            frame, title=title, definitions=definitions,
            filters_description=ctx.filters.describe(lang),
            filters_params=ctx.filters.to_query_params(), data_version=ctx.dataset.version,
            exported_at=datetime.now(), lang=lang, disclosure_threshold=ctx.threshold,
            headers=headers(frame), note=note)

    def danish_csv() -> bytes:
        frame = build()
        return exports.to_csv_bytes(frame, "da", headers=headers(frame), lang=lang)

    row = st.container(horizontal=True, gap="small")  # wraps: labels never cut

    cols = [row] * 4
    cols[0].download_button(
        t("download.csv_da", lang), data=danish_csv,
        file_name=name("csv"), mime="text/csv", key=f"{key}-csv", on_click="ignore",
        help=t("download.csv_da.help", lang))
    cols[1].download_button(
        t("download.csv_plain", lang), data=lambda: exports.to_csv_bytes(build(), "plain"),
        file_name=name("csv", "-plain"), mime="text/csv", key=f"{key}-csvp", on_click="ignore",
        help=t("download.csv_plain.help", lang))
    cols[2].download_button(
        "Excel", data=excel, file_name=name("xlsx"), key=f"{key}-xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help=t("download.excel.help", lang))
    cols[3].download_button(
        "Parquet", data=lambda: exports.to_parquet_bytes(build()), file_name=name("parquet"),
        mime="application/octet-stream", key=f"{key}-pq", on_click="ignore",
        help=t("download.parquet.help", lang))


def render_person_downloads(ctx: AppContext) -> None:
    """Person-level enrolments, only where the deployment allows it (the core checks again)."""
    lang = ctx.lang
    selection = tables.select_enrolments(ctx.dataset, ctx.filters)
    rows = selection.select(pl.len()).collect().item()
    st.caption(t("data.person_rows", lang, rows=format_number(rows, 0, lang)))
    today = date.today()

    def name(ext: str) -> str:
        return exports.export_filename("deltagelser-personniveau", ctx.filters.short_name(),
                                       ctx.dataset.version, today, ext)

    row = st.container(horizontal=True, gap="small")  # wraps: labels never cut

    cols = [row] * 4
    cols[0].download_button(
        t("data.person_csv", lang), key="person-csv", on_click="ignore", file_name=name("csv"),
        mime="text/csv", data=lambda: exports.person_level_export(
            selection, ctx.settings, file_format="csv", dialect="da"))
    cols[1].download_button(
        "Parquet", key="person-pq", on_click="ignore", file_name=name("parquet"),
        mime="application/octet-stream",
        data=lambda: exports.person_level_export(selection, ctx.settings, file_format="parquet"))


# ------------------------------------------------------------------------------- shown frames
def _labels(prefix: str, columns: list[str], lang: str) -> dict[str, Any]:
    return {c: st.column_config.Column(t(f"{prefix}.{c}", lang)) for c in columns}


def dictionary_config(lang: str) -> dict[str, Any]:
    config = _labels("data.col", ["column", "type", "description", "allowed"], lang)
    config["nullable"] = st.column_config.CheckboxColumn(t("data.col.nullable", lang))
    config["key"] = st.column_config.CheckboxColumn(t("data.col.key", lang))
    config["description"] = st.column_config.TextColumn(t("data.col.description", lang),
                                                        width="large")
    return config


def definition_cards(definitions: pl.DataFrame, lang: str) -> list[str]:
    """One Markdown card per measure: title, definition, then unit, period, area and source."""
    cards = []
    for row in definitions.iter_rows(named=True):
        facts = [f"**{t(f'data.col.{c}', lang)}:** {row[c]}"
                 for c in ("unit", "period_basis", "area_attribution", "source")]
        cards.append(f"#### {row['title']}\n{row['definition']}\n\n" + "  \n".join(facts)
                     + f"  \n**{t('data.col.measure', lang)}:** `{row['measure']}`")
    return cards


SUMMARY_COLUMNS = {"table": Column(label="data.col.table"), "rows": Column(label="data.col.rows"),
                   "first": Column(label="data.col.first"), "last": Column(label="data.col.last")}
NULLS_COLUMNS = {
    "table": Column(label="data.col.table"), "field": Column(label="data.col.description"),
    "column": Column(kind="hidden"), "rows": Column(label="data.col.rows"),
    "nulls": Column(label="data.col.nulls"),
    "null_share": Column(label="data.col.null_share", kind="share", progress=True),
}
"""The fields by their meaning, not their code (the code stays in the files, for scripts)."""


def nulls_rows(nulls: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Missing values per field, the field named by its meaning in the data dictionary."""
    fields = [t(f"dict.{table}.{column}", lang)
              for table, column in zip(nulls["table"].to_list(), nulls["column"].to_list(),
                                       strict=True)]
    return nulls.select("table", pl.Series("field", fields, dtype=pl.String), "column", "rows",
                        "nulls", "null_share")


def month_list(months: pl.DataFrame, lang: str) -> str:
    return ", ".join(format_month(m, lang) for m in months["month"].to_list())
