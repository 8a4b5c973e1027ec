"""Altair chart builders (build_*_chart): a frame in, a chart out; no Streamlit.

Charts get aggregates (already disclosure-controlled), never microdata. Values are formatted for
tooltips in Danish or English by the core's formatting, and axes use a Danish number locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import altair as alt
import polars as pl

from veu_metrics import style
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_column, flag_expr
from veu_metrics.formatting import format_value, month_abbreviations

# Vega-Lite time units of the trend charts' x axis, one per grain.
TimeUnit = Literal["yearmonth", "yearquarter", "year"]

# What a builder returns: one of Altair's top-level charts, the kinds st.altair_chart takes
# (alt.TopLevelMixin is their common base, but Streamlit's signature names the kinds).
AltairChart = (alt.Chart | alt.LayerChart | alt.ConcatChart | alt.HConcatChart | alt.VConcatChart
               | alt.FacetChart | alt.RepeatChart)

DA_LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."],
               "percent": "\u00a0%", "minus": "\u2212"},
    "time": {
        "dateTime": "%A den %d %B %Y %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
        "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        "months": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                   "september", "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
                        "nov", "dec"],
    },
}


def _finish(chart: AltairChart, lang: str) -> AltairChart:
    config: dict[str, Any] = {"font": style.FONT}
    if lang == "da":
        config["locale"] = DA_LOCALE
    configured: AltairChart = chart.configure(**config).configure_view(stroke=None)
    return configured


def with_value_text(frame: pl.DataFrame, value_col: str, unit: str, decimals: int, lang: str,
                    suppressed_col: str | None = None, text_col: str = "value_text") -> pl.DataFrame:
    """Add a formatted text column for tooltips: Danish numbers, the marker where suppressed."""
    suppressed_col = suppressed_col or flag_column(value_col)
    flags = frame[suppressed_col] if suppressed_col in frame.columns else pl.Series([False] * frame.height)
    texts = [
        format_value(v, unit, decimals, lang, suppressed=bool(s))
        for v, s in zip(frame[value_col].to_list(), flags.to_list(), strict=True)
    ]
    return frame.with_columns(pl.Series(text_col, texts, dtype=pl.String))


def _column_max(frame: pl.DataFrame, column: str) -> float:
    """The largest value of a numeric column; 0 when it has none."""
    value = frame[column].cast(pl.Float64).max()
    return float(value) if isinstance(value, int | float) else 0.0


def _axis_format(unit: str) -> str:
    return ".0%" if unit == "share" else ",.0f"


def build_trend_chart(frame: pl.DataFrame, *, period_col: str, value_col: str, unit: str,
                      decimals: int, lang: str, y_title: str, group_col: str | None = None,
                      group_title: str = "", height: int = 320,
                      time_unit: TimeUnit = "yearmonth") -> AltairChart:
    """A line per group over time; suppressed points are gaps (the tooltip says why)."""
    data = with_value_text(frame, value_col, unit, decimals, lang)
    tooltip = [alt.Tooltip(f"{period_col}:T", title="", timeUnit=time_unit),
               alt.Tooltip("value_text:N", title=y_title)]
    encoding: dict[str, Any] = {
        "x": alt.X(f"{period_col}:T", title=None, timeUnit=time_unit,
                   axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        "y": alt.Y(f"{value_col}:Q", title=y_title, axis=alt.Axis(format=_axis_format(unit))),
    }
    if group_col:
        groups = data[group_col].unique(maintain_order=True).to_list()
        encoding["color"] = alt.Color(
            f"{group_col}:N", title=group_title,
            scale=alt.Scale(domain=groups, range=list(style.CATEGORY_COLOURS[: max(1, len(groups))])
                            if len(groups) <= len(style.CATEGORY_COLOURS) else alt.Undefined),
            # Two columns fit the narrowest chart (a 1024 px screen): a legend is never clipped.
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=300),
        )
        tooltip.insert(1, alt.Tooltip(f"{group_col}:N", title=group_title))
    else:
        encoding["color"] = alt.value(style.PRIMARY)
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5)
        .encode(**encoding, tooltip=tooltip)
        .properties(height=height, width="container")
    )
    return _finish(chart, lang)


BAR_STEP = 30
"""Pixels per bar: a bar chart's height grows with its number of categories."""


