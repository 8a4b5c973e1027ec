"""VEU-overblik: the Streamlit entry point. Builds the shared context (settings, data, filters),
then runs the chosen page. Run with: streamlit run dashboard/app.py"""

from __future__ import annotations

import streamlit as st

from ui import components, data
from ui.context import AppContext, set_context
from ui.filter_panel import panel_options, render_filter_panel
from ui.page_params import dropped_page_values, link_as_opened
from ui.pages import PAGE_KEYS, PAGES, all_pages
from veu_metrics.dataset import DatasetError, dataset_version
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown
from veu_metrics.schema import SchemaError
from veu_metrics.settings import SettingsError, load_settings

LANGUAGE_LABELS = {"Dansk": "da", "English": "en"}

# No page_title: the browser tab then names the page ("Overblik", "Kurser" …).
st.set_page_config(page_icon="📊", layout="wide")

with st.sidebar:
    language = st.segmented_control(
        "Sprog / Language", list(LANGUAGE_LABELS), default="Dansk", key="sprog",
        bind="query-params", label_visibility="collapsed",
    )
lang = LANGUAGE_LABELS.get(language or "Dansk", "da")
opened_link = link_as_opened()

try:
    settings = load_settings(upload_cap_mb=int(st.get_option("server.maxUploadSize")))
except SettingsError as exc:
    st.error(t("error.settings", lang, problem=escape_markdown(exc, max_chars=400)))
    st.stop()

components.ensure_data_or_stop(settings, lang)

try:
    version = dataset_version(settings.dataset_dir)
    dataset = data.load_dataset(str(settings.dataset_dir), version)
    data.remember_good(settings.dataset_dir, version)
except (DatasetError, SchemaError, OSError) as exc:
    fallback = data.last_good(settings.dataset_dir)
    if fallback is None:
        st.error(t("error.dataset", lang, problem=escape_markdown(exc, max_chars=600)))
        st.stop()
    st.warning(t("error.dataset_fallback", lang, problem=escape_markdown(exc, max_chars=600)))
    version = fallback
    dataset = data.load_dataset(str(settings.dataset_dir), version)

pages = [
    # The default page is served at "/"; its own url_path is only reserved (see below).
    st.Page(p.file, title=t(p.title_key, lang), url_path=p.url_path if i else "forside",
            icon=p.icon, default=(i == 0))
    for i, p in enumerate(all_pages(uploads=settings.uploads != "off"))
]


def _overview_by_name() -> None:
    """/overblik (a link written by hand) opens Overblik instead of "Page not found"."""
    st.switch_page(pages[0], query_params=_link_params())


def _link_params() -> dict[str, list[str]]:
    """The link's keys with all their values (a list filter repeats its key)."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


page = st.navigation([*pages, st.Page(_overview_by_name, title=t(PAGES[0].title_key, lang),
                                      url_path=PAGES[0].url_path, visibility="hidden")])
if page.url_path == PAGES[0].url_path:
    # Switch before any widget binds its link key: a switch rewrites the link, and Streamlit
    # refuses to rewrite keys that widgets are bound to (the link's filters would be lost).
    _overview_by_name()

options = panel_options(dataset.covers_from, dataset.covers_to, settings.reform_date,
                        dataset.occupations)
filters, link_problems = render_filter_panel(options, lang, extra_keys=PAGE_KEYS)
meeting_mode = components.render_meeting_toggle(lang)

with components.spinner_while_first_build(lang):
    data.load_facts(str(settings.dataset_dir), version, settings.reform_date)

set_context(AppContext(
    settings=settings, lang=lang, dataset=dataset, filters=filters, options=options,
    cached=data.Cached(settings.dataset_dir, version, settings.reform_date,
                       settings.disclosure_threshold),
    meeting_mode=meeting_mode,
))

link_box = components.render_banners(dataset, lang)
try:
    components.run_page_safely(page, lang)
finally:  # also after a page's st.stop(): the link's problems are still explained
    components.render_link_problems(link_box, link_problems + dropped_page_values(opened_link, PAGE_KEYS), lang)
components.render_footer(dataset, lang, settings.disclosure_threshold)
