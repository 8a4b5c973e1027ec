"""Map builders: a frame of areas in, a ``pydeck.Deck`` out (no Streamlit here).

Three kinds of map, all with one pickable layer ``LAYER_ID`` whose rows carry ``area_code`` (so a
click can filter the page) and the same tooltip fields (``area_name``, ``formatted``, ``note``):

* ``build_choropleth_deck``: areas coloured by an amount or rate on a sequential scale,
* ``build_balance_deck``: the labour-market balance's four official categories,
* ``build_centroid_deck``: bubbles sized by the value, for when no boundary file is available.

No network by default: ``map_provider=None`` and no ``map_style`` (docs/MAPS.md); a basemap is an
opt-in URL. pydeck draws no legend, so ``build_legend`` / ``build_balance_legend`` return the
swatches for the page to draw beside the map, and ``compute_map_table`` the same numbers as a table.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from veu_metrics import geography, style
from veu_metrics.boundaries import DAGI_ATTRIBUTION, AreaShapes, Boundaries
from veu_metrics.catalogue import unit_text
from veu_metrics.disclosure import SUPPRESSED_MARKER, flag_expr
from veu_metrics.formatting import format_number, format_value
from veu_metrics.i18n import t
from veu_metrics.schema import BALANCE_STATUSES

RGBA = tuple[int, int, int, int]

LAYER_ID = "areas"
"""The id of the one pickable layer: a click arrives as event["selection"]["objects"]["areas"]."""

DENMARK_BOUNDS = (8.07, 54.55, 15.20, 57.76)
"""lon_min, lat_min, lon_max, lat_max of Denmark including Bornholm (for maps without polygons)."""

# Sequential scale: viridis (perceptually uniform, readable with colour-blindness and in greyscale),
# reversed so that the highest value gets the darkest colour.
_SEQUENTIAL_ANCHORS: tuple[tuple[int, int, int], ...] = (
    (253, 231, 37), (94, 201, 98), (33, 145, 140), (59, 82, 139), (68, 1, 84),
)
DEFAULT_CLASSES = 5
SUPPRESSED_RGBA: RGBA = (140, 140, 140, 255)
"""Flat mid grey: a value hidden for confidentiality (no grey on the viridis ramp)."""
NO_DATA_RGBA: RGBA = (228, 228, 228, 255)
"""Light grey: no value at all for the area (nothing to hide, nothing to show)."""

# The balance's four categories: the one palette in style.py (Okabe–Ito, colour-blind safe).
BALANCE_COLOURS: dict[str, RGBA] = {
    status: (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255)
    for status, colour in style.BALANCE_COLOURS.items()
}

_TOOLTIP = {
    "text": "{area_name}\n{formatted}\n{note}",
    # pointerEvents none: the box opens at the pointer, and must not swallow the click on the area.
    "style": {"fontSize": "16px", "backgroundColor": "#222", "color": "#fff", "padding": "6px",
              "pointerEvents": "none"},
}
_BORDER_RGBA: RGBA = (255, 255, 255, 255)
_SELECTED_RGBA: RGBA = (20, 20, 20, 255)
_HIGHLIGHT_RGBA: RGBA = (0, 0, 0, 255)
_ASSUMED_VIEW_PX = (240, 420)
"""Width, height used to fit a bounding box: the narrowest map column (at 1024 px, Mangelområder's
map beside its legend and Jobcentre's half column are about 250 px wide) and the shortest map.
A wider column only adds margin; a narrower guess never cuts a map off."""
VIEW_MARGIN_ZOOM = 0.3
"""Zoom levels taken off the exact fit: about 20 % padding around the features."""


def text(key: str, lang: str = "da") -> str:
    """A map text (legend labels, notices: ``map.*`` in texts.yaml) in Danish or English."""
    return t(f"map.{key}", _lang(lang), marker=SUPPRESSED_MARKER)


def balance_label(status: str, lang: str = "da") -> str:
    """A balance category's official (Danish) name; in English with its meaning in brackets."""
    return t(_balance_key(status), _lang(lang))


def balance_description(status: str, lang: str = "da") -> str:
    """What a balance category means (recruitment problems, unemployment)."""
    return t(_balance_key(status) + ".description", _lang(lang))


def _balance_key(status: str) -> str:
    if status not in BALANCE_STATUSES:
        raise KeyError(f"not a balance category: {status!r}")
    return "balance." + status.lower().replace(" ", "_")


# --- colour scales ----------------------------------------------------------------------------


def sequential_palette(n_classes: int) -> list[RGBA]:
    """``n_classes`` colours from light (low) to dark (high), sampled along the viridis ramp."""
    if n_classes < 1:
        raise ValueError("a palette needs at least one class")
    if n_classes == 1:
        return [(*_SEQUENTIAL_ANCHORS[-1], 255)]
    colours = []
    last = len(_SEQUENTIAL_ANCHORS) - 1
    for i in range(n_classes):
        position = i / (n_classes - 1) * last
        low = min(int(position), last - 1)
        fraction = position - low
        a, b = _SEQUENTIAL_ANCHORS[low], _SEQUENTIAL_ANCHORS[low + 1]
        rgb = tuple(round(x + (y - x) * fraction) for x, y in zip(a, b, strict=True))
        colours.append((rgb[0], rgb[1], rgb[2], 255))
    return colours


@dataclass(frozen=True)
class ColourScale:
    """Class breaks and colours: value v is in class i when breaks[i-1] <= v < breaks[i]."""

    breaks: tuple[float, ...]
    colours: tuple[RGBA, ...]
    minimum: float | None
    maximum: float | None


def _nice(value: float, decimals: int, unit: str) -> float:
    """Round a class break to 2 significant digits, never finer than the numbers are shown."""
    if value == 0 or not math.isfinite(value):
        return value
    shown_decimals = decimals + 2 if unit == "share" else decimals  # shares are shown as percent
    significant = 1 - math.floor(math.log10(abs(value)))
    return round(value, min(significant, shown_decimals))


def compute_colour_scale(
    values: Iterable[float | None], *, unit: str = "count", decimals: int = 0,
    n_classes: int = DEFAULT_CLASSES,
) -> ColourScale:
    """Quantile classes with rounded breaks, so the legend reads 1.200–3.400, not 1.187–3.421."""
    known = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if known.size == 0:
        return ColourScale((), (), None, None)
    low, high = float(known.min()), float(known.max())
    distinct = np.unique(known)
    wanted = max(1, min(n_classes, distinct.size))
    raw = np.quantile(known, [i / wanted for i in range(1, wanted)]) if wanted > 1 else []
    breaks = sorted({_nice(float(b), decimals, unit) for b in raw})
    # A break must split the values: at or below the minimum it would leave the lowest class empty.
    breaks = [b for b in breaks if low < b <= high]
    if not breaks and high > low:
        middle = _nice((low + high) / 2, decimals, unit)
        breaks = [middle if low < middle <= high else high]
    return ColourScale(tuple(breaks), tuple(sequential_palette(len(breaks) + 1)), low, high)


def value_colour(value: float | None, scale: ColourScale, *, suppressed: bool = False) -> RGBA:
    """The fill colour of one value: suppressed → grey, missing → light grey, else its class."""
    if suppressed:
        return SUPPRESSED_RGBA
    if value is None or not math.isfinite(value) or not scale.colours:
        return NO_DATA_RGBA
    index = sum(1 for b in scale.breaks if value >= b)
    return scale.colours[index]


def balance_colour(status: str | None) -> RGBA:
    """The colour of a balance category; None → no data. Anything else is a programming error."""
    if status is None:
        return NO_DATA_RGBA
    if status not in BALANCE_COLOURS:
        raise ValueError(f"unknown balance category {status!r}; expected one of {BALANCE_STATUSES}")
    return BALANCE_COLOURS[status]


def rgba_to_hex(colour: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


# --- legends ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    """Hex colour, e.g. "#fde725"."""
    label: str
    description: str = ""


def _format_range(low: float, high: float, unit: str, decimals: int, lang: str) -> str:
    if unit == "share":
        sign = " %" if lang == "da" else "%"
        return (f"{format_number(low * 100, decimals, lang)}–"
                f"{format_number(high * 100, decimals, lang)}{sign}")
    return f"{format_number(low, decimals, lang)}–{format_number(high, decimals, lang)}"


def build_scale_legend(
    scale: ColourScale, *, unit: str, decimals: int, lang: str = "da"
) -> list[LegendEntry]:
    """Swatches for a colour scale, lowest class first, then the suppressed and no-data greys."""
    entries = []
    if scale.minimum is not None and scale.maximum is not None:
        edges = [scale.minimum, *scale.breaks, scale.maximum]
        for i, colour in enumerate(scale.colours):
            label = _format_range(edges[i], edges[i + 1], unit, decimals, lang)
            entries.append(LegendEntry(rgba_to_hex(colour), label))
    entries.append(LegendEntry(rgba_to_hex(SUPPRESSED_RGBA), f"{SUPPRESSED_MARKER} {text('suppressed', lang)}",
                               text("suppressed_note", lang)))
    entries.append(LegendEntry(rgba_to_hex(NO_DATA_RGBA), text("no_data", lang)))
    return entries


def build_legend(
    area_frame: pl.DataFrame, *, value_col: str = "value", unit: str, decimals: int = 0,
    lang: str = "da", n_classes: int = DEFAULT_CLASSES,
) -> list[LegendEntry]:
    """The legend of ``build_choropleth_deck`` / ``build_centroid_deck`` for the same frame."""
    scale = compute_colour_scale(_shown_values(area_frame, value_col), unit=unit, decimals=decimals,
                                 n_classes=n_classes)
    return build_scale_legend(scale, unit=unit, decimals=decimals, lang=lang)


def build_balance_legend(lang: str = "da") -> list[LegendEntry]:
    """The four official categories with their meaning, then no data."""
    entries = [
        LegendEntry(rgba_to_hex(BALANCE_COLOURS[s]), balance_label(s, lang),
                    balance_description(s, lang))
        for s in BALANCE_STATUSES
    ]
    entries.append(LegendEntry(rgba_to_hex(NO_DATA_RGBA), text("no_data", lang)))
    return entries


def build_legend_html(entries: Sequence[LegendEntry], title: str | None = None,
                      horizontal: bool = False) -> str:
    """A small self-contained HTML legend (no external resources) to show beside the map, or
    below it (``horizontal``: the entries side by side, wrapping)."""
    rows = []
    for entry in entries:
        description = (f"<div style='font-size:0.85em;opacity:0.8'>{html.escape(entry.description)}</div>"
                       if entry.description else "")
        rows.append(
            "<div style='display:flex;align-items:flex-start;gap:0.5em;margin:0.2em 0'>"
            f"<span style='flex:none;width:1.2em;height:1.2em;background:{entry.colour};"
            "border:1px solid #888'></span>"
            f"<div>{html.escape(entry.label)}{description}</div></div>"
        )
    heading = f"<div style='font-weight:600;margin-bottom:0.3em'>{html.escape(title)}</div>" if title else ""
    if horizontal:
        body = f"<div style='display:flex;flex-wrap:wrap;column-gap:1.2em'>{''.join(rows)}</div>"
        return f"<div class='veu-map-legend'>{heading}{body}</div>"
    return f"<div class='veu-map-legend'>{heading}{''.join(rows)}</div>"


# --- attribution ------------------------------------------------------------------------------


def attribution_for(boundaries: Boundaries | None) -> str | None:
    """The credit line to show under a polygon map; None for centroid maps (our own reference)."""
    return boundaries.attribution if boundaries is not None else None


def shows_dagi_attribution(boundaries: Boundaries | None) -> bool:
    """True when DAGI boundaries are drawn, so the DAGI credit must be shown."""
    return attribution_for(boundaries) == DAGI_ATTRIBUTION


# --- rows shared by all maps ------------------------------------------------------------------


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "da"


def _check_columns(frame: pl.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs columns {', '.join(needed)}; missing {', '.join(missing)}")


def _suppressed_column(frame: pl.DataFrame, value_col: str) -> pl.Expr:
    return flag_expr(frame.columns, value_col, fallback="value_suppressed")


def _shown_values(frame: pl.DataFrame, value_col: str) -> list[float | None]:
    """Values that may be shown: a suppressed cell never takes part in the colour scale."""
    _check_columns(frame, [value_col], "the map")
    shown = frame.select(
        pl.when(_suppressed_column(frame, value_col)).then(None)
        .otherwise(pl.col(value_col).cast(pl.Float64)).alias("v")
    )
    return shown["v"].to_list()


def _formatted(value: float | None, suppressed: bool, unit: str, decimals: int, lang: str,
               unit_label: str | None) -> str:
    number = format_value(value, unit, decimals, lang, suppressed)
    if suppressed or value is None or unit == "share":
        return number
    # Units from the measures catalogue ("share" is shown as a percentage instead).
    label = (unit_text(unit, lang) or "") if unit_label is None else unit_label
    return f"{number} {label}".rstrip()


def _area_rows(
    area_frame: pl.DataFrame, scheme: geography.AreaScheme, *, value_col: str, unit: str,
    decimals: int, lang: str, scale: ColourScale, unit_label: str | None,
    measure_label: str | None, drawn_codes: Iterable[str],
) -> list[dict[str, Any]]:
    """One dict per area: the frame's areas first, then drawn areas the frame lacks (no data)."""
    _check_columns(area_frame, ["area_code", "area_name", value_col], "the map")
    frame = area_frame.select(
        pl.col("area_code").cast(pl.String),
        pl.col("area_name").cast(pl.String),
        pl.col(value_col).cast(pl.Float64).alias("value"),
        _suppressed_column(area_frame, value_col).alias("suppressed"),
    )
    _check_codes(frame["area_code"], scheme)
    prefix = f"{measure_label}: " if measure_label else ""
    rows = []
    for code, name, value, suppressed in frame.iter_rows():
        if suppressed:
            value = None  # never let a hidden figure reach the browser
        colour = value_colour(value, scale, suppressed=suppressed)
        rows.append({
            "area_code": code,
            "area_name": name,
            "value": value,
            "suppressed": suppressed,
            "formatted": prefix + _formatted(value, suppressed, unit, decimals, lang, unit_label),
            "note": text("suppressed_note", lang) if suppressed else "",
            "fill_color": list(colour),
        })
    rows.extend(_missing_rows(frame["area_code"], drawn_codes, scheme, lang, prefix))
    return rows


def _missing_rows(present: pl.Series, drawn_codes: Iterable[str], scheme: geography.AreaScheme,
                  lang: str, prefix: str) -> list[dict[str, Any]]:
    have = set(present.to_list())
    names = geography.area_names(scheme, "da")
    return [
        {"area_code": code, "area_name": names.get(code, code), "value": None, "suppressed": False,
         "formatted": prefix + text("no_data", lang), "note": "", "fill_color": list(NO_DATA_RGBA)}
        for code in drawn_codes if code not in have
    ]


def _check_codes(codes: pl.Series, scheme: geography.AreaScheme) -> None:
    known = set(geography.areas(scheme)["area_code"])
    unknown = sorted(set(codes.drop_nulls().to_list()) - known)
    if unknown:
        raise ValueError(
            f"area codes not in the {scheme} scheme: {', '.join(unknown[:10])}; "
            "the frame and the map must use the same area scheme"
        )
    if codes.null_count():
        raise ValueError("the map frame has rows without an area_code")


def compute_map_table(
    area_frame: pl.DataFrame, scheme: geography.AreaScheme, *, value_col: str = "value", unit: str,
    decimals: int = 0, lang: str = "da", n_classes: int = DEFAULT_CLASSES,
    unit_label: str | None = None,
) -> pl.DataFrame:
    """The numbers a map shows, as a table: area_code, area_name, value, formatted, colour.

    Every area of the scheme appears; suppressed values are null with the marker in ``formatted``.
    """
    scale = compute_colour_scale(_shown_values(area_frame, value_col), unit=unit, decimals=decimals,
                                 n_classes=n_classes)
    rows = _area_rows(area_frame, scheme, value_col=value_col, unit=unit, decimals=decimals, lang=lang,
                      scale=scale, unit_label=unit_label, measure_label=None,
                      drawn_codes=geography.areas(scheme)["area_code"])
    return pl.DataFrame(
        {
            "area_code": [r["area_code"] for r in rows],
            "area_name": [r["area_name"] for r in rows],
            "value": [r["value"] for r in rows],
            "formatted": [r["formatted"] for r in rows],
            "colour": [rgba_to_hex(r["fill_color"]) for r in rows],
        },
        schema={"area_code": pl.String, "area_name": pl.String, "value": pl.Float64,
                "formatted": pl.String, "colour": pl.String},
    )


def balance_map_table(status_frame: pl.DataFrame, scheme: geography.AreaScheme,
                      lang: str = "da") -> pl.DataFrame:
    """The balance map as a table: area_code, area_name, status, label, colour (every area)."""
    _check_columns(status_frame, ["area_code", "area_name", "status"], "the balance table")
    frame = status_frame.select(pl.col("area_code").cast(pl.String), pl.col("area_name").cast(pl.String),
                                pl.col("status").cast(pl.String))
    _check_codes(frame["area_code"], scheme)
    names = geography.area_names(scheme, "da")
    missing = [c for c in names if c not in set(frame["area_code"].to_list())]
    rows = [*frame.iter_rows(), *((c, names[c], None) for c in missing)]
    colours = [rgba_to_hex(balance_colour(r[2])) for r in rows]  # refuses unofficial labels
    return pl.DataFrame(
        {
            "area_code": [r[0] for r in rows],
            "area_name": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "label": [balance_label(r[2], lang) if r[2] else text("no_data", lang) for r in rows],
            "colour": colours,
        },
        schema={"area_code": pl.String, "area_name": pl.String, "status": pl.String,
                "label": pl.String, "colour": pl.String},
    )


# --- view state -------------------------------------------------------------------------------


def compute_view_state(bounds: tuple[float, float, float, float],
                       view_px: tuple[int, int] = _ASSUMED_VIEW_PX) -> pdk.ViewState:
    """Centre and zoom that fit a lon/lat bounding box into a view of about ``view_px`` pixels."""
    lon_min, lat_min, lon_max, lat_max = bounds
    # A single point (one centroid) still needs some extent around it.
    pad = 0.05
    if lon_max - lon_min < 2 * pad:
        lon_min, lon_max = lon_min - pad, lon_max + pad
    if lat_max - lat_min < 2 * pad:
        lat_min, lat_max = lat_min - pad, lat_max + pad

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    width_share = (lon_max - lon_min) / 360
    height_share = (mercator_y(lat_max) - mercator_y(lat_min)) / (2 * math.pi)
    # deck.gl's world is 512 px wide at zoom 0; leave a margin around the box.
    zoom_x = math.log2(view_px[0] / (512 * width_share))
    zoom_y = math.log2(view_px[1] / (512 * height_share))
    zoom = max(4.0, min(11.0, min(zoom_x, zoom_y) - VIEW_MARGIN_ZOOM))
    centre_y = (mercator_y(lat_max) + mercator_y(lat_min)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return pdk.ViewState(longitude=round((lon_min + lon_max) / 2, 5), latitude=round(centre_lat, 5),
                         zoom=round(zoom, 2), pitch=0, bearing=0)


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation.

    pydeck indents its JSON by two spaces, and st.pydeck_chart sends ``to_json()`` as it is: for
    the country's polygons that is ~1.5 MB per rerun, of which three quarters is whitespace.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def _deck(layers: list[pdk.Layer], view_state: pdk.ViewState, basemap_url: str | None) -> pdk.Deck:
    if basemap_url:  # opt-in: the browser will fetch the style and tiles from this address
        return CompactDeck(layers=layers, initial_view_state=view_state, tooltip=_TOOLTIP,
                        map_provider="carto", map_style=basemap_url)
    # map_provider=None and NO map_style: no basemap, no request leaves the app (even
    # map_style=None makes Streamlit's frontend fetch a style from the internet).
    return CompactDeck(layers=layers, initial_view_state=view_state, tooltip=_TOOLTIP,
                       map_provider=None)


# --- polygon maps -----------------------------------------------------------------------------


BORDER_LAYER_ID = "borders"
"""The outlines: a separate layer that is NOT pickable (see _polygon_layers)."""


def _polygon_layers(rows: list[dict[str, Any]], geometry: AreaShapes, *, selected: Sequence[str],
                    highlight: str | None) -> list[pdk.Layer]:
    """A pickable fill layer and a non-pickable outline layer.

    Outlines drawn by the fill layer itself (stroked=True) make every pointer-down run a picking
    pass over all border segments: in a browser without a GPU that took ~1 s for the country
    map, and deck.gl then no longer recognised the press as a click (measured in headless
    Chromium). Picking skips a non-pickable layer, so clicks stay fast. For the same reason the
    fill layer has no hover highlight (a redraw on every hover); the tooltip still shows.
    """
    by_code = {row["area_code"]: row for row in rows}
    fills = [{**by_code[part["area_code"]], "polygon": part["polygon"]} for part in geometry.parts]
    chosen = set(selected)
    plain_width = 0.6 if geometry.scheme == "municipality" else 1.2
    borders: list[dict[str, Any]] = []
    for part in geometry.parts:
        code = part["area_code"]
        if code == highlight:
            line, width = _HIGHLIGHT_RGBA, 4.0
        elif code in chosen:
            line, width = _SELECTED_RGBA, 2.5
        else:
            line, width = _BORDER_RGBA, plain_width
        borders.extend(
            {"area_code": code, "path": ring, "line_color": list(line), "line_width": width}
            for ring in part["polygon"]
        )
    # Emphasised outlines last, so their neighbours' white borders do not cover them.
    borders.sort(key=lambda r: r["line_width"])
    return [
        pdk.Layer(
            "PolygonLayer", data=fills, id=LAYER_ID, get_polygon="polygon",
            get_fill_color="fill_color", stroked=False, filled=True, pickable=True,
        ),
        pdk.Layer(
            "PathLayer", data=borders, id=BORDER_LAYER_ID, get_path="path",
            get_color="line_color", get_width="line_width", width_units="'pixels'",
            pickable=False,
        ),
    ]


def build_choropleth_deck(
    area_frame: pl.DataFrame, geometry: AreaShapes, *, value_col: str = "value", unit: str,
    decimals: int = 0, lang: str = "da", scheme: geography.AreaScheme | None = None,
    highlight: str | None = None, basemap_url: str | None = None, selected: Sequence[str] = (),
    n_classes: int = DEFAULT_CLASSES, unit_label: str | None = None,
    measure_label: str | None = None, view_px: tuple[int, int] = _ASSUMED_VIEW_PX,
) -> pdk.Deck:
    """Areas of ``geometry`` coloured by ``value_col`` (highest value darkest); the view fits the
    selected areas into ``view_px`` (the narrowest the map is on screen).

    ``area_frame``: area_code, area_name, value column, optional ``value_suppressed``.
    ``selected``: area codes outlined and zoomed to (none → all of Denmark); ``highlight``: one
    area drawn with the strongest outline. Areas the frame lacks are drawn as "no data".
    """
    scheme = _same_scheme(scheme, geometry)
    scale = compute_colour_scale(_shown_values(area_frame, value_col), unit=unit, decimals=decimals,
                                 n_classes=n_classes)
    rows = _area_rows(area_frame, scheme, value_col=value_col, unit=unit, decimals=decimals,
                      lang=lang, scale=scale, unit_label=unit_label, measure_label=measure_label,
                      drawn_codes=geometry.area_codes)
    layers = _polygon_layers(rows, geometry, selected=selected, highlight=highlight)
    return _deck(layers, compute_view_state(geometry.bounds_of(selected), view_px), basemap_url)


def _same_scheme(scheme: geography.AreaScheme | None, geometry: AreaShapes | None
                 ) -> geography.AreaScheme:
    if geometry is None:
        if scheme is None:
            raise ValueError("give the area scheme when there is no geometry")
        return scheme
    if scheme is not None and scheme != geometry.scheme:
        raise ValueError(f"scheme {scheme!r} does not match the geometry's scheme {geometry.scheme!r}")
    return geometry.scheme


def format_half_year(half_year: str, lang: str = "da") -> str:
    """'2024H2' → '2. halvår 2024' (da) / 'H2 2024' (en)."""
    year, _, half = half_year.partition("H")
    return t("period.half_year", _lang(lang), half=half, year=year)


def build_balance_deck(
    status_frame: pl.DataFrame, geometry: AreaShapes | None, *, lang: str = "da",
    scheme: geography.AreaScheme | None = None, half_year: str | None = None,
    highlight: str | None = None, basemap_url: str | None = None, selected: Sequence[str] = (),
) -> pdk.Deck:
    """The balance category of each area, on the four official categories' colours.

    ``status_frame``: area_code, area_name, status (one of the four, or null for no data).
    Without ``geometry`` (no boundary file) the areas are drawn as dots at their centres.
    """
    scheme = _same_scheme(scheme, geometry)
    _check_columns(status_frame, ["area_code", "area_name", "status"], "the balance map")
    frame = status_frame.select(pl.col("area_code").cast(pl.String), pl.col("area_name").cast(pl.String),
                                pl.col("status").cast(pl.String))
    _check_codes(frame["area_code"], scheme)
    period = f" ({format_half_year(half_year, lang)})" if half_year else ""
    rows = []
    for code, name, status in frame.iter_rows():
        rows.append({
            "area_code": code, "area_name": name, "value": None, "suppressed": False,
            "status": status,
            "formatted": (balance_label(status, lang) + period) if status in BALANCE_STATUSES
            else text("no_data", lang),
            "note": balance_description(status, lang) if status in BALANCE_STATUSES else "",
            "fill_color": list(balance_colour(status)),
        })
    drawn = geometry.area_codes if geometry is not None else geography.areas(scheme)["area_code"]
    for row in _missing_rows(frame["area_code"], drawn, scheme, lang, ""):
        rows.append({**row, "status": None})
    if geometry is None:
        centres = area_centroids(scheme)
        data = [{**r, "position": centres[r["area_code"]], "radius": 9.0} for r in rows]
        layer = _scatter_layer(data, selected=selected, highlight=highlight)
        return _deck([layer], compute_view_state(_points_bounds(centres, selected)), basemap_url)
    layers = _polygon_layers(rows, geometry, selected=selected, highlight=highlight)
    return _deck(layers, compute_view_state(geometry.bounds_of(selected)), basemap_url)


# --- centroid maps (no boundary file) ---------------------------------------------------------


def area_centroids(scheme: geography.AreaScheme) -> dict[str, list[float]]:
    """[lon, lat] of each area: a municipality's reference centroid, or for RAR and council
    areas the mean of their member municipalities' centroids (member-weighted; no population
    figures are part of the reference geography)."""
    m = geography.municipalities().select("municipality_code", "lon", "lat")
    lookup = geography.area_lookup(scheme)
    centres = (
        lookup.join(m, on="municipality_code")
        .group_by("area_code").agg(pl.col("lon").mean(), pl.col("lat").mean())
    )
    return {code: [round(lon, 5), round(lat, 5)] for code, lon, lat in centres.iter_rows()}


def _points_bounds(centres: dict[str, list[float]], selected: Sequence[str]
                   ) -> tuple[float, float, float, float]:
    points = [centres[c] for c in selected if c in centres]
    if not points:
        return DENMARK_BOUNDS
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _scatter_layer(data: list[dict[str, Any]], *, selected: Sequence[str], highlight: str | None
                   ) -> pdk.Layer:
    chosen = set(selected)
    for row in data:
        emphasised = row["area_code"] == highlight or row["area_code"] in chosen
        row["line_color"] = list(_SELECTED_RGBA if emphasised else _BORDER_RGBA)
        row["line_width"] = 3.0 if emphasised else 1.0
    # Small bubbles on top of big ones, so every area stays clickable.
    data.sort(key=lambda r: -r["radius"])
    return pdk.Layer(
        "ScatterplotLayer", data=data, id=LAYER_ID,
        get_position="position", get_radius="radius", get_fill_color="fill_color",
        get_line_color="line_color", get_line_width="line_width", radius_units="'pixels'",
        line_width_units="'pixels'", stroked=True, filled=True, pickable=True,
    )


def bubble_radius(value: float | None, largest: float, *, min_px: float = 3.0,
                  max_px: float = 28.0) -> float:
    """Pixel radius with the circle's AREA proportional to the value (sqrt scale)."""
    if value is None or not math.isfinite(value) or largest <= 0:
        return min_px
    return min_px + (max_px - min_px) * math.sqrt(min(abs(value), largest) / largest)


def build_centroid_deck(
    area_frame: pl.DataFrame, scheme: geography.AreaScheme, *, value_col: str = "value", unit: str,
    decimals: int = 0, lang: str = "da", highlight: str | None = None,
    basemap_url: str | None = None, selected: Sequence[str] = (),
    n_classes: int = DEFAULT_CLASSES, unit_label: str | None = None,
    measure_label: str | None = None, view_px: tuple[int, int] = _ASSUMED_VIEW_PX,
) -> pdk.Deck:
    """Bubbles at area centres, sized (area ∝ value) and coloured by the value: the map to use
    when no boundary file is available (say so with ``text("centroid_notice")``)."""
    scale = compute_colour_scale(_shown_values(area_frame, value_col), unit=unit, decimals=decimals,
                                 n_classes=n_classes)
    centres = area_centroids(scheme)
    rows = _area_rows(area_frame, scheme, value_col=value_col, unit=unit, decimals=decimals,
                      lang=lang, scale=scale, unit_label=unit_label, measure_label=measure_label,
                      drawn_codes=list(centres))
    largest = max((abs(r["value"]) for r in rows if r["value"] is not None), default=0.0)
    max_px = 28.0 if scheme == "municipality" else 45.0
    data = [
        {**row, "position": centres[row["area_code"]],
         "radius": bubble_radius(row["value"], largest, max_px=max_px)}
        for row in rows
    ]
    layer = _scatter_layer(data, selected=selected, highlight=highlight)
    return _deck([layer], compute_view_state(_points_bounds(centres, selected), view_px),
                 basemap_url)
