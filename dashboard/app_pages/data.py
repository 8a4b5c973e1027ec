"""Data: downloads of the full tables for the current filters, the data dictionary, the measure
definitions, sources and licences, and a data-quality summary."""

from functools import partial

import streamlit as st

from ui import components, course_view, data_view, jobcentre_view, upload_view
from ui.context import get_context
from ui.page_params import resolve_page_value
from veu_metrics import measures
from veu_metrics.formatting import SUPPRESSED_MARKER, format_date, format_number
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown
from veu_metrics.tables import ACTIVITY_MEASURES, OUTCOME_MEASURES, compute_measure_definitions

ctx = get_context()
lang, filters = ctx.lang, ctx.filters

components.render_page_header(t("page.data", lang), filters.describe(lang), lang,
                              intro=t("data.intro", lang))

tab_keys = ("downloads", "dictionary", "definitions", "sources", "quality")
tab_labels = [t(f"data.tab.{k}", lang) for k in tab_keys]
resolve_page_value("fane", {t(f"data.tab.{k}", lang): f"data.tab.{k}" for k in tab_keys}, lang)
downloads, dictionary, definitions, sources, quality = st.tabs(
    tab_labels, key="fane", bind="query-params")

# 1) Downloads: aggregates for the filters (built on click), the balance, the course list
with downloads:
    st.markdown(t("data.downloads.intro", lang, marker=SUPPRESSED_MARKER))
    st.caption(t("disclosure.note", lang))
    scheme = t(f"scheme.{filters.scheme}", lang)
    rows, months, areas = data_view.area_month_rows(filters)
    for key, subject, measure_keys, title_key, help_key in (
        ("activity", "aktivitet", ACTIVITY_MEASURES, "data.activity_title", "data.activity_help"),
        ("outcome", "resultater", OUTCOME_MEASURES, "data.outcome_title", "data.outcome_help"),
    ):
        title = t(title_key, lang)
        st.subheader(title, help=t(help_key, lang, scheme=scheme))
        st.caption(t("data.rows_estimate", lang, rows=format_number(rows, 0, lang),
                     months=months, areas=areas))
        st.caption(t("data.totals_note", lang))
        data_view.render_deferred_downloads(
            ctx, partial(data_view.area_month_table, ctx, measure_keys, totals=True),
            subject=f"{subject}-maaned-omraade", title=title, key=f"data-{key}",
            measures=list(measure_keys), note=t("disclosure.note", lang))
        if st.toggle(t("data.preview", lang), key=f"data-preview-{key}"):
            with st.spinner(t("data.preparing", lang)):
                preview = data_view.area_month_table(ctx, measure_keys)
            components.render_table(preview.head(50), lang)

    title = t("data.balance_title", lang)
    st.subheader(title, help=t("data.balance_help", lang))
    balance = data_view.balance_table(ctx)
    if balance.is_empty():
        components.render_no_data(lang)
    else:
        st.caption(t("data.balance_rows", lang, rows=format_number(balance.height, 0, lang),
                     halves=balance["half_year"].n_unique()))
        components.render_downloads(ctx, balance, subject="arbejdsmarkedsbalance", title=title,
                                    key="data-balance", measures=["shortage_share"])

    title = t("data.courses_title", lang)
    st.subheader(title, help=t("data.courses_help", lang))
    data_view.render_deferred_downloads(
        ctx, lambda: course_view.download_frame(
            ctx.cached(measures.compute_courses)(filters)),
        subject="kurser", title=title, key="data-courses",
        measures=["courses_started", "participations"])

    st.subheader(t("data.person_title", lang))
    if ctx.settings.allow_person_download:
        st.warning(t("data.person_on", lang), icon="🔒")
        data_view.render_person_downloads(ctx)
    else:
        st.info(t("data.person_off", lang, threshold=ctx.threshold), icon="🔒")

# 2) The data dictionary, from the data model itself
with dictionary:
    st.markdown(t("data.dictionary.intro", lang))
    for table, frame in data_view.dictionary_by_table(lang).items():
        st.subheader(f"`{table}`")
        st.dataframe(frame, hide_index=True, width="stretch",
                     column_config=data_view.dictionary_config(lang))

# 3) Measure definitions, from the catalogue
with definitions:
    st.markdown(t("data.definitions.intro", lang))
    catalogue_table = compute_measure_definitions(lang)
    for card in data_view.definition_cards(catalogue_table, lang):
        with st.container(border=True):
            st.markdown(card)
    with st.expander(t("download.title", lang)):
        components.render_downloads(ctx, catalogue_table, subject="definitioner",
                                    title=t("data.tab.definitions", lang), key="data-definitions")
    jobcentre_view.render_uptake_model_section(ctx)

# 4) Sources and licences
with sources:
    meta = ctx.dataset.metadata
    st.markdown(t("data.sources.dataset", lang, name=escape_markdown(meta.get("name", "")),
                  source=escape_markdown(meta.get("source", ""))))
    if ctx.dataset.synthetic:
        st.warning(t("data.sources.synthetic", lang), icon="⚠️")
    for table, record in sorted((meta.get("table_sources") or {}).items()):
        st.markdown(t("data.sources.fetched", lang, **{
            key: escape_markdown(str(record.get(key) or "–"))
            for key in ("source", "table", "url", "licence")
        }, what=t(f"data.sources.table.{table}", lang),
            fetched=str(record.get("fetched_at") or "")[:10] or "–"))
    st.markdown(t("data.sources.list", lang))
    st.markdown(t("data.sources.confidentiality", lang, threshold=ctx.threshold,
                  marker=SUPPRESSED_MARKER))

# 5) Data quality: version, coverage, rows, missing values, months without activity
with quality:
    meta = ctx.dataset.metadata
    st.markdown(t("data.quality.version", lang, name=escape_markdown(meta.get("name", "")),
                  label=escape_markdown(meta.get("version", "")), version=ctx.dataset.version))
    st.markdown(t("data.quality.dates", lang, first=format_date(ctx.dataset.covers_from, lang),
                  last=format_date(ctx.dataset.covers_to, lang),
                  created=components.text_date(meta.get("created_at"), lang),
                  next=components.text_date(meta.get("next_update"), lang)))
    summary, nulls, gaps = data_view.quality(ctx)
    st.subheader(t("data.quality.tables_title", lang))
    components.render_table(summary, lang, columns=data_view.SUMMARY_COLUMNS)
    st.subheader(t("data.quality.nulls_title", lang), help=t("data.quality.nulls_help", lang))
    components.render_table(data_view.nulls_rows(nulls, lang), lang,
                            columns=data_view.NULLS_COLUMNS)
    st.subheader(t("data.quality.gaps_title", lang))
    if gaps.is_empty():
        st.success(t("data.quality.no_gaps", lang, months=len(ctx.options.months)))
    else:
        st.warning(t("data.quality.gaps", lang, count=gaps.height,
                     months=data_view.month_list(gaps, lang)))
    # The audit log, for administrators only (decided on the server, see upload_view)
    if ctx.settings.data_dir is not None and upload_view.current_admin(ctx.settings):
        upload_view.render_audit_log(ctx.settings.data_dir, lang)
