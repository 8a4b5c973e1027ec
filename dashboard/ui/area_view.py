"""Pieces of the Område page: year and area defaults, target tables, the meeting pack."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from ui.filter_panel import SCHEME_LABELS
from ui.kpis import format_change
from veu_metrics import charts, geography, images, measures
from veu_metrics.catalogue import Measure, get_measure
from veu_metrics.charts import AltairChart
from veu_metrics.columns import Column
from veu_metrics.disclosure import flag_column
from veu_metrics.filters import Filters
from veu_metrics.formatting import format_month, format_value
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.meeting_pack import build_meeting_pack_html, slug_title
from veu_metrics.targets import status_in_brief

if TYPE_CHECKING:
    from ui.context import AppContext


def target_years(ctx: AppContext) -> list[int]:
    """Strategy years with data, newest first."""
    first, last = ctx.dataset.covers_from.year, ctx.dataset.covers_to.year
    return list(range(last, first - 1, -1))


def default_year(ctx: AppContext, years: list[int]) -> int:
    year = ctx.filters.period_to.year
    return year if year in years else years[0]


def default_area(filters: Filters, scheme: AreaScheme) -> str:
    """The filter's area when it is one of this scheme's, else the scheme's first area."""
    codes = list(geography.area_names(scheme))
    if filters.scheme == scheme and filters.areas and filters.areas[0] in codes:
        return filters.areas[0]
    members = filters.municipality_codes()
    if members:  # another scheme's area: the area of this scheme that holds its first municipality
        area_of: dict[int, str] = dict(geography.area_lookup(scheme).iter_rows())
        return area_of[members[0]]
    return codes[0]


def share_area_choice(scheme: AreaScheme, choice_key: str = "omraade") -> None:
    """on_change of the Område page's area choice: set the sidebar's shared, URL-bound filter
    (``inddeling`` and ``omr``) to the chosen area, so every other page shows it too.

    A callback runs before the next script run, i.e. before the sidebar's widgets exist in that
    run: the only moment Streamlit lets their keyed state be written (``st.query_params`` cannot
    write a bound key; the widgets write the URL themselves).
    """
    label = st.session_state.get(choice_key)
    if label is None:
        return
    st.session_state["inddeling"] = SCHEME_LABELS[scheme]
    st.session_state["omr"] = [label]


def follow_shared_area(filters: Filters, scheme: AreaScheme, names: dict[str, str],
                       choice_key: str = "omraade") -> None:
    """Before the area choice is drawn: when the shared filter names exactly one area of this
    scheme and the choice shows another, the choice follows the filter (one area everywhere)."""
    if filters.scheme != scheme or len(filters.areas) != 1 or filters.areas[0] not in names:
        return
    shared = names[filters.areas[0]]
    if st.session_state.get(choice_key, shared) != shared:
        st.session_state[choice_key] = shared


def area_members(scheme: AreaScheme, area_code: str) -> tuple[str, ...]:
    """Municipality codes (as text) of an area: the map zooms to them."""
    lookup = geography.area_lookup(scheme)
    return tuple(str(c) for c, a in lookup.iter_rows() if a == area_code)


def target_labels(lang: str) -> dict[str, str]:
    labels = {key: t(f"target.{key}", lang)
              for key in ("on_track", "behind", "unknown", "actual", "projection", "status", "axis")}
    labels["expected_now"] = t("target.expected_now", lang)
    labels["of_target_at_end"] = t("target.of_target_at_end", lang)
    return labels