MAX_LINES = 6
"""A trend split into more groups than this draws the largest ones and "Øvrige" (the rest)."""


def top_groups(frame: pl.DataFrame, *, group_col: str = "group", value_col: str = "value",
               period_col: str = "period", n: int = MAX_LINES, other_label: str = "Øvrige",
               additive: bool = True) -> tuple[pl.DataFrame, int]:
    """The ``n`` largest groups of a long series (by their total) and, for an amount, one more
    group ``other_label`` holding the rest per period (hidden where any part is hidden: a sum
    with a hidden part would reveal it or be wrong). A rate cannot be summed: its smaller groups
    are left out of the chart (the table keeps them). Returns the frame and how many groups
    were folded or left out."""
    flag = flag_column(value_col)
    totals = (frame.group_by(group_col).agg(pl.col(value_col).fill_null(0).sum().alias("_t"))
              .sort(["_t", group_col], descending=[True, False]))
    if totals.height <= n + 1:
        return frame, 0
    keep = totals[group_col].head(n).to_list()
    kept = frame.filter(pl.col(group_col).is_in(keep))
    rest = totals.height - n
    if not additive:
        return kept, rest
    others = frame.filter(~pl.col(group_col).is_in(keep)).group_by(period_col).agg(
        pl.col(value_col).fill_null(0).sum().alias(value_col),
        (pl.col(flag).any() if flag in frame.columns else pl.lit(False)).alias(flag),
    ).with_columns(pl.when(pl.col(flag)).then(None).otherwise(pl.col(value_col)).alias(value_col),
                   pl.lit(other_label).alias(group_col))
    columns = [period_col, group_col, value_col, flag]
    kept = kept.with_columns(pl.lit(False).alias(flag)) if flag not in kept.columns else kept
    return pl.concat([kept.select(columns), others.select(columns)], how="vertical_relaxed").sort(
        period_col, maintain_order=True), rest


