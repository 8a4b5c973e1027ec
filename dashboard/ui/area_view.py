"""Pieces of the Område page: year and area defaults, target tables, the meeting pack."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import altair as alt
import polars as pl
import streamlit as st

from ui.components import display_frame, text_column
from ui.kpis import format_change
from veu_metrics import geography, images
from veu_metrics.catalogue import Measure, get_measure
from veu_metrics.exports import export_filename
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_date, format_value
from veu_metrics.i18n import t
from veu_metrics.meeting_pack import build_meeting_pack_html

if TYPE_CHECKING:
    from ui.context import AppContext


def target_years(ctx: AppContext) -> list[int]:
    """Strategy years with data, newest first."""
    first, last = ctx.dataset.covers_from.year, ctx.dataset.covers_to.year
    return list(range(last, first - 1, -1))


def default_year(ctx: AppContext, years: list[int]) -> int:
    year = ctx.filters.period_to.year
    return year if year in years else years[0]


def default_area(filters: Filters, scheme: str) -> str:
    """The filter's area when it is one of this scheme's, else the scheme's first area."""
    codes = list(geography.area_names(scheme))
    if filters.scheme == scheme and filters.areas and filters.areas[0] in codes:
        return filters.areas[0]
    members = filters.municipality_codes()
    if members:  # another scheme's area: the area of this scheme that holds its first municipality
        return dict(geography.area_lookup(scheme).iter_rows())[members[0]]
    return codes[0]


def area_members(scheme: str, area_code: str) -> tuple[str, ...]:
    """Municipality codes (as text) of an area: the map zooms to them."""
    lookup = geography.area_lookup(scheme)
    return tuple(str(c) for c, a in lookup.iter_rows() if a == area_code)


def target_labels(lang: str) -> dict[str, str]:
    return {key: t(f"target.{key}", lang)
            for key in ("on_track", "behind", "actual", "projection", "status", "axis")}


def target_table(progress: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Progress rows with a readable label: 'Kursusdeltagelser — Grøn omstilling'."""
    labels = [
        get_measure(m).title(lang) + (f" — {f}" if f else "")
        for m, f in zip(progress["measure"], progress["focus_area"], strict=True)
    ]
    return progress.with_columns(pl.Series("label", labels, dtype=pl.String))


def target_display(table: pl.DataFrame, lang: str) -> pl.DataFrame:
    """What the table view shows: label, target, so far, projection, share, status."""
    status = [
        t("target.unknown", lang) if v is None else t("target.on_track" if v else "target.behind", lang)
        for v in table["on_track"].to_list()
    ]
    shown = table.select(
        "label", "target", "actual_ytd", "actual_ytd_suppressed",
        "projection", "projection_suppressed", "share_of_target", "share_of_target_suppressed",
    ).with_columns(pl.Series("status", status, dtype=pl.String))
    frame = display_frame(shown, lang)
    return frame.rename({
        "label": t("target.col.label", lang), "target": t("target.col.target", lang),
        "actual_ytd": t("target.actual", lang), "projection": t("target.projection", lang),
        "share_of_target": t("target.col.share", lang), "status": t("target.status", lang),
    })


def national_line(kpi_frame: pl.DataFrame, measure: Measure, lang: str) -> str | None:
    rows = kpi_frame.filter(pl.col("measure") == measure.key)
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    value = format_value(row["value_national"], measure.unit, measure.decimals, lang,
                         suppressed=row["value_national_suppressed"])
    return t("kpi.national", lang, value=value)


def course_display(courses: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The course list as people read it: Danish dates, names, the marker for hidden counts."""
    title_col = "occupation_title_en" if lang == "en" else "occupation_title_da"
    frame = courses.select(
        "title", "provider", "place",
        text_column(courses, "start_date", lambda d: format_date(d, lang)),
        text_column(courses, "end_date", lambda d: format_date(d, lang)),
        pl.col("education_type").cast(pl.String), pl.col("funding").cast(pl.String),
        pl.col(title_col).alias("occupation"), "seats", "participants", "participants_suppressed",
    )
    return display_frame(frame, lang).rename({c: t(f"courses.col.{c}", lang) for c in (
        "title", "provider", "place", "start_date", "end_date", "education_type", "funding",
        "occupation", "seats", "participants")})


def render_meeting_pack(ctx: AppContext, *, area_label: str, area_filters: Filters,
                        kpi_frame: pl.DataFrame, progress: pl.DataFrame,
                        others_chart: alt.TopLevelMixin, measure_title: str) -> None:
    """One click: a self-contained, printable HTML file with the area's figures."""
    lang = ctx.lang

    def build() -> bytes:
        kpi_rows = []
        for row in kpi_frame.iter_rows(named=True):
            measure = get_measure(row["measure"])
            kpi_rows.append({
                "title": measure.title(lang),
                "value_text": format_value(row["value"], measure.unit, measure.decimals, lang,
                                           suppressed=row["value_suppressed"]),
                "change_text": format_change(row, measure.unit, lang) or "",
                "definition": measure.definition(lang),
            })
        target_rows = []
        for row in target_table(progress, lang).iter_rows(named=True):
            measure = get_measure(row["measure"])

            def fmt(column: str, row=row, measure=measure) -> str:
                return format_value(row[column], measure.unit, measure.decimals, lang,
                                    suppressed=bool(row.get(f"{column}_suppressed")))

            target_rows.append({
                "measure_title": measure.title(lang), "focus_area": row["focus_area"],
                "target_text": fmt("target"), "actual_text": fmt("actual_ytd"),
                "projection_text": fmt("projection"), "on_track": row["on_track"],
            })
        source = ctx.dataset.metadata.get("source", "")
        chart_png = images.chart_to_png(
            others_chart, title=t("area.compare_title", lang, measure=measure_title),
            subtitle=area_filters.describe(lang), source_line=source, lang=lang)
        html = build_meeting_pack_html(
            area_name=area_label, period_description=area_filters.describe(lang), kpis=kpi_rows,
            target_rows=target_rows, charts=[(t("area.compare_title", lang, measure=measure_title),
                                              chart_png)],
            map_png=None, source_line=source, data_version=ctx.dataset.version,
            generated_at=datetime.now(), lang=lang, disclosure_threshold=ctx.threshold)
        return html.encode("utf-8")

    st.download_button(
        t("area.meeting_pack", lang), data=build, mime="text/html", on_click="ignore",
        file_name=export_filename(f"moedemateriale-{area_label}", area_filters.short_name(),
                                  ctx.dataset.version, datetime.now().date(), "html"),
        help=t("area.meeting_pack.help", lang), type="primary", key="meeting-pack")