def target_table(progress: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Progress rows with a readable label: 'Kursusdeltagelser — Grøn omstilling'."""
    labels = [
        get_measure(m).title(lang) + (f" — {f}" if f else "")
        for m, f in zip(progress["measure"], progress["focus_area"], strict=True)
    ]
    return progress.with_columns(pl.Series("label", labels, dtype=pl.String))


def target_chart(table: pl.DataFrame, lang: str, scale: float = 1.0) -> AltairChart:
    """The bullet chart of the area's targets (one per target, every one labelled)."""
    return charts.build_target_chart(
        table.drop_nulls("target"), label_col="label", actual_col="actual_ytd",
        projection_col="projection", target_col="target", on_track_col="on_track", lang=lang,
        labels=target_labels(lang), expected_col="expected_by_now", scale=scale)


TARGET_COLUMNS: dict[str, Column] = {
    "measure": Column(kind="hidden"),
    "label": Column(label="col.label"),
    "target": Column(kind="number", unit_from="measure"),
    "actual_ytd": Column(kind="number", unit_from="measure"),
    "expected_by_now": Column(kind="number", unit_from="measure"),
    "projection": Column(kind="number", unit_from="measure"),
    "share_of_target": Column(kind="share", progress=True),
    "status": Column(label="col.status"),
}
"""The target table: values in each target's own unit (årselever with 1 decimal, shares as
per cent), the expected share of the target as a bar."""


def target_rows(table: pl.DataFrame, lang: str | None = None) -> pl.DataFrame:
    """What the target table shows and its files hold: numbers, with the status in words."""
    lang = lang or "da"
    status = [
        t("target.unknown", lang) if v is None else t("target.on_track" if v else "target.behind", lang)
        for v in table["on_track"].to_list()
    ]
    return table.select(
        "measure", "label", "target", "actual_ytd", "actual_ytd_suppressed", "expected_by_now",
        "projection", "projection_suppressed", "share_of_target", "share_of_target_suppressed",
    ).with_columns(pl.Series("status", status, dtype=pl.String))


def status_brief(progress: pl.DataFrame, kpi_frame: pl.DataFrame, lang: str) -> str:
    """The "status in brief" paragraph (the same text in the meeting pack)."""
    labelled = target_table(progress, lang) if not progress.is_empty() else progress
    change = kpi_frame.filter(pl.col("measure") == "participations")
    row = change.row(0, named=True) if change.height else None
    return status_in_brief(progress, labelled["label"].to_list() if not progress.is_empty() else [],
                           lang=lang, change_row=row,
                           change_title=get_measure("participations").title(lang))


def national_line(kpi_frame: pl.DataFrame, measure: Measure, lang: str) -> str | None:
    rows = kpi_frame.filter(pl.col("measure") == measure.key)
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    value = format_value(row["value_national"], measure.unit, measure.decimals, lang,
                         suppressed=row["value_national_suppressed"])
    return t("kpi.national", lang, value=value)


COURSE_COLUMNS: dict[str, Column] = {
    "title": Column(label="courses.col.title"), "provider": Column(label="courses.col.provider"),
    "place": Column(label="courses.col.place"), "start_date": Column(label="courses.col.start_date"),
    "end_date": Column(label="courses.col.end_date"),
    "education_type": Column(label="courses.col.education_type"),
    "funding": Column(label="courses.col.funding"),
    "occupation": Column(label="courses.col.occupation"),
    "seats": Column(label="courses.col.seats", kind="count"),
    "participants": Column(label="courses.col.participants", kind="count"),
}


def course_rows(courses: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The latest courses as a typed table (dates and counts stay dates and numbers)."""
    title_col = "occupation_title_en" if lang == "en" else "occupation_title_da"
    return courses.select(
        "title", "provider", "place", "start_date", "end_date",
        pl.col("education_type").cast(pl.String), pl.col("funding").cast(pl.String),
        pl.col(title_col).alias("occupation"), "seats", "participants", "participants_suppressed",
    )


def render_meeting_pack(ctx: AppContext, *, area_label: str, area_filters: Filters,
                        kpi_frame: pl.DataFrame, progress: pl.DataFrame,
                        target_chart: AltairChart | None, brief: str, year: int) -> None:
    """One click: a self-contained, printable HTML file with the area's figures for the
    strategy year: the status in brief, KPI cards, the target chart and table, and the area's
    monthly development against the year before."""
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
        target_rows_ = []
        for row in target_table(progress, lang).iter_rows(named=True):
            measure = get_measure(row["measure"])

            def fmt(column: str, row: dict[str, Any] = row, measure: Measure = measure) -> str:
                return format_value(row[column], measure.unit, measure.decimals, lang,
                                    suppressed=bool(row.get(flag_column(column))))

            target_rows_.append({
                "measure_title": measure.title(lang), "focus_area": row["focus_area"],
                "target_text": fmt("target"), "actual_text": fmt("actual_ytd"),
                "projection_text": fmt("projection"), "on_track": row["on_track"],
            })
        source = ctx.dataset.metadata.get("source", "")
        description = area_filters.describe(lang)
        figures = []
        if target_chart is not None:
            figures.append((t("area.targets_chart", lang), images.chart_to_png(
                target_chart, title=t("area.targets_chart", lang), subtitle=description,
                source_line=source, lang=lang)))
        development = development_chart(ctx, area_filters, lang)
        if development is not None:
            title = t("area.development_title", lang,
                      measure=get_measure("participations").title(lang))
            figures.append((title, images.chart_to_png(
                development, title=title, subtitle=description, source_line=source, lang=lang)))
        html = build_meeting_pack_html(
            area_name=area_label, period_description=period_text(area_filters, lang),
            kpis=kpi_rows, target_rows=target_rows_, charts=figures, map_png=None,
            source_line=source, data_version=ctx.dataset.version, generated_at=datetime.now(),
            lang=lang, disclosure_threshold=ctx.threshold, brief=brief,
            charts_heading=t("area.development", lang))
        return html.encode("utf-8")

    st.download_button(
        t("area.meeting_pack", lang), data=build, mime="text/html", on_click="ignore",
        file_name=meeting_pack_filename(area_label, year, lang),
        help=t("area.meeting_pack.help", lang), type="primary", key="meeting-pack")


def period_text(filters: Filters, lang: str) -> str:
    """The period without its label ('jan. 2026–okt. 2026'): the pack writes 'Periode:' itself."""
    first, last = format_month(filters.period_from, lang), format_month(filters.period_to, lang)
    return first if first == last else f"{first}–{last}"


def meeting_pack_filename(area_label: str, year: int, lang: str) -> str:
    """A short name a secretariat can file: 'VEU-status-Midtjylland-2026.html'."""
    short = area_label.removeprefix("Beskæftigelsesrådet ").removeprefix("RAR ")
    return f"{t('area.meeting_pack.file', lang)}-{slug_title(short)}-{year}.html"


def development_chart(ctx: AppContext, area_filters: Filters, lang: str
                      ) -> AltairChart | None:
    """The area's participations by month in the strategy year and the year before, as lines
    (the development the council follows; the other areas are on the page, not in the pack)."""
    months = area_filters.period_to.month
    previous = area_filters.with_changes(
        period_from=area_filters.period_from.replace(year=area_filters.period_from.year - 1))
    if previous.period_from < ctx.dataset.covers_from.replace(day=1):
        previous = area_filters
    series = ctx.cached(measures.compute_series)(previous, "participations",
                                                 grain="month", breakdown=None)
    if series.is_empty():
        return None
    series = series.filter(pl.col("period").dt.month() <= months).with_columns(
        pl.col("period").dt.year().cast(pl.String).alias("group"),
        pl.col("period").dt.month().alias("month_number"))
    measure = get_measure("participations")
    return charts.build_year_lines_chart(series, value_col="value", unit=measure.unit,
                                         decimals=measure.decimals, lang=lang,
                                         y_title=measure.title(lang))