def build_bar_chart(frame: pl.DataFrame, *, category_col: str, value_col: str, unit: str,
                    decimals: int, lang: str, x_title: str, highlight: Sequence[str] = (),
                    height: int | None = None, sort_descending: bool = True) -> AltairChart:
    """Horizontal bars, largest first; highlighted categories in the primary colour."""
    data = with_value_text(frame, value_col, unit, decimals, lang)
    data = data.with_columns(pl.col(category_col).is_in(list(highlight)).alias("_highlight"))
    order = [c for c in data.sort(value_col, descending=sort_descending, nulls_last=True)[category_col].to_list()
             if c is not None]
    colour = (alt.condition("datum._highlight", alt.value(style.PRIMARY), alt.value(style.PROJECTION))
              if highlight else alt.value(style.PRIMARY))
    largest = _column_max(data, value_col)
    # Room to the right of the longest bar for its value label.
    x_scale = alt.Scale(domain=[0, largest * 1.18]) if largest else alt.Undefined
    bars = alt.Chart(data).mark_bar().encode(
        # Every category keeps its label: no overlap pruning, and the chart grows per bar.
        y=alt.Y(f"{category_col}:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=280, labelOverlap=False)),
        x=alt.X(f"{value_col}:Q", title=x_title, axis=alt.Axis(format=_axis_format(unit)),
                scale=x_scale),
        color=colour,
        tooltip=[alt.Tooltip(f"{category_col}:N", title=""), alt.Tooltip("value_text:N", title=x_title)],
    )
    labels = alt.Chart(data).mark_text(align="left", dx=4, fontSize=12).encode(
        y=alt.Y(f"{category_col}:N", sort=order), x=alt.X(f"{value_col}:Q"), text="value_text:N",
    )
    suppressed = data.filter(pl.col(value_col).is_null())
    layers = [bars, labels]
    if suppressed.height:
        layers.append(alt.Chart(suppressed).mark_text(align="left", dx=4, fontSize=12).encode(
            y=alt.Y(f"{category_col}:N", sort=order), x=alt.value(0), text=alt.value(SUPPRESSED_MARKER),
        ))
    chart = alt.layer(*layers).properties(height=height or alt.Step(BAR_STEP), width="container")
    return _finish(chart, lang)


def build_year_lines_chart(frame: pl.DataFrame, *, value_col: str, unit: str, decimals: int,
                           lang: str, y_title: str, group_col: str = "group",
                           month_col: str = "month_number") -> AltairChart:
    """One line per year over the months January–December (this year against the last),
    each line named at its end so no legend is needed."""
    data = with_value_text(frame, value_col, unit, decimals, lang)
    names = month_abbreviations("en" if lang == "en" else "da")
    data = data.with_columns(pl.col(month_col).replace_strict(
        {i + 1: n for i, n in enumerate(names)}, return_dtype=pl.String).alias("_month"))
    years = sorted(data[group_col].unique().to_list())
    colours = [style.COMPARISON] * (len(years) - 1) + [style.PRIMARY]
    x = alt.X("_month:N", sort=list(names), title=None, axis=alt.Axis(labelAngle=0))
    colour = alt.Color(f"{group_col}:N", scale=alt.Scale(domain=years, range=colours),
                       legend=alt.Legend(orient="top", title=None))
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=3).encode(
        x=x, y=alt.Y(f"{value_col}:Q", title=y_title, axis=alt.Axis(format=_axis_format(unit))),
        color=colour, tooltip=[alt.Tooltip(f"{group_col}:N", title=""),
                               alt.Tooltip("_month:N", title=""),
                               alt.Tooltip("value_text:N", title=y_title)])
    return _finish(lines.properties(height=320, width="container"), lang)


BULLET_ROW_HEIGHT = 64
"""Pixels per target in the bullet chart: the label line above, the bullet below."""


