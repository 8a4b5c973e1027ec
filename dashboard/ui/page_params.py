"""Page-owned URL keys (``soeg``, ``effekt``, ``fane`` …): the filter panel's link check skips
them, and Streamlit silently drops a value its widget cannot use. Pages call this before drawing
the widget, so a wrong link is explained instead of ignored in silence."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from veu_metrics.i18n import t


def warn_bad_page_value(key: str, allowed: Iterable[str], lang: str) -> None:
    """Show a warning when the URL holds a value for ``key`` that is not one of ``allowed``."""
    if key not in st.query_params:
        return
    allowed_set = set(allowed)
    for value in st.query_params.get_all(key):
        if value and value not in allowed_set:
            st.warning(t("link.bad_page_value", lang, value=value, param=key), icon="🔗")
            return
