"""The map block every place-comparing page uses: polygons when a boundary file is available,
centroid bubbles otherwise (and it says so), a legend beside it, the numbers one click away,
and a click on a place that selects it in the shared filters (and so in the URL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NotRequired, TypedDict

import polars as pl
import streamlit as st

from ui.components import render_table
from ui.filter_panel import SCHEME_LABELS
from veu_metrics import geography, maps
from veu_metrics.boundaries import BoundaryStatus, try_load_boundaries
from veu_metrics.catalogue import get_measure
from veu_metrics.columns import Column
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.safe_text import escape_markdown

if TYPE_CHECKING:
    from ui.context import AppContext


@st.cache_resource(show_spinner=False, max_entries=4)
def _boundaries(path: str, mtime_ns: int) -> BoundaryStatus:
    return try_load_boundaries(path)


def boundary_status(ctx: AppContext) -> BoundaryStatus:
    path = ctx.settings.boundaries
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return _boundaries(str(path), mtime)


def select_clicked_area(map_key: str, scheme: AreaScheme) -> None:
    """on_select callback: runs before the rerun, so it may set the bound filter widget."""
    event = st.session_state.get(map_key) or {}
    objects = (event.get("selection") or {}).get("objects") or {}
    clicked = objects.get(maps.LAYER_ID) or []
    if not clicked:
        return
    code = str(clicked[0].get("area_code", ""))
    names = geography.area_names(scheme)
    if code in names:
        # The area filter's options follow the scheme: switch the scheme along with the area.
        same_scheme = st.session_state.get("inddeling") == SCHEME_LABELS[scheme]
        current = st.session_state.get("omr") or []
        st.session_state["inddeling"] = SCHEME_LABELS[scheme]
        st.session_state["omr"] = [] if same_scheme and current == [names[code]] else [names[code]]


class _DeckOptions(TypedDict):
    """The arguments both deck builders take alike."""

    value_col: str
    unit: str
    decimals: int
    lang: str
    highlight: str | None
    basemap_url: str | None
    selected: Sequence[str]
    unit_label: str | None
    measure_label: str | None
    view_px: NotRequired[tuple[int, int]]


def render_map(ctx: AppContext, area_frame: pl.DataFrame, *, measure_key: str, scheme: AreaScheme,
               key: str, height: int = 520, highlight: str | None = None,
               selected: tuple[str, ...] | None = None, clickable: bool = True,
               legend_below: bool = False, min_width: int | None = None) -> None:
    """Draw ``area_frame`` (area_code, area_name, value, value_suppressed) as a map with a legend.
    ``min_width``: the narrowest the map is on screen (px), when it is wider than a half column."""
    lang = ctx.lang
    measure = get_measure(measure_key)
    status = boundary_status(ctx)
    chosen = ctx.filters.areas if selected is None else selected
    common = _DeckOptions(value_col="value", unit=measure.unit, decimals=measure.decimals,
                          lang=lang, highlight=highlight, basemap_url=ctx.settings.basemap_url,
                          selected=chosen, unit_label=measure.unit_label(lang),
                          measure_label=measure.title(lang))
    if min_width is not None:
        common["view_px"] = (min_width, height - 40)
    if status.boundaries is not None:
        deck = maps.build_choropleth_deck(area_frame, status.boundaries.shapes(scheme),
                                          scheme=scheme, **common)
    else:
        deck = maps.build_centroid_deck(area_frame, scheme, **common)

    if legend_below:  # a narrow column: the map takes the width, the legend wraps beneath it
        map_col, legend_col = st.container(), st.container()
    else:
        map_col, legend_col = st.columns([4, 1])
    with map_col:
        map_key = f"map-{key}"
        if clickable:
            st.pydeck_chart(deck, height=height, key=map_key, selection_mode="single-object",
                            on_select=lambda: select_clicked_area(map_key, scheme))
        else:
            st.pydeck_chart(deck, height=height, key=map_key)
    with legend_col:
        legend = maps.build_legend(area_frame, value_col="value", unit=measure.unit,
                                   decimals=measure.decimals, lang=lang)
        st.markdown(maps.build_legend_html(legend, measure.title(lang), horizontal=legend_below),
                    unsafe_allow_html=True)
        if clickable:
            st.caption(t("map.click_hint", lang))
    if status.boundaries is None:
        st.caption(("ℹ️ " + maps.text("centroid_notice", lang)) + (
            "" if status.file_missing else f" ({escape_markdown(status.problem)})"))
    attribution = maps.attribution_for(status.boundaries)
    if attribution:
        st.caption(escape_markdown(attribution, max_chars=400))
    with st.expander(t("map.table", lang)):
        table = maps.compute_map_table(area_frame, scheme, value_col="value", unit=measure.unit,
                                       decimals=measure.decimals, lang=lang,
                                       unit_label=measure.unit_label(lang))
        hidden = area_frame.select(pl.col("area_code").cast(pl.String), "value_suppressed")
        shown = table.join(hidden, on="area_code", how="left", maintain_order="left").select(
            "area_name", "value", pl.col("value_suppressed").fill_null(False))
        render_table(shown, lang, columns={
            "area_name": Column(label="col.area"),
            "value": Column(label=measure.title(lang), kind="share" if measure.unit == "share"
                            else ("count" if measure.decimals == 0 else "number"),
                            decimals=measure.decimals)})