def build_target_chart(frame: pl.DataFrame, *, label_col: str, actual_col: str,
                       projection_col: str, target_col: str, on_track_col: str, lang: str,
                       labels: dict[str, str], expected_col: str | None = None,
                       scale: float = 1.0) -> AltairChart:
    """One bullet per target, on a common scale of "share of the year's target": a thick bar
    for what is achieved so far (coloured and worded by status), a light bar for the expected
    year end, a black tick for where the area should be by now (``expected_col``: the seasonal
    profile), and a tall tick at 100 % for the year's target. Every target's name is written
    above its bullet (never an axis that drops labels); the status in words at the right.
    ``scale`` enlarges the type and rows (meeting mode)."""
    status = (pl.when(pl.col(on_track_col).is_null()).then(pl.lit(labels.get("unknown", "–")))
              .when(pl.col(on_track_col)).then(pl.lit(labels["on_track"]))
              .otherwise(pl.lit(labels["behind"])))
    data = frame.with_row_index("_row").with_columns(
        (pl.col(actual_col) / pl.col(target_col)).alias("actual_share"),
        (pl.col(projection_col) / pl.col(target_col)).alias("projection_share"),
        ((pl.col(expected_col) / pl.col(target_col)) if expected_col else pl.lit(None))
        .cast(pl.Float64).alias("expected_share"),
        status.alias("status_text"),
    )
    data = with_value_text(data, "actual_share", "share", 0, lang, text_col="actual_text",
                           suppressed_col=flag_column(actual_col))
    data = with_value_text(data, "projection_share", "share", 0, lang, text_col="projection_text",
                           suppressed_col=flag_column(actual_col))
    data = with_value_text(data, "expected_share", "share", 0, lang, text_col="expected_text",
                           suppressed_col="_none")
    data = data.with_columns(
        pl.when(pl.col(on_track_col).is_null()).then(pl.col("status_text"))
        .otherwise(pl.col("status_text") + pl.lit(" · ") + pl.col("projection_text")
                   + pl.lit(f" {labels.get('of_target_at_end', '')}".rstrip()))
        .alias("status_line"))
    top = max(1.25, float(data.select(pl.max_horizontal("actual_share", "projection_share")
                                      .max()).item() or 0) * 1.08)
    font = 13 * scale
    row = BULLET_ROW_HEIGHT * scale
    x_scale = alt.Scale(domain=[0, top], nice=False, clamp=True)
    y = alt.Y("_row:O", axis=None, scale=alt.Scale(paddingInner=0.0, paddingOuter=0.0))
    tooltip = [alt.Tooltip(f"{label_col}:N", title=""),
               alt.Tooltip("actual_text:N", title=labels["actual"]),
               alt.Tooltip("expected_text:N", title=labels.get("expected_now", "")),
               alt.Tooltip("projection_text:N", title=labels["projection"]),
               alt.Tooltip("status_text:N", title=labels["status"])]
    base = alt.Chart(data)
    band = base.mark_bar(color="#EEEEEE", height=18 * scale, yOffset=8 * scale).encode(
        y=y, x=alt.X("_zero:Q", scale=x_scale), x2="_one:Q").transform_calculate(
        _zero="0", _one="1")
    projection = base.mark_bar(color=style.PROJECTION, opacity=0.55, height=18 * scale,
                               yOffset=8 * scale).encode(
        y=y, x=alt.X("projection_share:Q", scale=x_scale,
                     axis=alt.Axis(format=".0%", title=labels["axis"], labelFontSize=font,
                                   titleFontSize=font, grid=False)),
        tooltip=tooltip)
    actual = base.mark_bar(height=9 * scale, yOffset=8 * scale).encode(
        y=y, x=alt.X("actual_share:Q", scale=x_scale),
        color=alt.Color("status_text:N", legend=None, scale=alt.Scale(
            domain=[labels["on_track"], labels["behind"], labels.get("unknown", "–")],
            range=[style.ON_TRACK, style.BEHIND, style.COMPARISON])),
        tooltip=tooltip)
    expected = base.mark_tick(color=style.TARGET, thickness=3 * scale, size=24 * scale,
                              yOffset=8 * scale).encode(
        y=y, x=alt.X("expected_share:Q", scale=x_scale), tooltip=tooltip)
    target = base.mark_tick(color=style.TARGET, thickness=2 * scale, size=34 * scale,
                            yOffset=8 * scale, opacity=0.8).encode(
        y=y, x=alt.datum(1.0, scale=x_scale))
    name = base.mark_text(align="left", baseline="middle", dy=-14 * scale, fontSize=font,
                          fontWeight="bold").encode(
        y=y, x=alt.datum(0.0, scale=x_scale), text=f"{label_col}:N")
    words = base.mark_text(align="right", baseline="middle", dy=-14 * scale, fontSize=font,
                           fontWeight="bold").encode(
        y=y, x=alt.datum(top, scale=x_scale), text="status_line:N",
        color=alt.Color("status_text:N", legend=None, scale=alt.Scale(
            domain=[labels["on_track"], labels["behind"], labels.get("unknown", "–")],
            range=[style.ON_TRACK, style.BEHIND, "#555555"])))
    chart = alt.layer(band, projection, actual, expected, target, name, words).properties(
        height=alt.Step(row), width="container")
    return _finish(chart, lang)


HEATMAP_ROW = 20
"""Pixels per occupation in the heatmap: the height grows with the rows, every one labelled."""
HEATMAP_MAX_ROWS = 60
"""More occupations than this are shown one industry group at a time (the page picks)."""


