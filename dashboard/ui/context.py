"""What every page needs, built once per run by app.py: settings, language, the dataset,
the filters and ``cached``, which calls a core computation through the cache."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.data import Cached
from ui.filter_panel import PanelOptions
from veu_metrics.dataset import Dataset
from veu_metrics.filters import Filters
from veu_metrics.settings import Settings

_KEY = "_veu_context"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    lang: str
    dataset: Dataset
    filters: Filters
    options: PanelOptions
    cached: Cached
    meeting_mode: bool

    @property
    def threshold(self) -> int:
        return self.settings.disclosure_threshold


def set_context(ctx: AppContext) -> None:
    st.session_state[_KEY] = ctx


def get_context() -> AppContext:
    # Session state holds Any; set_context is its only writer under this key.
    ctx: AppContext = st.session_state[_KEY]
    return ctx
