"""VEU-overblik: the Streamlit entry point. Builds the shared context (settings, data, filters),
then runs the chosen page. Run with: streamlit run dashboard/app.py"""

from __future__ import annotations

import streamlit as st

from ui import components, data
from ui.context import AppContext, set_context
from ui.filter_panel import panel_options, render_filter_panel
from veu_metrics.dataset import DatasetError, dataset_version
from veu_metrics.i18n import t
from veu_metrics.schema import SchemaError
from veu_metrics.settings import SettingsError, load_settings

LANGUAGE_LABELS = {"Dansk": "da", "English": "en"}
# URL keys that pages own (validated by their widgets); the filter panel's link check skips them.
PAGE_KEYS = frozenset({"sprog", "moede", "visning", "opdel", "maal", "halvaar", "kommune",
                       "kunmangel", "stillingkort",
                       "omraade", "aar", "soeg", "gruppe", "effekt", "fane", "dl"})
PAGE_KEYS |= {"hmgruppe"}  # Mangelområder: the heatmap's industry group (many occupations)

PAGES = (  # (file, text key of the title, url path, icon)
    ("app_pages/overblik.py", "page.overview", "overblik", "📊"),
    ("app_pages/omraade.py", "page.area", "omraade", "🗺️"),
    ("app_pages/jobcentre.py", "page.jobcentres", "jobcentre", "🏛️"),
    ("app_pages/mangel.py", "page.shortage", "mangelomraader", "🔧"),
    ("app_pages/kurser.py", "page.courses", "kurser", "📚"),
    ("app_pages/effekter.py", "page.outcomes", "effekter", "🎯"),
    ("app_pages/data.py", "page.data", "data", "⬇️"),
    ("app_pages/upload.py", "page.upload", "indlaes", "⬆️"),
)

# No page_title: the browser tab then names the page ("Overblik", "Kurser" …).
st.set_page_config(page_icon="📊", layout="wide")

with st.sidebar:
    language = st.segmented_control(
        "Sprog / Language", list(LANGUAGE_LABELS), default="Dansk", key="sprog",
        bind="query-params", label_visibility="collapsed",
    )
lang = LANGUAGE_LABELS.get(language or "Dansk", "da")

try:
    settings = load_settings()
except SettingsError as exc:
    st.error(t("error.settings", lang, problem=str(exc)))
    st.stop()

components.ensure_data_or_stop(settings, lang)

try:
    version = dataset_version(settings.dataset_dir)
    dataset = data.load_dataset(str(settings.dataset_dir), version)
    data.remember_good(settings.dataset_dir, version)
except (DatasetError, SchemaError, OSError) as exc:
    fallback = data.last_good(settings.dataset_dir)
    if fallback is None:
        st.error(t("error.dataset", lang, problem=str(exc)))
        st.stop()
    st.warning(t("error.dataset_fallback", lang, problem=str(exc)))
    version = fallback
    dataset = data.load_dataset(str(settings.dataset_dir), version)

pages = [
    st.Page(path, title=t(title_key, lang), url_path=url, icon=icon, default=(i == 0))
    for i, (path, title_key, url, icon) in enumerate(PAGES)
]
page = st.navigation(pages)

options = panel_options(dataset.covers_from, dataset.covers_to, settings.reform_date)
filters, link_problems = render_filter_panel(options, lang, extra_keys=PAGE_KEYS)
meeting_mode = components.render_meeting_toggle(lang)

with components.spinner_while_first_build(lang):
    data.load_facts(str(settings.dataset_dir), version, settings.reform_date)

set_context(AppContext(
    settings=settings, lang=lang, dataset=dataset, filters=filters, options=options,
    compute=data.Compute(settings.dataset_dir, version, settings.reform_date),
    meeting_mode=meeting_mode,
))

components.render_banners(dataset, link_problems, lang)
page.run()
components.render_footer(dataset, lang, settings.disclosure_threshold)