def build_balance_heatmap(frame: pl.DataFrame, *, row_col: str, column_col: str,
                          status_col: str, lang: str, row_title: str, column_title: str,
                          status_title: str, status_labels: dict[str, str] | None = None
                          ) -> AltairChart:
    """Occupation × area coloured by the balance's four official categories (categorical).
    ``status_labels`` names the categories in the legend and tooltip (the official Danish name
    with an English gloss in the English UI)."""
    labels = status_labels or {s: s for s in style.BALANCE_COLOURS}
    frame = frame.with_columns(pl.col(status_col).replace(labels))
    domain = [labels.get(s, s) for s in style.BALANCE_COLOURS]
    rows = frame[row_col].unique(maintain_order=True).to_list()  # keep the caller's row order
    chart = alt.Chart(frame).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X(f"{column_col}:N", title=column_title, sort=None,
                axis=alt.Axis(labelAngle=-35, orient="top", labelLimit=160, labelOverlap=False)),
        # Every occupation labelled: one row step per occupation, no overlap pruning.
        y=alt.Y(f"{row_col}:N", title=row_title, sort=rows,
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color(f"{status_col}:N", title=status_title,
                        scale=alt.Scale(domain=domain, range=list(style.BALANCE_COLOURS.values())),
                        # Two columns and no label limit: the legend is never clipped.
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=0)),
        tooltip=[alt.Tooltip(f"{row_col}:N", title=row_title),
                 alt.Tooltip(f"{column_col}:N", title=column_title),
                 alt.Tooltip(f"{status_col}:N", title=status_title)],
    ).properties(height=alt.Step(HEATMAP_ROW), width="container")
    return _finish(chart, lang)


def build_actual_expected_chart(frame: pl.DataFrame, *, name_col: str, actual_col: str,
                                expected_col: str, lang: str, x_title: str, y_title: str,
                                highlight: Sequence[str] = (),
                                interval_cols: tuple[str, str] | None = None,
                                group_col: str | None = None,
                                group_colours: dict[str, str] | None = None,
                                interval_title: str = "") -> AltairChart:
    """Actual against expected, one point per unit, with the line where they are equal:
    points above the line use more than expected, below it less.

    ``interval_cols`` (lower, upper): a vertical bar per unit over the range actual would be
    expected in; ``group_col``: a text column that colours the points (``group_colours``:
    label → colour, in legend order)."""
    data = frame.filter(pl.col(actual_col).is_not_null() & pl.col(expected_col).is_not_null())
    data = with_value_text(data, actual_col, "per_1000", 1, lang, suppressed_col="_none",
                           text_col="actual_text")
    data = with_value_text(data, expected_col, "per_1000", 1, lang, suppressed_col="_none",
                           text_col="expected_text")
    data = data.with_columns(pl.col(name_col).is_in(list(highlight)).alias("_highlight"))
    highest = [_column_max(data, actual_col), _column_max(data, expected_col)]
    if interval_cols is not None:
        highest.append(_column_max(data, interval_cols[1]))
        texts = [None if lo is None or hi is None else
                 f"{format_value(lo, 'per_1000', 1, lang)} – {format_value(hi, 'per_1000', 1, lang)}"
                 for lo, hi in zip(data[interval_cols[0]].to_list(), data[interval_cols[1]].to_list(),
                                   strict=True)]
        data = data.with_columns(pl.Series("interval_text", texts, dtype=pl.String))
    top = float(max(highest)) * 1.05 or 1.0
    diagonal = alt.Chart(pl.DataFrame({"x": [0.0, top], "y": [0.0, top]})).mark_line(
        color=style.COMPARISON, strokeDash=[5, 4]).encode(x="x:Q", y="y:Q")
    tooltip = [alt.Tooltip(f"{name_col}:N", title=""),
               alt.Tooltip("actual_text:N", title=y_title),
               alt.Tooltip("expected_text:N", title=x_title)]
    if interval_cols is not None:
        tooltip.append(alt.Tooltip("interval_text:N", title=interval_title))
    if group_col is not None:
        tooltip.append(alt.Tooltip(f"{group_col}:N", title=""))
    colour: Any  # a field encoding, a constant or a condition
    if group_col is not None and group_colours:
        colour = alt.Color(f"{group_col}:N", title="", sort=list(group_colours),
                           scale=alt.Scale(domain=list(group_colours),
                                           range=list(group_colours.values())),
                           legend=alt.Legend(orient="bottom", labelLimit=0))
    else:
        colour = alt.condition("datum._highlight", alt.value(style.BEHIND),
                               alt.value(style.PRIMARY))
    points = alt.Chart(data).mark_circle(size=70, opacity=0.85).encode(
        x=alt.X(f"{expected_col}:Q", title=x_title, scale=alt.Scale(domain=[0, top])),
        y=alt.Y(f"{actual_col}:Q", title=y_title, scale=alt.Scale(domain=[0, top])),
        color=colour,
        size=alt.condition("datum._highlight", alt.value(180), alt.value(70)),
        stroke=alt.condition("datum._highlight", alt.value(style.TARGET), alt.value(None)),
        tooltip=tooltip,
    )
    layers = [diagonal]
    if interval_cols is not None:
        layers.append(alt.Chart(data).mark_rule(color=style.COMPARISON, opacity=0.5).encode(
            x=alt.X(f"{expected_col}:Q"), y=alt.Y(f"{interval_cols[0]}:Q"),
            y2=alt.Y2(f"{interval_cols[1]}:Q"), tooltip=tooltip))
    layers.append(points)
    chart = alt.layer(*layers).properties(height=420, width="container")
    return _finish(chart, lang)


