"""Jobcentre: how the 98 job centres use upskilling — uptake per 1,000 full-time unemployed,
actual against expected, a map, one job centre's trend and its comparable municipalities."""

import streamlit as st

from ui import components, jobcentre_view
from ui.context import get_context
from ui.map_view import render_map
from veu_metrics import charts, geography
from veu_metrics.catalogue import get_measure
from veu_metrics.i18n import t
from veu_metrics.periods import drop_incomplete_last_period

ctx = get_context()
lang, filters = ctx.lang, ctx.filters
uptake = get_measure("jobcentre_uptake")

components.render_page_header(t("page.jobcentres", lang), filters.describe(lang), lang,
                              intro=t("jobcentre.intro", lang))

# 1) Ranking with actual vs expected
ranking = ctx.compute.compute_jobcentre_ranking(filters, threshold=ctx.threshold)
if ranking.is_empty():
    components.render_no_data(lang)
    st.stop()
choices = jobcentre_view.municipality_choices()
in_view = [name for name in ranking["municipality_name"].to_list() if name in choices]
chosen_name = st.selectbox(t("jobcentre.choose", lang), in_view, key="kommune", bind="query-params",
                           help=t("jobcentre.choose_help", lang))
chosen_code = choices[chosen_name]

scatter_col, map_col = st.columns([1, 1])
with scatter_col:
    scatter = charts.build_actual_expected_chart(
        ranking, name_col="municipality_name", actual_col="uptake", expected_col="expected_uptake",
        lang=lang, x_title=t("jobcentre.expected", lang), y_title=t("jobcentre.actual", lang),
        highlight=[chosen_name])
    components.render_chart_block(
        ctx, title=t("jobcentre.scatter_title", lang), chart=scatter,
        table=jobcentre_view.ranking_display(ranking, lang), subject="jobcentre-forventet",
        key="scatter", measures=["jobcentre_uptake"], help=t("jobcentre.expected_help", lang))
with map_col:
    st.subheader(t("jobcentre.map_title", lang), help=uptake.help_text(lang))
    areas = ctx.compute.compute_area_table(filters, "jobcentre_uptake", "municipality",
                                           threshold=ctx.threshold)
    render_map(ctx, areas, measure_key="jobcentre_uptake", scheme="municipality", key="jobcentre",
               highlight=str(chosen_code), selected=jobcentre_view.selected_municipalities(filters), height=440,
               legend_below=True)

st.subheader(t("jobcentre.ranking_title", lang), help=t("jobcentre.expected_help", lang))
components.render_table(jobcentre_view.ranking_display(ranking, lang), lang)
with st.expander(t("download.title", lang)):
    components.render_downloads(ctx, ranking, subject="jobcentre-rangliste",
                                title=t("jobcentre.ranking_title", lang), key="ranking",
                                measures=["jobcentre_uptake", "participations"])

# 2) The chosen job centre against its area and the country, over time
st.divider()
grain = components.render_grain_picker(ctx)
trend = ctx.compute.compute_jobcentre_trend(
    filters.with_changes(period_from=ctx.dataset.covers_from.replace(day=1)), chosen_code,
    threshold=ctx.threshold, grain=grain)
scheme = filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
    filters.period_to, ctx.settings.reform_date)
trend_table = jobcentre_view.trend_display(trend, chosen_name, scheme, lang)
trend_table, cut_short = drop_incomplete_last_period(trend_table, grain, filters.period_to)
trend_chart = charts.build_trend_chart(
    trend_table, period_col="period", value_col="value", unit=uptake.unit, decimals=uptake.decimals,
    lang=lang, y_title=uptake.title(lang), group_col="group", group_title="",
    time_unit=components.TIME_UNITS[grain])
components.render_chart_block(ctx, title=t("jobcentre.trend_title", lang, name=chosen_name),
                              chart=trend_chart, table=trend_table, subject=f"jobcentre-{chosen_code}-udvikling",
                              key="jc-trend", measures=["jobcentre_uptake"], help=uptake.help_text(lang))
if cut_short:
    st.caption(t("trend.partial_left_out", lang, grain=t(f"grain.{grain}", lang).lower()))

# 3) Comparable municipalities (similar unemployment level and composition)
comparable = ctx.compute.compute_comparable_municipalities(filters, chosen_code, threshold=ctx.threshold)
components.render_chart_block(
    ctx, title=t("jobcentre.comparable_title", lang, name=chosen_name), chart=None,
    table=jobcentre_view.ranking_display(comparable, lang), subject=f"jobcentre-{chosen_code}-sammenlignelige",
    key="comparable", measures=["jobcentre_uptake"], help=t("jobcentre.comparable_help", lang))
