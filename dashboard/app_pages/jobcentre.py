"""Jobcentre: how the 98 job centres use upskilling — uptake per 1,000 full-time unemployed,
actual against what the municipality's framework conditions lead one to expect (with the
model's uncertainty), a map, one job centre's conditions and trend, and comparable municipalities."""

import streamlit as st

from ui import components, jobcentre_view
from ui.context import get_context
from ui.map_view import render_map
from veu_metrics import charts, geography, measures
from veu_metrics.catalogue import get_measure
from veu_metrics.i18n import t
from veu_metrics.periods import drop_incomplete_last_period

ctx = get_context()
lang, filters = ctx.lang, ctx.filters
uptake = get_measure("jobcentre_uptake")

components.render_page_header(t("page.jobcentre", lang), filters.describe(lang), lang,
                              intro=t("jobcentre.intro", lang))

# 0) Selection
ranking = ctx.cached(measures.compute_jobcentre_ranking)(filters)
if ranking.is_empty():
    components.render_no_data(lang)
    st.stop()
choices = jobcentre_view.municipality_choices()
in_view = [name for name in ranking["municipality_name"].to_list() if name in choices]
chosen_name = st.selectbox(t("jobcentre.choose", lang), in_view, key="kommune", bind="query-params",
                           help=t("jobcentre.choose_help", lang))
chosen_code = choices[chosen_name]
has_model = jobcentre_view.has_model(ranking)

# 1) Actual against expected, in words, as a chart with the intervals, and on a map
if has_model:
    st.markdown("\n\n".join(jobcentre_view.summary_lines(ranking, lang, chosen_code)))
else:
    st.info(t("jobcentre.no_model", lang))
scatter_col, map_col = st.columns([1, 1])
with scatter_col:
    points = jobcentre_view.with_assessment_text(ranking, lang)
    scatter = charts.build_actual_expected_chart(
        points, name_col="municipality_name", actual_col="uptake", expected_col="expected_uptake",
        lang=lang, x_title=t("jobcentre.expected", lang), y_title=t("jobcentre.actual", lang),
        highlight=[chosen_name], interval_cols=("expected_lower", "expected_upper"),
        group_col="assessment_text", group_colours=jobcentre_view.assessment_colours(lang),
        interval_title=t("jobcentre.interval", lang))
    st.subheader(t("jobcentre.scatter_title", lang), help=t("jobcentre.expected_help", lang))
    st.altair_chart(scatter, width="stretch")
with map_col:
    st.subheader(t("jobcentre.map_title", lang), help=uptake.help_text(lang))
    areas = ctx.cached(measures.compute_area_table)(filters, "jobcentre_uptake", "municipality")
    render_map(ctx, areas, measure_key="jobcentre_uptake", scheme="municipality", key="jobcentre",
               highlight=str(chosen_code), selected=jobcentre_view.selected_municipalities(filters),
               height=440, legend_below=True)

# 2) The ranking by difference (typed: sorts as numbers), with its downloads
st.subheader(t("jobcentre.ranking_title", lang), help=t("jobcentre.expected_help", lang))
st.caption(t("jobcentre.ranking_caption", lang))
jobcentre_view.render_ranking_table(ranking, lang, key="jobcentre-ranking")
missing = jobcentre_view.no_unemployed_names(ranking)
if missing:
    st.caption(t("jobcentre.no_unemployed", lang, names=", ".join(missing)))
with st.expander(t("download.title", lang)):
    jobcentre_view.render_ranking_downloads(ctx, ranking, t("jobcentre.ranking_title", lang))

# 3) The model in plain words
with st.expander(t("model.title", lang)):
    jobcentre_view.render_uptake_model_section(ctx, heading=False)

# 4) The chosen job centre: its conditions beside its area and the country
st.divider()
scheme = filters.scheme if filters.scheme != "municipality" else geography.scheme_for(
    filters.period_to, ctx.settings.reform_date)
conditions = ctx.cached(measures.compute_jobcentre_conditions)(filters, chosen_code)
area_name = geography.area_names(scheme, lang).get(conditions["area_code"][0],
                                                   conditions["area_code"][0])
st.subheader(t("jobcentre.conditions_title", lang, name=chosen_name, area=area_name),
             help=t("jobcentre.conditions_help", lang))
if jobcentre_view.conditions_missing(conditions):
    st.caption(t("jobcentre.conditions.none", lang))
table, config = jobcentre_view.conditions_table(conditions, chosen_name, area_name, lang)
st.dataframe(table, hide_index=True, width="stretch", column_config=config, placeholder="–")
st.caption(jobcentre_view.conditions_note(lang))

# 5) The chosen job centre against its area and the country, over time
grain = components.render_grain_picker(ctx)
trend = ctx.cached(measures.compute_jobcentre_trend)(
    filters.with_changes(period_from=ctx.dataset.covers_from.replace(day=1)), chosen_code,
    grain=grain)
trend_table = jobcentre_view.trend_display(trend, chosen_name, scheme, lang)
trend_table, cut_short = drop_incomplete_last_period(trend_table, grain, filters.period_to)
trend_chart = charts.build_trend_chart(
    trend_table, period_col="period", value_col="value", unit=uptake.unit, decimals=uptake.decimals,
    lang=lang, y_title=uptake.title(lang), group_col="group", group_title="",
    time_unit=components.TIME_UNITS[grain])
jobcentre_view.render_trend_block(
    ctx, title=t("jobcentre.trend_title", lang, name=chosen_name), chart=trend_chart,
    trend_table=trend_table, grain=grain, subject=f"jobcentre-{chosen_code}-udvikling",
    help_text=uptake.help_text(lang))
if cut_short:
    st.caption(t("trend.partial_left_out", lang, grain=t(f"grain.{grain}", lang).lower()))

# 6) Comparable municipalities (the most similar framework conditions)
comparable = ctx.cached(measures.compute_comparable_municipalities)(filters, chosen_code)
st.subheader(t("jobcentre.comparable_title", lang, name=chosen_name),
             help=t("jobcentre.comparable_help", lang))
jobcentre_view.render_ranking_table(comparable, lang, key="jobcentre-comparable", keep_order=True)
with st.expander(t("download.title", lang)):
    components.render_downloads(ctx, jobcentre_view.ranking_export(comparable, lang, keep_order=True),
                                subject=f"jobcentre-{chosen_code}-sammenlignelige",
                                title=t("jobcentre.comparable_title", lang, name=chosen_name),
                                key="comparable", measures=["jobcentre_uptake"])