def outcome_bars(frame: pl.DataFrame, *, group_col: str, series: dict[str, str]) -> pl.DataFrame:
    """Wide outcome rates (``compute_outcomes``) → long rows for bars: ``category``, ``series``
    (the label of each rate column in ``series``), ``value``, ``value_suppressed``."""
    parts = [
        frame.select(
            pl.col(group_col).cast(pl.String).alias("category"),
            pl.lit(label, dtype=pl.String).alias("series"),
            pl.col(column).cast(pl.Float64).alias("value"),
            flag_expr(frame.columns, column).alias("value_suppressed"),
        )
        for column, label in series.items()
    ]
    return pl.concat(parts, how="vertical")


def build_outcomes_chart(frame: pl.DataFrame, *, group_col: str, series: dict[str, str],
                         lang: str, x_title: str, series_title: str) -> AltairChart:
    """Completion and employment rates per group as bars side by side, groups in the frame's
    order; each bar carries its value, a suppressed one the marker, an unknown one '–'."""
    data = with_value_text(outcome_bars(frame, group_col=group_col, series=series), "value",
                           "share", 1, lang)
    categories = [c for c in frame[group_col].cast(pl.String).to_list() if c is not None]
    labels = list(series.values())
    y = alt.Y("category:N", title=None, sort=categories, axis=alt.Axis(labelLimit=260))
    offset = alt.YOffset("series:N", sort=labels)
    tooltip = [alt.Tooltip("category:N", title=""), alt.Tooltip("series:N", title=series_title),
               alt.Tooltip("value_text:N", title=x_title)]
    bars = alt.Chart(data).mark_bar().encode(
        y=y, yOffset=offset,
        # Room right of 100 % for the labels, but no axis ticks beyond 100 %.
        x=alt.X("value:Q", title=x_title,
                axis=alt.Axis(format=".0%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
                scale=alt.Scale(domain=[0, 1.12], nice=False)),
        color=alt.Color("series:N", title=series_title, sort=labels,
                        scale=alt.Scale(domain=labels,
                                        range=list(style.CATEGORY_COLOURS[: len(labels)])),
                        legend=alt.Legend(orient="bottom", labelLimit=320)),
        tooltip=tooltip,
    )
    # The label sits at the bar's end; hidden or unknown values sit at 0 with their sign.
    text = alt.Chart(data.with_columns(pl.col("value").fill_null(0.0).alias("_at"))).mark_text(
        align="left", dx=4, fontSize=11).encode(
        y=y, yOffset=offset, x=alt.X("_at:Q"), text="value_text:N", tooltip=tooltip)
    # A step per group (room for each of its bars): readable with one group or twenty.
    chart = alt.layer(bars, text).properties(
        height=alt.Step(20 * len(labels) + 14), width="container")
    return _finish(chart, lang)
