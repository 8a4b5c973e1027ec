"""Rendering pieces shared by the pages (render_*): headers, banners, KPI cards, chart blocks."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from ui import data, kpis, tables
from ui.page_params import resolve_page_value
from veu_metrics import exports, geography, images
from veu_metrics.aggregate import MeasureError, check_breakdown
from veu_metrics.catalogue import Measure, get_measure, load_catalogue, pickable_measures
from veu_metrics.charts import AltairChart, TimeUnit
from veu_metrics.columns import PERIOD_KINDS, Column, file_headers
from veu_metrics.dataset import Dataset
from veu_metrics.dimensions import BOOLEAN_VALUES, BREAKDOWN_DIMENSIONS
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_pairs, is_flag
from veu_metrics.exports import export_filename
from veu_metrics.filters import FilterError
from veu_metrics.formatting import format_date, format_value
from veu_metrics.geography import AreaScheme
from veu_metrics.i18n import t
from veu_metrics.periods import GRAINS, Grain
from veu_metrics.safe_text import escape_markdown
from veu_metrics.settings import Settings

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.navigation.page import StreamlitPage

    from ui.context import AppContext

MEETING_CSS = """
<style>
/* Meeting mode: the sidebar (pages and filters) starts collapsed and stays one click away */
.block-container { max-width: 100% !important; padding-top: 4.5rem; }
html, body, [class*="css"], .stMarkdown p, .stCaption p { font-size: 1.3rem; }
h1 { font-size: 2.8rem !important; }
h2, h3 { font-size: 1.9rem !important; }
/* KPI card texts: the sizes are variables, as the KPI grid's column width is reckoned from them */
:root { --veu-kpi-label-size: 1.3rem; --veu-kpi-value-size: 3.2rem; --veu-kpi-delta-size: 1.15rem; }
[data-testid="stMetricValue"] { font-size: var(--veu-kpi-value-size) !important; }
[data-testid="stMetricLabel"] p { font-size: var(--veu-kpi-label-size) !important; }
[data-testid="stMetricDelta"] div { font-size: var(--veu-kpi-delta-size) !important; }
[data-testid="stExpandSidebarButton"] { transform: scale(1.6); transform-origin: top left; }
</style>
"""
LAYOUT_CSS = """
<style>
/* Nothing essential cut from 1024 px up: KPI titles and comparison texts wrap between words,
   never "…" (a word is broken only if it could not fit a card on the whole screen) */
[data-testid="stMetric"] p { white-space: normal !important; overflow-wrap: break-word; }
[data-testid="stMetric"] * { text-overflow: clip !important; }
[data-testid="stMetric"] div:has(> [data-testid="stMetricDelta"]) { flex-wrap: wrap; row-gap: 0.2rem; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div { overflow: visible !important; }
/* A value and a comparison ("-0,8 procentpoint") stay on one line */
[data-testid="stMetricValue"] p, [data-testid="stMetricDelta"] p { white-space: nowrap !important; }
/* KPI cards (render_kpi_cards): a grid of at most --veu-kpi-columns equal columns, each at least
   as wide as the card's widest word needs (widths in em from kpis.kpi_grid_style, times the font
   size of that text: meeting mode enlarges them); fewer columns where a third would be narrower.
   The chrome: 1rem of padding and a border each side, the help icon (1rem) and its gap. */
.st-key-veu_kpis {
  --veu-kpi-gap: 1rem;
  --veu-kpi-card: calc(2rem + 2px + max(
    var(--veu-kpi-label-em, 0) * var(--veu-kpi-label-size, 0.875rem) + 1.5rem,
    var(--veu-kpi-value-em, 0) * var(--veu-kpi-value-size, 2.25rem),
    var(--veu-kpi-delta-em, 0) * var(--veu-kpi-delta-size, 0.875rem) + 1.5rem,
    var(--veu-kpi-note-em, 0) * 0.875rem));
  display: grid !important; gap: var(--veu-kpi-gap) !important; align-items: stretch !important;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, max(var(--veu-kpi-card),
    (100% - (var(--veu-kpi-columns, 3) - 1) * var(--veu-kpi-gap)) / var(--veu-kpi-columns, 3))), 1fr));
}
.st-key-veu_kpis > [data-testid="stElementContainer"] { width: auto !important; min-width: 0; }
/* Cards of a row are equally tall; the sparkline sits at the bottom */
.st-key-veu_kpis [data-testid="stMetric"] { height: 100%; display: flex; flex-direction: column;
  justify-content: space-between; }
