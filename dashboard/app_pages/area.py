"""Område: one area, for its council chair — targets, the area among the others, its
municipalities, the latest courses, and a meeting pack for the council's papers."""

from datetime import date

import polars as pl
import streamlit as st

from ui import area_view, components, kpis
from ui.context import get_context
from ui.map_view import render_map
from veu_metrics import charts, geography, measures
from veu_metrics.catalogue import get_measure
from veu_metrics.disclosure import flag_column
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown
from veu_metrics.targets import target_date_range

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

# 0) Selection: the strategy year decides the scheme (RAR before the reform, councils from it)
year_col, area_col = st.columns([1, 3])
years = area_view.target_years(ctx)
with year_col:
    year = st.selectbox(t("area.year", lang), years, index=years.index(area_view.default_year(ctx, years)),
                        key="aar", bind="query-params")
scheme = geography.scheme_for(date(year, 12, 31), ctx.settings.reform_date)
names = geography.area_names(scheme)
labels = list(names.values())
with area_col:
    default_area = area_view.default_area(filters, scheme)
    area_view.follow_shared_area(filters, scheme, names)
    # The choice becomes the shared area filter (scheme + area, URL-bound) so other pages follow.
    area_label = st.selectbox(t("area.choose", lang), labels, index=labels.index(names[default_area]),
                              key="omraade", bind="query-params",
                              on_change=area_view.share_area_choice, args=(scheme,))
area_code = {v: k for k, v in names.items()}[area_label]
# The chair's view follows the strategy year: January to the last month with data in that year.
year_range = target_date_range(year, ctx.dataset.covers_to) or (filters.period_from, filters.period_to)
area_filters = filters.with_changes(scheme=scheme, areas=(area_code,), period_from=year_range[0],
                                    period_to=year_range[1])

area_title = geography.area_names(scheme, lang)[area_code]
components.render_page_header(t("area.title", lang, area=area_title), area_filters.describe(lang),
                              lang, intro=t("area.intro", lang, year=year))

# 1) Status in brief, then the key figures for the area in the strategy year
kpi_frame = ctx.cached(measures.compute_kpis)(area_filters)
progress = ctx.cached(measures.compute_target_progress)(scheme, area_code, year)
brief = area_view.status_brief(progress, kpi_frame, lang)
if brief:
    st.markdown(f"**{t('brief.title', lang)}:** {escape_markdown(brief)}")
components.render_kpi_cards(kpis.kpi_cards(ctx, kpi_frame, {}), columns=3)

# 2) Target progress: one bullet per target (so far, expected by now, year end, target)
st.subheader(t("area.targets_title", lang, year=year), help=t("area.targets_help", lang))
target_chart = None
if progress.is_empty():
    st.info(t("area.no_targets", lang, area=area_title, year=year))
else:
    target_table = area_view.target_table(progress, lang)
    target_chart = area_view.target_chart(target_table, lang, scale=1.3 if ctx.meeting_mode else 1.0)
    components.render_chart_block(ctx, title=t("area.targets_chart", lang), chart=target_chart,
                                  table=area_view.target_rows(target_table),
                                  columns=area_view.TARGET_COLUMNS,
                                  subject=f"maal-{area_code}-{year}", key="targets",
                                  help=t("target.chart_help", lang))

# 3) The area among the other areas and the country
st.divider()
measure_key = components.render_measure_picker(ctx, key="maal")
measure = get_measure(measure_key)
# One below the other: side by side, the bars' value labels and the map were cut at 1024 px.
compare_col, map_col = st.container(), st.container()
with compare_col:
    # The same strategy year as the cards, so the area's bar and the national line agree with them.
    others = ctx.cached(measures.compute_area_table)(
        area_filters.with_changes(areas=()), measure_key, scheme)
    bars = charts.build_bar_chart(others, category_col="area_name", value_col="value",
                                  unit=measure.unit, decimals=measure.decimals, lang=lang,
                                  x_title=measure.title(lang), highlight=[area_label])
    components.render_chart_block(
        ctx, title=t("area.compare_title", lang, measure=measure.title(lang)), chart=bars,
        table=others.select("area_name", pl.col("value").alias(measure_key),
                            pl.col("value_suppressed").alias(flag_column(measure_key))),
        subject=f"{measure_key}-omraader", key="compare", measures=[measure_key],
        help=measure.help_text(lang))
    national = area_view.national_line(kpi_frame, measure, lang)
    if national:
        st.caption(national)

# 4) The area's municipalities on a map (zoomed to the area)
with map_col:
    st.subheader(t("area.map_title", lang, measure=measure.title(lang)), help=measure.help_text(lang))
    municipalities = ctx.cached(measures.compute_area_table)(area_filters, measure_key, "municipality")
    render_map(ctx, municipalities, measure_key=measure_key, scheme="municipality", key="area",
               selected=area_view.area_members(scheme, area_code), height=460,
               legend_below=True, min_width=600)  # the page's full width: 700 px at 1024

# 5) The latest courses started in the area
st.divider()
courses = ctx.cached(measures.compute_courses)(area_filters, limit=15)
components.render_chart_block(ctx, title=t("area.latest_courses", lang), chart=None,
                              table=area_view.course_rows(courses, lang),
                              columns=area_view.COURSE_COLUMNS,
                              subject=f"seneste-kurser-{area_code}", key="latest")

# 6) Meeting pack: one printable file for the council's papers
area_view.render_meeting_pack(ctx, area_label=area_title, area_filters=area_filters,
                              kpi_frame=kpi_frame, progress=progress, target_chart=target_chart,
                              brief=brief, year=year)
