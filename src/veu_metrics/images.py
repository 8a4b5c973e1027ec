"""Chart images (PNG and SVG) for newsletters and meeting papers, drawn offline with vl-convert.

Each image carries its own context: the title and the filters above the chart, the source below,
so a chart pasted into a document still says what it shows. Rendering never fetches anything:
external data URLs are refused (``allowed_base_urls=[]``) and only locally installed fonts are used.
"""

from __future__ import annotations

import copy
import math
import re
import textwrap
from collections.abc import Sequence
from typing import Any, Literal
from xml.sax.saxutils import escape

import altair as alt
import vl_convert as vlc

from veu_metrics import style

DEFAULT_WIDTH = 720
"""Width of the plot area in pixels; charts built with width='container' get this instead."""

TITLE_FONT_SIZE = 18
SUBTITLE_FONT_SIZE = 13
FOOTER_FONT_SIZE = 11
FOOTER_COLOUR = "#555555"
_PADDING = 5  # Vega's default padding around the drawing
_CHAR_WIDTH = 0.56  # average glyph width per font size, for wrapping text we lay out ourselves

_FORMAT_LOCALES: dict[str, Literal["da-DK", "en-GB"]] = {"da": "da-DK", "en": "en-GB"}


class ChartImageError(ValueError):
    """A chart could not be drawn as an image; the message says why."""


def _fix_container_sizes(spec: Any, width: int) -> None:
    # A static image has no container to fill: give such views a fixed width (in place).
    if isinstance(spec, dict):
        if spec.get("width") == "container":
            spec["width"] = width
        if spec.get("height") == "container":
            spec["height"] = round(width * 0.5)
        for key, value in spec.items():
            if key not in ("datasets", "data"):
                _fix_container_sizes(value, width)
    elif isinstance(spec, list):
        for item in spec:
            _fix_container_sizes(item, width)


def _wrap(lines: str | Sequence[str], width_px: int, font_size: int) -> list[str]:
    per_line = max(20, int(width_px / (font_size * _CHAR_WIDTH)))
    items = [lines] if isinstance(lines, str) else list(lines)
    wrapped: list[str] = []
    for item in items:
        if item:
            wrapped.extend(textwrap.wrap(item, per_line, break_long_words=True))
    return wrapped


def _static_spec(chart: alt.TopLevelMixin | dict[str, Any], *, title: str, subtitle: str | Sequence[str],
                 width: int) -> dict[str, Any]:
    try:
        spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    except Exception as exc:  # e.g. Altair's MaxRowsError: name it, don't dump a trace
        raise ChartImageError(f"the chart cannot be turned into an image: {exc}") from None
    _fix_container_sizes(spec, width)
    spec["title"] = {
        "text": title,
        "subtitle": _wrap(subtitle, width, SUBTITLE_FONT_SIZE),
        "anchor": "start",
        "frame": "bounds",  # align with the image's left edge, like the footer
        "fontSize": TITLE_FONT_SIZE,
        "subtitleFontSize": SUBTITLE_FONT_SIZE,
        "subtitleColor": "#333333",
        "font": style.FONT,
        "subtitleFont": style.FONT,
        "offset": 14,
    }
    return spec


_ROOT = re.compile(r"<svg\b[^>]*>")


def _add_footer(svg: str, footer: str) -> str:
    """Write the source line under the drawing, growing the SVG canvas to make room."""
    root = _ROOT.search(svg)
    if root is None:
        raise ChartImageError("vl-convert returned no SVG root element")
    tag = root.group(0)
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', tag)
    if size is None:
        raise ChartImageError("the chart's SVG has no width and height")
    width, height = float(size.group(1)), float(size.group(2))
    lines = _wrap(footer, int(width - 2 * _PADDING), FOOTER_FONT_SIZE)
    line_height = FOOTER_FONT_SIZE * 1.35
    new_height = math.ceil(height + line_height * len(lines) + 2 * _PADDING)  # whole pixels
    new_tag = re.sub(r'height="[\d.]+"', f'height="{new_height:g}"', tag, count=1)
    new_tag = re.sub(r'viewBox="[^"]*"', f'viewBox="0 0 {width:g} {new_height:g}"', new_tag)
    background = f'<rect width="{width:g}" height="{new_height:g}" fill="white"/>'
    texts = "".join(
        f'<text x="{_PADDING}" y="{height + _PADDING + line_height * (i + 0.8):g}" '
        f'font-family="{escape(style.FONT)}" font-size="{FOOTER_FONT_SIZE}" '
        f'fill="{FOOTER_COLOUR}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    body = svg[root.end():]
    closing = body.rfind("</svg>")
    return (svg[:root.start()] + new_tag + background + body[:closing]
            + f'<g class="veu-source">{texts}</g>' + body[closing:])


def chart_to_svg(chart: alt.TopLevelMixin | dict[str, Any], *, title: str, subtitle: str | Sequence[str],
                 source_line: str, width: int = DEFAULT_WIDTH, lang: str = "da") -> str:
    """The chart as an SVG document with title, filters (subtitle) and source written on it."""
    spec = _static_spec(chart, title=title, subtitle=subtitle, width=width)
    try:
        svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[],
                                  format_locale=_FORMAT_LOCALES.get(lang, "da-DK"))
    except ValueError as exc:
        first_line = str(exc).strip().splitlines()
        reason = first_line[-1] if first_line else "unknown error"
        for line in first_line:
            if line.startswith("Error:"):
                reason = line.removeprefix("Error:").strip()
                break
        raise ChartImageError(f"the chart could not be drawn offline: {reason}") from None
    return _add_footer(svg, source_line) if source_line else svg


def chart_to_png(chart: alt.TopLevelMixin | dict[str, Any], *, title: str, subtitle: str | Sequence[str],
                 source_line: str, scale: float = 2, width: int = DEFAULT_WIDTH,
                 lang: str = "da") -> bytes:
    """The chart as PNG (``scale`` 2 = sharp on a projector and in print)."""
    svg = chart_to_svg(chart, title=title, subtitle=subtitle, source_line=source_line,
                       width=width, lang=lang)
    return vlc.svg_to_png(svg, scale=scale)
