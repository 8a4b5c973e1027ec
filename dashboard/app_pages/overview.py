"""Overblik: where VEU activity stands for the chosen filters — KPIs, trend, map, focus areas."""

import streamlit as st

from ui import components, kpis
from ui.context import get_context
from ui.map_view import render_map
from veu_metrics import charts, measures
from veu_metrics.catalogue import get_measure, kpi_measures
from veu_metrics.columns import Column
from veu_metrics.i18n import t
from veu_metrics.periods import add_months, drop_incomplete_last_period

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

components.render_page_header(t("page.overview", lang), filters.describe(lang), lang,
                              intro=t("overview.intro", lang))

# 1) KPI cards, with the same period a year earlier and a 12-month sparkline
kpi_frame = ctx.cached(measures.compute_kpis)(filters)
sparklines = {
    m: ctx.cached(measures.compute_series)(
        filters.with_changes(period_from=add_months(filters.period_to, -11)), m,
        grain="month")["value"].to_list()
    for m in kpi_measures()
}
components.render_kpi_cards(kpis.kpi_cards(ctx, kpi_frame, sparklines), columns=3)

# 2) Trend over the whole history up to the period's end, split by a chosen breakdown
st.divider()
measure_key = components.render_measure_picker(ctx, key="maal")
measure = get_measure(measure_key)
grain_col, split_col = st.columns(2)
grain = components.render_grain_picker(ctx, grain_col)
breakdown = components.render_breakdown_picker(ctx, split_col, measure_key)
history = filters.with_changes(period_from=ctx.dataset.covers_from.replace(day=1))
series = ctx.cached(measures.compute_series)(history, measure_key, grain=grain,
                                             breakdown=breakdown)
series = components.name_groups(series, breakdown, filters.scheme, lang)
series, cut_short = drop_incomplete_last_period(series, grain, filters.period_to)
lines, folded = charts.top_groups(series, other_label=t("chart.others", lang),
                                  additive=measure.kind != "rate") if breakdown else (series, 0)
trend = charts.build_trend_chart(
    lines, period_col="period", value_col="value", unit=measure.unit, decimals=measure.decimals,
    lang=lang, y_title=measure.title(lang), group_col="group" if breakdown else None,
    group_title=t(f"breakdown.{breakdown}", lang) if breakdown else "",
    time_unit=components.TIME_UNITS[grain])
components.render_chart_block(
    ctx, title=t("overview.trend_title", lang, measure=measure.title(lang)), chart=trend,
    table=series, subject=f"{measure_key}-trend", key="trend", measures=[measure_key],
    help=measure.help_text(lang), columns=components.series_columns(measure, grain, breakdown, lang))
if cut_short:
    st.caption(t("trend.partial_left_out", lang, grain=t(f"grain.{grain}", lang).lower()))
if folded:
    st.caption(t("chart.folded" if measure.kind != "rate" else "chart.left_out", lang, n=folded,
                 top=charts.MAX_LINES))

# 3) Map by area and 4) the top focus areas
map_col, focus_col = st.columns([3, 2])
with map_col:
    st.subheader(t("overview.map_title", lang, measure=measure.title(lang),
                   scheme=t(f"scheme.{filters.scheme}", lang)), help=measure.help_text(lang))
    areas = ctx.cached(measures.compute_area_table)(filters, measure_key, filters.scheme)
    render_map(ctx, areas, measure_key=measure_key, scheme=filters.scheme, key="overview",
               legend_below=True)
with focus_col:
    focus = components.fill_missing_label(
        ctx.cached(measures.compute_focus_areas)(filters), "focus_area",
        t("overview.no_focus_area", lang))
    focus_chart = charts.build_bar_chart(
        focus, category_col="focus_area", value_col="participations", unit="participations",
        decimals=0, lang=lang, x_title=get_measure("participations").title(lang))
    components.render_chart_block(
        ctx, title=t("overview.focus_title", lang), chart=focus_chart, table=focus,
        subject="indsatsomraader", key="focus", measures=["participations"],
        help=t("overview.focus_help", lang), columns={"focus_area": Column(label="filters.fokus")})

