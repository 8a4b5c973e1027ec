"""Kurser: one overview of the courses across education institutions — search, filter, group by
provider, download."""

import streamlit as st

from ui import components, course_view
from ui.context import get_context
from ui.page_params import warn_bad_page_value
from veu_metrics import measures
from veu_metrics.formatting import SUPPRESSED_MARKER, format_number
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

components.render_page_header(t("page.course", lang), filters.describe(lang), lang,
                              intro=t("courses.intro", lang))

# 0) Search words and grouping, both kept in the URL
warn_bad_page_value("gruppe", ("true", "false", "True", "False"), lang)
search_col, group_col = st.columns([3, 1], vertical_alignment="bottom")
search = course_view.clean_search(search_col.text_input(
    t("courses.search", lang), key="soeg", bind="query-params", max_chars=None,
    placeholder=t("courses.search.placeholder", lang), help=t("courses.search.help", lang)))
grouped = group_col.toggle(t("courses.group", lang), key="gruppe", bind="query-params",
                           help=t("courses.group.help", lang))

# 1) The core's lists for the filters and the search
courses = ctx.cached(measures.compute_courses)(filters, search=search)
providers = ctx.cached(measures.compute_courses_by_provider)(filters, search=search)

# 2) Count line, then the table (per course or per provider) and its downloads
if filters.labour_status:
    st.caption(t("courses.status_ignored", lang))
title = t("courses.provider_title" if grouped else "courses.list_title", lang)
help_text = t("courses.list_help", lang, marker=SUPPRESSED_MARKER)
if courses.is_empty():
    st.subheader(title, help=help_text)
    if search:
        st.info(t("courses.nomatch", lang, search=escape_markdown(search)), icon="🔍")
    else:
        components.render_no_data(lang)
else:
    line = course_view.count_line(courses.height, providers.height, lang)
    if search:
        line += " · " + t("courses.search_note", lang, search=escape_markdown(search))
    st.markdown(f"**{line}**")
    st.subheader(title, help=help_text)
    if grouped:
        shown, columns = course_view.provider_table(providers, lang)
        components.render_table(shown, lang, columns=columns)
        download, subject = providers, "kurser-pr-udbyder"
    else:
        if courses.height > course_view.MAX_SHOWN_ROWS:
            st.caption(t("courses.truncated", lang,
                         shown=format_number(course_view.MAX_SHOWN_ROWS, 0, lang),
                         total=format_number(courses.height, 0, lang)))
        shown, columns = course_view.course_table(courses.head(course_view.MAX_SHOWN_ROWS), lang)
        components.render_table(shown, lang, columns=columns)
        download, subject = course_view.download_frame(courses), "kurser"
    with st.expander(t("download.title", lang)):
        components.render_downloads(ctx, download, subject=subject, title=title, key="courses",
                                    measures=["courses_started", "participations"])
