"""Mangelområder: the labour-market balance (STAR) and where VEU meets it — the categories by
area, what changed, activity in shortage occupations, and shortage with little or no VEU."""

import polars as pl
import streamlit as st

from ui import components, shortage_view
from ui.area_view import COURSE_COLUMNS, course_rows
from ui.context import get_context
from ui.map_view import boundary_status, select_clicked_area
from veu_metrics import charts, maps, measures
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown
from veu_metrics.schema import BALANCE_STATUSES

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

components.render_page_header(t("page.shortage", lang), filters.describe(lang), lang,
                              intro=t("shortage.intro", lang))

# 0) The half-year (the balance describes one half-year "here and now")
published = ctx.cached(measures.available_half_years)()
half_years = published["half_year"].unique(maintain_order=True).to_list()
if not half_years:
    components.render_no_data(lang)
    st.stop()
labels = shortage_view.half_year_labels(half_years, lang)
pick_col, defs_col = st.columns([1, 2])
with pick_col:
    half_year = labels[st.selectbox(t("shortage.half_year", lang), list(labels), key="halvaar",
                                    bind="query-params", help=t("shortage.half_year_help", lang))]
with defs_col, st.expander(t("shortage.definitions", lang), expanded=False):
    st.markdown(shortage_view.category_definitions(lang))
# Below the pair, on the full width: in the narrow column its label was cut at 1024 px.
only_shortage = st.toggle(t("shortage.only_shortage", lang), value=True, key="kunmangel",
                          bind="query-params")

# 1) The balance as a categorical heatmap: occupation × area
matrix = ctx.cached(measures.compute_balance_matrix)(half_year)
scheme = shortage_view.scheme_of(published, half_year)
rows = shortage_view.heatmap_rows(matrix, only_shortage, filters.industry_groups, lang,
                                  area_codes=shortage_view.overlapping_areas(filters, scheme))
if rows["occupation"].n_unique() > charts.HEATMAP_MAX_ROWS:
    # Hundreds of occupations: one industry group at a time, every occupation labelled.
    groups = sorted(g for g in rows["industry_group"].unique().to_list() if g)
    group = st.selectbox(t("shortage.heatmap_group", lang), groups, key="hmgruppe",
                         bind="query-params", help=t("shortage.heatmap_group_help", lang))
    rows = rows.filter(pl.col("industry_group") == group)
heatmap = charts.build_balance_heatmap(
    rows, row_col="occupation", column_col="area", status_col="status", lang=lang,
    row_title=t("shortage.col.occupation", lang), column_title=t("col.area", lang),
    status_title=t("shortage.status", lang),
    status_labels={s: maps.balance_label(s, lang) for s in BALANCE_STATUSES}
    if lang == "en" else None) if rows.height else None
components.render_chart_block(
    ctx, title=t("shortage.heatmap_title", lang, half_year=maps.format_half_year(half_year, lang)),
    chart=heatmap, table=rows, subject=f"arbejdsmarkedsbalance-{half_year}", key="heatmap",
    help=t("shortage.heatmap_help", lang))

# 2) One occupation on the map (as on arbejdsmarkedsbalancen.dk)
occupations = dict(zip(matrix["title_en" if lang == "en" else "title_da"], matrix["occupation_code"],
                       strict=False))
map_col, change_col = st.columns([3, 2])
with map_col:
    st.subheader(t("shortage.map_title", lang), help=t("shortage.map_help", lang))
    title = st.selectbox(t("shortage.col.occupation", lang), sorted(occupations), key="stillingkort",
                         bind="query-params")
    statuses = shortage_view.occupation_statuses(matrix, occupations[title])
    geometry = boundary_status(ctx).boundaries
    deck = maps.build_balance_deck(
        statuses, geometry.shapes(scheme) if geometry is not None and scheme else None, lang=lang,
        scheme=scheme, half_year=half_year, basemap_url=ctx.settings.basemap_url)
    legend_map, legend_side = st.columns([3, 1])
    with legend_map:  # a click selects the area in the shared filters, as on every map
        st.pydeck_chart(deck, height=420, key="balance-map", selection_mode="single-object",
                        on_select=lambda: select_clicked_area("balance-map", scheme))
        st.caption(t("map.click_hint", lang))
    legend_side.markdown(maps.build_legend_html(maps.build_balance_legend(lang)), unsafe_allow_html=True)
    if geometry is not None:
        st.caption(escape_markdown(maps.attribution_for(geometry) or "", max_chars=400))

# 3) What changed since the previous half-year
with change_col:
    changes = ctx.cached(measures.compute_balance_changes)(half_year)
    st.subheader(t("shortage.changes_title", lang), help=t("shortage.changes_help", lang))
    components.render_table(shortage_view.change_summary(changes, lang), lang,
                            columns=shortage_view.CHANGE_SUMMARY_COLUMNS)
    moved = shortage_view.change_display(changes, lang)
    if moved.height:
        with st.expander(t("shortage.changes_list", lang, n=moved.height)):
            components.render_table(moved, lang)

# 4) VEU activity in each shortage occupation; click a row to see its courses
st.divider()
activity = ctx.cached(measures.compute_shortage_activity)(filters, half_year)
st.subheader(t("shortage.activity_title", lang), help=t("shortage.activity_help", lang))
if activity.is_empty():
    components.render_no_data(lang)
else:
    chart = charts.build_bar_chart(shortage_view.activity_chart_rows(activity, lang),
                                   category_col="occupation", value_col="participations",
                                   unit="participations", decimals=0, lang=lang,
                                   x_title=t("shortage.col.participations", lang))
    st.altair_chart(chart, width="stretch")
    st.caption(t("shortage.click_row", lang))
    event = components.render_table(shortage_view.activity_rows(activity, lang), lang,
                                    columns=shortage_view.ACTIVITY_COLUMNS, on_select="rerun",
                                    selection_mode="single-row", key="activity-table")
    with st.expander(t("download.title", lang)):
        components.render_downloads(ctx, activity, subject=f"mangel-aktivitet-{half_year}",
                                    title=t("shortage.activity_title", lang), key="activity",
                                    chart=chart, measures=["participations", "courses_started"])
    chosen = (event.selection.rows if event is not None else []) or []
    if chosen:
        code = activity["occupation_code"][chosen[0]]
        name = activity["title_en" if lang == "en" else "title_da"][chosen[0]]
        courses = ctx.cached(measures.compute_courses)(filters.with_changes(occupations=(code,)),
                                                       limit=200)
        components.render_chart_block(ctx, title=t("shortage.courses_for", lang, name=name),
                                      chart=None, table=course_rows(courses, lang),
                                      columns=COURSE_COLUMNS,
                                      subject=f"kurser-{code}", key="occupation-courses")

# 5) Blind spots: shortage with little or no VEU activity
blind = ctx.cached(measures.compute_blind_spots)(filters, half_year)
st.subheader(t("shortage.blind_title", lang), help=shortage_view.blind_help(ctx.threshold, lang))
if blind.is_empty():
    st.success(t("shortage.no_blind", lang))
else:
    components.render_table(shortage_view.activity_rows(blind, lang), lang,
                            columns=shortage_view.ACTIVITY_COLUMNS)