/* Button labels wrap onto a second line rather than end in "…" */
[data-testid="stMain"] button div, [data-testid="stMain"] button p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMain"] button { height: auto; }
/* Chips of chosen values in the sidebar (e.g. an area) show their whole name, on two lines */
section[data-testid="stSidebar"] [data-tag] { max-width: 100% !important; height: auto !important; }
section[data-testid="stSidebar"] [data-tag] span[title] { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; max-width: none !important; }
</style>
"""


MEETING_FONT = 17
"""Axis and legend text in meeting mode (px): readable from the back of a room."""


def meeting_chart(chart: AltairChart) -> AltairChart:
    """A chart with enlarged axis and legend text for a projector; legends never cut."""
    # Altair's configure_* return the chart's own kind, but its signature decorator hides that.
    enlarged: AltairChart = chart.configure_axis(
        labelFontSize=MEETING_FONT, titleFontSize=MEETING_FONT + 1, labelLimit=420,
    ).configure_legend(
        labelFontSize=MEETING_FONT, titleFontSize=MEETING_FONT, labelLimit=0, symbolSize=180)
    return enlarged


def ensure_data_or_stop(settings: Settings, lang: str) -> None:
    """On first start with no data, generate the demo dataset with visible progress."""
    if not settings.uses_demo or (settings.dataset_dir / "metadata.json").is_file():
        if not settings.dataset_dir.exists():
            st.error(t("error.no_data_dir", lang, path=str(settings.dataset_dir)))
            st.stop()
        return
    st.info(t("demo.generating", lang))
    bar = st.progress(0.0, text=t("demo.generating", lang))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        data.ensure_demo_dataset(settings, progress)
    except Exception as exc:  # generation is the one step with no older data to fall back on
        st.error(t("error.generate", lang, problem=str(exc)))
        st.stop()
    st.rerun()


@contextlib.contextmanager
def spinner_while_first_build(lang: str) -> Iterator[None]:
    with st.spinner(t("data.preparing", lang)):
        yield


def render_meeting_toggle(lang: str) -> bool:
    on = st.toggle(t("meeting.toggle", lang), key="moede", bind="query-params",
                   help=t("meeting.help", lang))
    if on:
        # Collapsed, not hidden: the ">" at the top left opens pages and filters with one click.
        st.set_page_config(initial_sidebar_state="collapsed")
        st.markdown(MEETING_CSS, unsafe_allow_html=True)
    elif st.session_state.get("_veu_was_meeting"):
        st.set_page_config(initial_sidebar_state="expanded")
    st.session_state["_veu_was_meeting"] = bool(on)
    return bool(on)


def _dismiss_link_problems() -> None:
    st.session_state[_LINK_PROBLEMS] = {}


_LINK_PROBLEMS = "_veu_link_problems"
MAX_LINK_PROBLEMS = 8
"""Link problems listed by name at most; the rest are counted (500 unknown keys: one box)."""


def render_banners(dataset: Dataset, lang: str) -> DeltaGenerator:
    """The demo banner, and the place for what a link held that could not be used (filled by
    :func:`render_link_problems` once the page has run, so the page's own keys are in it too)."""
    if dataset.synthetic:
        st.warning(t("demo.banner", lang), icon="⚠️")
    return st.empty()


def render_link_problems(place: DeltaGenerator, problems: list[FilterError], lang: str) -> None:
    """One box listing the link's problems (capped), every outside value escaped. Streamlit
    drops unusable link values on the first run, so the problems are kept until dismissed."""
    known: dict[tuple[str, str], FilterError] = st.session_state.setdefault(_LINK_PROBLEMS, {})
    for problem in problems:
        known.setdefault((str(problem.key), str(problem.value)), problem)
    if not known:
        return
    # Values of known keys first: a flood of unknown keys must not push them out of the box.
    listed = sorted(known.values(), key=lambda p: p.message_en.startswith("unknown setting"))
    lines = [f"- {escape_markdown(p.message(lang))}" for p in listed[:MAX_LINK_PROBLEMS]]
    if len(listed) > MAX_LINK_PROBLEMS:
        lines.append(f"- {t('link.more_problems', lang, n=len(listed) - MAX_LINK_PROBLEMS)}")
    with place.container():
        st.warning(t("link.problems", lang, n=len(listed)) + "\n\n" + "\n".join(lines), icon="🔗")
        st.button(t("link.dismiss", lang), on_click=_dismiss_link_problems, type="tertiary")


def run_page_safely(page: StreamlitPage, lang: str) -> None:
    """Run the chosen page; no traceback ever reaches a visitor. Polars panics (not an Exception:
    a BaseException from its Rust core) and compute errors on damaged data are explained instead.
    Streamlit's own control flow (st.stop, st.rerun, st.switch_page) passes through."""
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

    try:
        page.run()
    except ScriptControlException:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - includes pyo3's PanicException
        logging.getLogger("veu_metrics.app").error("page failed", exc_info=exc)  # for operators
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        problem = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        st.error(t("error.page", lang, problem=escape_markdown(problem, max_chars=300)), icon="🚫")


def render_page_header(title: str, filters_line: str, lang: str, intro: str | None = None) -> None:
    """Title, the active filters in one line (so a screenshot explains itself), copy-link."""
    st.html(LAYOUT_CSS)
    # Room for "Del link" in full at 1024 px (a sixth of the column cut it to "D…")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        st.title(title)
    with right, st.popover(t("link.copy", lang), width="stretch"):
        st.caption(t("link.help", lang))
        st.code(share_link(st.context.url or "", {k: st.query_params.get_all(k) for k in st.query_params}),
                language=None, wrap_lines=True)
    st.caption(filters_line)
    if intro:
        st.markdown(intro)


def share_link(url: str, params: dict[str, list[str]]) -> str:
    """The page's address with its filters, encoded as the browser writes them."""
    query = urlencode([(key, value) for key, values in params.items() for value in values])
    return f"{url}?{query}" if query else url


def render_no_data(lang: str) -> None:
    st.info(t("nodata", lang), icon="🔍")


def render_footer(dataset: Dataset, lang: str, threshold: int) -> None:
    meta = dataset.metadata
    st.divider()
    st.caption(" · ".join([
        t("footer.source", lang, source=escape_markdown(meta.get("source", ""))),
        t("footer.until", lang, day=format_date(dataset.covers_to, lang)),
        t("footer.updated", lang, day=text_date(meta.get("created_at"), lang)),
        t("footer.next", lang, day=text_date(meta.get("next_update"), lang)),
        t("footer.suppressed", lang, marker=SUPPRESSED_MARKER, threshold=threshold),
    ]))


def text_date(value: Any, lang: str) -> str:
    """A date from the metadata (ISO text or a timestamp) in the text format: '5. nov. 2026'."""
    text = str(value or "")[:10]
    try:
        return format_date(date.fromisoformat(text), lang)
    except ValueError:  # outside text: shown as it is, escaped
        return escape_markdown(text) if text else "–"


def render_kpi_cards(cards: list[dict[str, Any]], columns: int = 3) -> None:
    """Cards of st.metric (dicts with label, value, delta, help, sparkline, delta_color) in a grid
    of at most ``columns`` columns. The browser picks the count (Python cannot know the window's
    width): fewer columns where a card would be narrower than its widest word (LAYOUT_CSS). One
    call per page (the grid is the container keyed ``veu_kpis``)."""
    st.html(f"<style>.st-key-veu_kpis {{ {kpis.kpi_grid_style(cards, columns)} }}</style>")
    with st.container(key="veu_kpis"):
        for card in cards:
            st.metric(
                card["label"], card["value"], delta=card.get("delta"), help=card.get("help"),
                delta_color=card.get("delta_color", "normal"), border=True,
                chart_data=card.get("sparkline") or None, chart_type="area",
                delta_description=card.get("delta_description"),
            )


def _source_line(ctx: AppContext) -> str:
    meta = ctx.dataset.metadata
    return t("image.source", ctx.lang, source=meta.get("source", ""), version=ctx.dataset.version[:8],
             day=format_date(ctx.dataset.covers_to, ctx.lang))


def render_downloads(ctx: AppContext, frame: pl.DataFrame, *, subject: str, title: str,
                     key: str, chart: AltairChart | None = None,
                     measures: list[str] | None = None,
                     columns: Mapping[str, Column] | None = None) -> None:
    """Download buttons for what the view shows. Files are built only when clicked. The Danish
    CSV and Excel carry the screen's column labels; the plain CSV and Parquet keep the codes."""
    lang = ctx.lang
    headers = file_headers(frame, lang, columns)
    today = date.today()
    params = ctx.filters.to_query_params()
    description = ctx.filters.describe(lang)

    def name(ext: str, suffix: str = "") -> str:
        return export_filename(subject + suffix, ctx.filters.short_name(), ctx.dataset.version, today, ext)

    catalogue = load_catalogue()
    definitions = [catalogue[m] for m in (measures or []) if m in catalogue] or list(catalogue.values())
    # One wrapping row: each button keeps its whole label, also at 1024 px.
    row = st.container(horizontal=True, gap="small")
    cols = [row] * (6 if chart is not None else 4)
    cols[0].download_button(
        t("download.csv_da", lang), data=lambda: exports.to_csv_bytes(frame, "da", headers=headers, lang=lang),
        file_name=name("csv"), mime="text/csv", key=f"{key}-csv", on_click="ignore",
        help=t("download.csv_da.help", lang))
    cols[1].download_button(
        t("download.csv_plain", lang), data=lambda: exports.to_csv_bytes(frame, "plain"),
        file_name=name("csv", "-plain"), mime="text/csv", key=f"{key}-csvp", on_click="ignore",
        help=t("download.csv_plain.help", lang))
    cols[2].download_button(
        "Excel", key=f"{key}-xlsx", on_click="ignore", file_name=name("xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        data=lambda: exports.to_excel_bytes(
            frame, title=title, definitions=definitions, filters_description=description,
            filters_params=params, data_version=ctx.dataset.version, exported_at=datetime.now(),
            lang=lang, disclosure_threshold=ctx.threshold, headers=headers),
        help=t("download.excel.help", lang))
    cols[3].download_button(
        "Parquet", data=lambda: exports.to_parquet_bytes(frame), file_name=name("parquet"),
        mime="application/octet-stream", key=f"{key}-pq", on_click="ignore",
        help=t("download.parquet.help", lang))
    if chart is not None:
        cols[4].download_button(
            "PNG", key=f"{key}-png", on_click="ignore", file_name=name("png"), mime="image/png",
            data=lambda: images.chart_to_png(chart, title=title, subtitle=description,
                                             source_line=_source_line(ctx), lang=lang),
            help=t("download.png.help", lang))
        cols[5].download_button(
            "SVG", key=f"{key}-svg", on_click="ignore", file_name=name("svg"), mime="image/svg+xml",
            data=lambda: images.chart_to_svg(chart, title=title, subtitle=description,
                                             source_line=_source_line(ctx), lang=lang),
            help=t("download.png.help", lang))


def render_chart_block(ctx: AppContext, *, title: str, chart: AltairChart | None,
                       table: pl.DataFrame, subject: str, key: str,
                       measures: list[str] | None = None, help: str | None = None,
                       column_config: dict[str, Any] | None = None,
                       columns: Mapping[str, Column] | None = None) -> None:
    """A titled visual with its numbers one click away (Graf | Tabel) and its downloads.
    ``columns`` describes the table's columns (labels, kinds); see ``ui.tables``."""
    st.subheader(title, help=help)
    if table.is_empty():
        render_no_data(ctx.lang)
        return
    if chart is not None:
        tab_chart, tab_table = st.tabs([t("tab.chart", ctx.lang), t("tab.table", ctx.lang)])
        with tab_chart:
            st.altair_chart(meeting_chart(chart) if ctx.meeting_mode else chart, width="stretch")
        with tab_table:
            render_table(table, ctx.lang, column_config, columns=columns)
    else:
        render_table(table, ctx.lang, column_config, columns=columns)
    with st.expander(t("download.title", ctx.lang)):
        render_downloads(ctx, table, subject=subject, title=title, key=key, chart=chart,
                         measures=measures, columns=columns)


def render_table(frame: pl.DataFrame, lang: str, column_config: dict[str, Any] | None = None, *,
                 columns: Mapping[str, Column] | None = None, **options: Any) -> Any:
    """A table where suppressed cells show the marker, never 0 or blank; a table of protected
    figures says under it that they are perturbed. Without an explicit ``column_config`` the
    table is typed (``ui.tables``): numbers sort as numbers."""
    if column_config is not None:  # an already formatted frame with its own configuration
        shown = st.dataframe(display_frame(frame, lang), hide_index=True, width="stretch",
                             column_config=column_config, **options)
    else:
        shown = tables.render_table(frame, lang, columns, **options)
    if any(is_flag(c) for c in frame.columns):
        st.caption(t("disclosure.note", lang))
    return shown


def text_column(frame: pl.DataFrame, column: str, formatter: Callable[[Any], str]) -> pl.Series:
    """A column formatted as text for people, in plain Python. Never ``map_elements`` in the app:
    Python run inside Polars' thread pool deadlocks the server when another session converts a
    frame for st.dataframe at the same moment (docs/PERFORMANCE.md)."""
    return pl.Series(column, [None if v is None else formatter(v) for v in frame[column].to_list()],
                     dtype=pl.String)


def display_frame(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Turn value columns with a ``<col>_suppressed`` flag into formatted text with the marker,
    and drop the flags: what a person reads in a table."""
    flags = flag_pairs(frame.columns)
    out = frame
    for column, flag in flags.items():
        measure = load_catalogue().get(column)
        unit = measure.unit if measure else ("share" if column.endswith(("_rate", "_share", "share")) else "count")
        decimals = measure.decimals if measure else (1 if unit == "share" else 0)
        texts = [format_value(v, unit, decimals, lang, suppressed=bool(s))
                 for v, s in zip(out[column].to_list(), out[flag].to_list(), strict=True)]
        out = out.with_columns(pl.Series(column, texts, dtype=pl.String))
    out = out.drop(list(flags.values()))
    # A missing value reads '–' (Streamlit would print a grey 'None'); numbers with gaps become text.
    gaps = [c for c in out.columns if out[c].null_count() and not out.schema[c].is_temporal()]
    return out.with_columns(pl.col(c).cast(pl.String).fill_null("–") for c in gaps)


TIME_UNITS: dict[Grain, TimeUnit] = {"month": "yearmonth", "quarter": "yearquarter", "year": "year"}
# The trend's split choices: none, then the registry's picker dimensions in its order.
BREAKDOWN_CHOICES: tuple[str | None, ...] = (
    None, *(d.name for d in BREAKDOWN_DIMENSIONS if d.picker))
# Yes/no breakdowns, whose groups are named by breakdown.<name>.yes / .no.
BOOLEAN_BREAKDOWNS = frozenset(d.name for d in BREAKDOWN_DIMENSIONS if d.values == BOOLEAN_VALUES)


def series_columns(measure: Measure, grain: str, breakdown: str | None, lang: str
                   ) -> dict[str, Column]:
    """A trend's table: the period at its grain, the group named by the breakdown, the value
    in the measure's unit under the measure's title."""
    kind = PERIOD_KINDS[grain]
    columns: dict[str, Column] = {
        "period": Column(label="col.period", kind=kind),
        "value": Column(label=measure.title(lang), kind="share" if measure.unit == "share" else (
            "count" if measure.decimals == 0 else "number"), decimals=measure.decimals),
    }
    columns["group"] = (Column(label=f"breakdown.{breakdown}") if breakdown
                        else Column(kind="hidden"))
    return columns


def render_measure_picker(ctx: AppContext, key: str, choices: tuple[str, ...] | None = None,
                          container: DeltaGenerator | None = None) -> str:
    """A measure choice bound to the URL; shows the catalogue's titles. Without ``choices`` it
    offers the catalogue's picker measures in their order (``picker`` in measures.yaml)."""
    choices = pickable_measures() if choices is None else choices
    titles = {get_measure(m).title(ctx.lang): m for m in choices}
    selectbox = st.selectbox if container is None else container.selectbox
    label = selectbox(t("picker.measure", ctx.lang), list(titles), key=key,
                            bind="query-params")
    return titles.get(label, choices[0])


def render_grain_picker(ctx: AppContext, container: DeltaGenerator | None = None) -> Grain:
    labels: dict[str, Grain] = {t(f"grain.{g}", ctx.lang): g for g in GRAINS}
    # A link made in the other language holds that language's label: select the same grain.
    resolve_page_value("visning", {label: f"grain.{g}" for label, g in labels.items()}, ctx.lang)
    segmented_control = (st.segmented_control if container is None
                         else container.segmented_control)
    label = segmented_control(t("picker.grain", ctx.lang), list(labels),
                                    default=t("grain.quarter", ctx.lang), key="visning",
                                    bind="query-params")
    return labels.get(label or "", "quarter")


def render_breakdown_picker(ctx: AppContext, container: DeltaGenerator, measure_key: str) -> str | None:
    """Breakdowns the measure supports (participant breakdowns only for enrolment measures)."""
    allowed = [b for b in BREAKDOWN_CHOICES if b is None or _supports(measure_key, b)]
    labels = {t(f"breakdown.{b}", ctx.lang): b for b in allowed}
    resolve_page_value("opdel", {label: f"breakdown.{b}" for label, b in labels.items()}, ctx.lang)
    label = container.selectbox(t("picker.breakdown", ctx.lang), list(labels), key="opdel",
                                bind="query-params")
    return labels.get(label)


def fill_missing_label(frame: pl.DataFrame, column: str, label: str) -> pl.DataFrame:
    """Name the rows that have no value in ``column`` (never show 'null' to a person)."""
    return frame.with_columns(pl.col(column).cast(pl.String).fill_null(label))


def _supports(measure_key: str, breakdown: str) -> bool:
    try:
        check_breakdown(get_measure(measure_key), breakdown)
    except MeasureError:
        return False
    return True


def name_groups(series: pl.DataFrame, breakdown: str | None, scheme: AreaScheme, lang: str) -> pl.DataFrame:
    """Readable group names for a series split by area, Job-VEU or shortage; rows without a
    value for the breakdown (e.g. courses without a focus area) are 'Ikke angivet'."""
    if breakdown is not None:
        series = series.with_columns(pl.col("group").fill_null(t("breakdown.not_given", lang)))
    if breakdown == "area":
        names = geography.area_names(scheme, lang)
        return series.with_columns(pl.col("group").replace_strict(names, default=pl.col("group")))
    if breakdown in BOOLEAN_BREAKDOWNS:
        yes, no = t(f"breakdown.{breakdown}.yes", lang), t(f"breakdown.{breakdown}.no", lang)
        return series.with_columns(
            pl.when(pl.col("group") == "true").then(pl.lit(yes))
            .when(pl.col("group") == "false").then(pl.lit(no)).otherwise(pl.col("group")).alias("group"))
    return series
