"""Chart images: drawn offline, with title, filters and source written on them."""

from __future__ import annotations

import re
import struct
from datetime import date

import altair as alt
import polars as pl
import pytest

from veu_metrics.charts import build_bar_chart, build_trend_chart
from veu_metrics.images import DEFAULT_WIDTH, ChartImageError, chart_to_png, chart_to_svg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TITLE = "Deltagelser pr. RAR-område"
FILTERS = "Filtre: 2024, AMU og EUV, kun ledige"
SOURCE = "Kilde: Demo-data · dataversion 3f9a2c1d"


def bar_chart() -> alt.TopLevelMixin:
    frame = pl.DataFrame({
        "area": ["RAR Fyn", "RAR Bornholm", "RAR Østjylland"],
        "participations": [1234.0, None, 560.0],
        "participations_suppressed": [False, True, False],
    })
    return build_bar_chart(frame, category_col="area", value_col="participations", unit="count",
                           decimals=0, lang="da", x_title="Deltagelser")


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])  # the IHDR chunk: width, height


def svg_size(svg: str) -> tuple[float, float]:
    root = re.search(r"<svg\b[^>]*>", svg).group(0)
    return float(re.search(r'width="([\d.]+)"', root).group(1)), float(
        re.search(r'height="([\d.]+)"', root).group(1))


def test_png_is_a_png_scaled_for_print():
    data = chart_to_png(bar_chart(), title=TITLE, subtitle=FILTERS, source_line=SOURCE, scale=2)
    assert data.startswith(PNG_SIGNATURE)
    width, height = png_size(data)
    svg_width, svg_height = svg_size(
        chart_to_svg(bar_chart(), title=TITLE, subtitle=FILTERS, source_line=SOURCE))
    assert (width, height) == (round(svg_width * 2), round(svg_height * 2))
    assert width > DEFAULT_WIDTH * 2  # the container-width chart got the fixed image width


def test_svg_carries_title_filters_and_source():
    svg = chart_to_svg(bar_chart(), title=TITLE, subtitle=FILTERS, source_line=SOURCE)
    assert f">{TITLE}<" in svg
    assert f">{FILTERS}<" in svg
    assert f">{SOURCE}<" in svg
    # the source sits below everything the chart drew
    source_y = float(re.search(r'<g class="veu-source"><text x="\d+" y="([\d.]+)"', svg).group(1))
    assert source_y > svg_size(svg)[1] - 20


def test_svg_references_no_external_resource():
    svg = chart_to_svg(bar_chart(), title=TITLE, subtitle=FILTERS, source_line=SOURCE)
    # xmlns namespaces are names, not fetches; no href/src may point anywhere
    assert not re.search(r"""(?:href|src)\s*=\s*["']https?:""", svg)
    assert "url(http" not in svg


def test_text_with_markup_characters_is_escaped():
    svg = chart_to_svg(bar_chart(), title="A & B <2024>", subtitle=["x < y", "Beskæftiget"],
                       source_line="Kilde: \"STAR\" & DST")
    assert "A &amp; B &lt;2024&gt;" in svg
    assert ">x &lt; y<" in svg and ">Beskæftiget<" in svg
    assert "Kilde: &quot;STAR&quot; &amp; DST" in svg or "Kilde: \"STAR\" &amp; DST" in svg


def test_long_filter_lines_wrap_onto_several_lines():
    long_filters = "Filtre: " + ", ".join(f"kommune nummer {n}" for n in range(40))
    svg = chart_to_svg(bar_chart(), title=TITLE, subtitle=long_filters, source_line=SOURCE)
    title_group = re.search(r'role-title-subtitle.*?</g>', svg, re.S).group(0)
    assert title_group.count("<text") + title_group.count("<tspan") >= 3
    assert "kommune nummer 39" in svg


def test_a_temporal_chart_with_a_legend_renders():
    frame = pl.DataFrame({
        "month": [date(2024, m, 1) for m in range(1, 7)] * 2,
        "area": ["RAR Fyn"] * 6 + ["RAR Bornholm"] * 6,
        "participations": [float(100 * m) for m in range(1, 13)],
    })
    chart = build_trend_chart(frame, period_col="month", value_col="participations", unit="count",
                              decimals=0, lang="da", y_title="Deltagelser", group_col="area",
                              group_title="Område")
    svg = chart_to_svg(chart, title="Udvikling", subtitle=FILTERS, source_line=SOURCE)
    assert ">RAR Bornholm<" in svg  # the legend
    assert ">1.000<" in svg  # Danish thousands separator on the axis
    assert chart_to_png(chart, title="Udvikling", subtitle=FILTERS,
                        source_line=SOURCE).startswith(PNG_SIGNATURE)


def test_english_numbers_on_a_plain_chart():
    chart = alt.Chart(alt.Data(values=[{"x": "a", "y": 2500}])).mark_bar().encode(x="x:N", y="y:Q")
    svg = chart_to_svg(chart, title="T", subtitle="", source_line="", lang="en")
    assert ">2,500<" in svg
    assert "veu-source" not in svg  # no source line asked for, none drawn


def test_a_chart_that_needs_the_internet_is_refused():
    chart = alt.Chart(alt.UrlData("https://example.com/data.csv")).mark_point().encode(x="a:Q")
    with pytest.raises(ChartImageError, match="could not be drawn offline.*example.com"):
        chart_to_png(chart, title=TITLE, subtitle=FILTERS, source_line=SOURCE)


def test_too_much_data_gives_a_clear_error():
    frame = pl.DataFrame({"x": list(range(6000))})
    chart = alt.Chart(frame).mark_point().encode(x="x:Q")
    with pytest.raises(ChartImageError, match="cannot be turned into an image"):
        chart_to_svg(chart, title=TITLE, subtitle=FILTERS, source_line=SOURCE)


def test_the_callers_chart_is_left_unchanged():
    chart = bar_chart()
    before = chart.to_dict()
    chart_to_svg(chart, title=TITLE, subtitle=FILTERS, source_line=SOURCE)
    assert chart.to_dict() == before
    spec = chart.to_dict()
    chart_to_svg(spec, title=TITLE, subtitle=FILTERS, source_line=SOURCE)
    assert spec == before
