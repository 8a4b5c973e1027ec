"""Effekter: how participants fare — completion and employment 3 and 6 months after the course,
by group and over time."""

import streamlit as st

from ui import components, outcome_view
from ui.context import get_context
from ui.page_params import resolve_page_value
from veu_metrics import charts, measures
from veu_metrics.i18n import t

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

components.render_page_header(t("page.outcome", lang), filters.describe(lang), lang,
                              intro=t("outcomes.intro", lang))
st.info(t("outcomes.note", lang), icon="ℹ️")

# 1) Outcomes by a chosen grouping (kept in the URL)
labels = {by: outcome_view.grouping_label(by, lang) for by in outcome_view.GROUPINGS}
resolve_page_value("effekt", {by: f"outcomes.by.{by}" for by in outcome_view.GROUPINGS}, lang)
by = st.segmented_control(
    t("outcomes.by", lang), list(outcome_view.GROUPINGS), default="education_type",
    format_func=labels.__getitem__, key="effekt", bind="query-params") or "education_type"
outcomes = outcome_view.name_groups(
    ctx.cached(measures.compute_outcomes)(filters, by=by), by, lang)
titles = outcome_view.rate_titles(lang)
title = t("outcomes.by_title", lang, by=labels[by].lower())
if outcome_view.has_values(outcomes):
    chart = charts.build_outcomes_chart(outcomes, group_col="group", series=titles, lang=lang,
                                        x_title=t("outcomes.axis", lang),
                                        series_title=t("outcomes.series", lang))
    components.render_chart_block(
        ctx, title=title, chart=chart, table=outcomes, subject=f"effekter-{by}", key="outcomes",
        measures=list(outcome_view.OUTCOME_RATES), help=outcome_view.rates_help(lang),
        columns=outcome_view.outcome_columns(by, lang))
else:
    st.subheader(title, help=outcome_view.rates_help(lang))
    components.render_no_data(lang)
if by == "shortage":
    st.caption(t("outcomes.shortage_note", lang))

# 2) The three rates over the whole history up to the period's end
st.divider()
grain = components.render_grain_picker(ctx)
history = filters.with_changes(period_from=ctx.dataset.covers_from.replace(day=1))
series = {m: ctx.cached(measures.compute_series)(history, m, grain=grain)
          for m in outcome_view.OUTCOME_RATES}
wide = outcome_view.series_wide(series)
trend_title = t("outcomes.trend_title", lang)
if outcome_view.has_values(wide):
    trend = charts.build_trend_chart(
        outcome_view.series_long(series, lang), period_col="period", value_col="value",
        unit="share", decimals=1, lang=lang, y_title=t("outcomes.axis", lang), group_col="group",
        group_title=t("outcomes.series", lang), time_unit=components.TIME_UNITS[grain])
    components.render_chart_block(
        ctx, title=trend_title, chart=trend, table=wide, subject="effekter-over-tid",
        key="outcomes-trend", measures=list(outcome_view.OUTCOME_RATES),
        help=t("outcomes.trend_help", lang),
        columns=outcome_view.trend_columns(grain))
else:
    st.subheader(trend_title, help=t("outcomes.trend_help", lang))
    components.render_no_data(lang)
