import streamlit as st

from ui.context import get_context
from veu_metrics.i18n import t

ctx = get_context()
st.title(t("page.data", ctx.lang))
