"""Page-owned URL keys (``soeg``, ``effekt``, ``fane`` …): the filter panel's link check skips
them, and Streamlit silently drops a value its widget cannot use. Pages call these before drawing
the widget, so a wrong link is explained instead of ignored in silence, and a link made in the
other language (whose widget labels differ) opens the same view."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from veu_metrics.i18n import LANGUAGES, t


def warn_bad_page_value(key: str, allowed: Iterable[str], lang: str) -> None:
    """Show a warning when the URL holds a value for ``key`` that is not one of ``allowed``."""
    if key not in st.query_params:
        return
    allowed_set = set(allowed)
    for value in st.query_params.get_all(key):
        if value and value not in allowed_set:
            st.warning(t("link.bad_page_value", lang, value=value, param=key), icon="🔗")
            return


def resolve_page_value(key: str, choices: Mapping[str, str], lang: str) -> None:
    """A bound choice whose URL value is its label: accept the label in any UI language.

    ``choices`` maps each choice's state value (what ``st.session_state[key]`` holds) to the
    text key of its label. A label from another language selects the same choice; a value that
    is no label at all gets a warning (and the widget's default).
    """
    if key not in st.query_params:
        return
    value = st.query_params.get(key)
    if not value:
        return
    labels = {state: {t(text_key, other) for other in LANGUAGES} for state, text_key in choices.items()}
    if value in {t(text_key, lang) for text_key in choices.values()}:
        return
    for state, names in labels.items():
        if value in names:
            if st.session_state.get(key) != state:
                st.session_state[key] = state
            return
    st.warning(t("link.bad_page_value", lang, value=value, param=key), icon="🔗")
