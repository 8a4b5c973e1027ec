"""Map builders: colours, categories, tooltips, selection, zoom and no network."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import polars as pl
import pytest

from veu_metrics import boundaries as bd
from veu_metrics import geography as geo
from veu_metrics import maps
from veu_metrics.formatting import SUPPRESSED_MARKER

SQUARES = Path(__file__).parent / "fixtures" / "geo" / "squares_98.geojson"
DARKEST = (68, 1, 84, 255)
LIGHTEST = (253, 231, 37, 255)


@pytest.fixture(scope="module")
def boundaries() -> bd.Boundaries:
    return bd.load_boundaries(SQUARES)


def area_frame(scheme: str, values: dict[str, float | None] | None = None,
               suppressed: tuple[str, ...] = ()) -> pl.DataFrame:
    """A frame shaped like measures.compute_area_table: every area, values by code (default 1.0)."""
    areas = geo.areas(scheme)
    values = values or {}
    codes = areas["area_code"].to_list()
    return pl.DataFrame(
        {
            "area_code": codes,
            "area_name": areas["area_name"].to_list(),
            "value": [None if c in suppressed else values.get(c, 1.0) for c in codes],
            "value_suppressed": [c in suppressed for c in codes],
        },
        schema={"area_code": pl.String, "area_name": pl.String, "value": pl.Float64,
                "value_suppressed": pl.Boolean},
    )


def spec(deck) -> dict:
    return json.loads(deck.to_json())


def rows_by_code(deck) -> dict[str, dict]:
    layer = spec(deck)["layers"][0]
    return {row["area_code"]: row for row in layer["data"]}


def border_widths(deck) -> dict[str, float]:
    layer = spec(deck)["layers"][1]
    return {row["area_code"]: row["line_width"] for row in layer["data"]}


def luminance(colour) -> float:
    r, g, b = (c / 255 for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- the sequential scale ---------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", range(2, 8))
def test_palette_gets_darker_with_each_class(n_classes):
    palette = maps.sequential_palette(n_classes)
    assert palette[0] == LIGHTEST
    assert palette[-1] == DARKEST
    lightness = [luminance(c) for c in palette]
    assert all(a > b for a, b in zip(lightness, lightness[1:], strict=False))


def test_quantile_breaks_on_even_values():
    # Quantiles of 10..50 at 0.2, 0.4, 0.6, 0.8 are 18, 26, 34, 42 (linear interpolation).
    scale = maps.compute_colour_scale([10, 20, 30, 40, 50, None], n_classes=5)
    assert scale.breaks == (18, 26, 34, 42)
    colours = [maps.value_colour(v, scale) for v in (10, 20, 30, 40, 50)]
    assert colours == maps.sequential_palette(5)


def test_breaks_are_rounded_to_two_significant_digits():
    # Thirds of 1234, 2345, 5678, 9999 fall on 2345 and 5678 → rounded 2300 and 5700.
    scale = maps.compute_colour_scale([1234, 2345, 5678, 9999], n_classes=3)
    assert scale.breaks == (2300, 5700)
    assert [maps.value_colour(v, scale) for v in (1234, 2345, 5678, 9999)] == [
        maps.sequential_palette(3)[i] for i in (0, 1, 1, 2)
    ]
    legend = maps.build_scale_legend(scale, unit="participations", decimals=0, lang="da")
    assert [e.label for e in legend[:3]] == ["1.234–2.300", "2.300–5.700", "5.700–9.999"]


def test_share_breaks_and_labels():
    scale = maps.compute_colour_scale([0.123, 0.456, 0.789], unit="share", decimals=1, n_classes=2)
    assert scale.breaks == (0.46,)
    da = maps.build_scale_legend(scale, unit="share", decimals=1, lang="da")
    en = maps.build_scale_legend(scale, unit="share", decimals=1, lang="en")
    assert [e.label for e in da[:2]] == ["12,3–46,0 %", "46,0–78,9 %"]
    assert [e.label for e in en[:2]] == ["12.3–46.0%", "46.0–78.9%"]


def test_highest_value_is_darkest_and_lowest_lightest():
    values = [3.0, 17.0, 250.0, 4.5, 99.0, 1200.0, 12345.0, 8.0]
    scale = maps.compute_colour_scale(values)
    assert maps.value_colour(max(values), scale) == DARKEST
    assert maps.value_colour(min(values), scale) == LIGHTEST
    ordered = [maps.value_colour(v, scale) for v in sorted(values)]
    lightness = [luminance(c) for c in ordered]
    assert all(a >= b for a, b in zip(lightness, lightness[1:], strict=False))


def test_two_distinct_values_still_differ():
    scale = maps.compute_colour_scale([1, 1, 1, 2])
    assert maps.value_colour(1, scale) == LIGHTEST
    assert maps.value_colour(2, scale) == DARKEST


def test_one_value_gets_the_darkest_colour():
    scale = maps.compute_colour_scale([7, 7, 7])
    assert maps.value_colour(7, scale) == DARKEST


def test_suppressed_and_missing_colours():
    scale = maps.compute_colour_scale([1, 2, 3])
    assert maps.value_colour(3, scale, suppressed=True) == maps.SUPPRESSED_RGBA
    assert maps.value_colour(None, scale, suppressed=True) == maps.SUPPRESSED_RGBA
    assert maps.value_colour(None, scale) == maps.NO_DATA_RGBA
    assert maps.value_colour(float("nan"), scale) == maps.NO_DATA_RGBA
    assert maps.SUPPRESSED_RGBA != maps.NO_DATA_RGBA
    assert maps.value_colour(1, maps.compute_colour_scale([None, None])) == maps.NO_DATA_RGBA


# --- choropleth -------------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "count"), [("municipality", 98), ("rar", 8), ("council", 5)])
def test_every_area_appears_and_is_clickable(boundaries, scheme, count):
    deck = maps.build_choropleth_deck(area_frame(scheme), boundaries.shapes(scheme), unit="persons")
    layers = spec(deck)["layers"]
    # One pickable layer (the click target, one tooltip); the outlines are not pickable.
    assert [la["id"] for la in layers if la.get("pickable")] == [maps.LAYER_ID]
    layer = layers[0]
    assert layer["id"] == maps.LAYER_ID
    borders = layers[1]
    assert borders["id"] == maps.BORDER_LAYER_ID and borders["pickable"] is False
    assert {row["area_code"] for row in borders["data"]} == set(geo.areas(scheme)["area_code"])
    codes = {row["area_code"] for row in layer["data"]}
    assert codes == set(geo.areas(scheme)["area_code"])
    assert len(codes) == count
    # Every row carries the fields the one tooltip names.
    fields = set(re.findall(r"{(\w+)}", maps._TOOLTIP["text"]))
    assert all(fields <= set(row) for row in layer["data"])


def test_colours_follow_values_on_the_map(boundaries):
    values = {code: float(i) for i, code in enumerate(geo.areas("rar")["area_code"])}
    deck = maps.build_choropleth_deck(area_frame("rar", values), boundaries.shapes("rar"), unit="persons")
    rows = rows_by_code(deck)
    top = max(values, key=values.get)
    bottom = min(values, key=values.get)
    assert tuple(rows[top]["fill_color"]) == DARKEST
    assert tuple(rows[bottom]["fill_color"]) == LIGHTEST
    ranked = sorted(values, key=values.get)
    lightness = [luminance(rows[c]["fill_color"]) for c in ranked]
    assert all(a >= b for a, b in zip(lightness, lightness[1:], strict=False))


def test_tooltip_has_danish_name_and_number(boundaries):
    frame = area_frame("municipality", {"101": 12345.0, "147": 7.0}, suppressed=("851",))
    deck = maps.build_choropleth_deck(frame, boundaries.shapes("municipality"),
                                      unit="participations", decimals=0, lang="da")
    rows = rows_by_code(deck)
    assert rows["101"]["area_name"] == "København"
    assert rows["101"]["formatted"] == "12.345 deltagelser"
    assert rows["101"]["note"] == ""
    assert rows["851"]["area_name"] == "Aalborg"
    assert rows["851"]["formatted"] == SUPPRESSED_MARKER
    assert rows["851"]["note"].startswith(SUPPRESSED_MARKER + ": skjult")
    assert tuple(rows["851"]["fill_color"]) == maps.SUPPRESSED_RGBA


def test_tooltip_in_english_and_with_measure_label(boundaries):
    frame = area_frame("municipality", {"101": 12345.0})
    deck = maps.build_choropleth_deck(frame, boundaries.shapes("municipality"), unit="participations",
                                      lang="en", measure_label="Participations")
    assert rows_by_code(deck)["101"]["formatted"] == "Participations: 12,345 participations"
    share = area_frame("municipality", {"101": 0.125})
    deck = maps.build_choropleth_deck(share, boundaries.shapes("municipality"), unit="share", decimals=1)
    assert rows_by_code(deck)["101"]["formatted"] == "12,5 %"


def test_suppressed_value_never_reaches_the_browser(boundaries):
    # A frame that (wrongly) still holds the hidden count: the map must not show or ship it.
    frame = area_frame("municipality", {"153": 3.0}).with_columns(
        value_suppressed=pl.col("area_code") == "153"
    )
    deck = maps.build_choropleth_deck(frame, boundaries.shapes("municipality"), unit="persons")
    row = rows_by_code(deck)["153"]
    assert row["value"] is None
    assert row["formatted"] == SUPPRESSED_MARKER
    assert tuple(row["fill_color"]) == maps.SUPPRESSED_RGBA
    assert maps.value_colour(3.0, maps.compute_colour_scale([1.0, 3.0]), suppressed=True) == maps.SUPPRESSED_RGBA


def test_areas_missing_from_the_frame_are_drawn_as_no_data(boundaries):
    frame = area_frame("rar").filter(pl.col("area_code") != "bornholm")
    rows = rows_by_code(maps.build_choropleth_deck(frame, boundaries.shapes("rar"), unit="persons"))
    assert rows["bornholm"]["area_name"] == "RAR Bornholm"
    assert rows["bornholm"]["formatted"] == "Ingen data"
    assert tuple(rows["bornholm"]["fill_color"]) == maps.NO_DATA_RGBA


def test_no_external_url_by_default(boundaries):
    for scheme in geo.AREA_SCHEMES:
        deck = maps.build_choropleth_deck(area_frame(scheme), boundaries.shapes(scheme), unit="persons")
        text = deck.to_json()
        assert "http" not in text.lower()
        assert "mapProvider" not in json.loads(text)  # map_provider=None: no basemap at all
        assert "mapbox" not in text.lower()
    for deck in (
        maps.build_centroid_deck(area_frame("rar"), "rar", unit="persons"),
        maps.build_balance_deck(area_frame("rar").select("area_code", "area_name")
                                .with_columns(status=pl.lit("Mangel")), boundaries.shapes("rar")),
    ):
        assert "http" not in deck.to_json().lower()


def test_basemap_is_opt_in(boundaries):
    url = "https://tiles.example.dk/style.json"
    deck = maps.build_choropleth_deck(area_frame("rar"), boundaries.shapes("rar"), unit="persons",
                                      basemap_url=url)
    assert spec(deck)["mapStyle"] == url


def test_compact_json_is_the_same_spec(boundaries):
    import pydeck as pdk

    deck = maps.build_choropleth_deck(area_frame("rar"), boundaries.shapes("rar"), unit="persons")
    assert json.loads(deck.to_json()) == json.loads(pdk.Deck.to_json(deck))
    assert "\n" not in deck.to_json()


# --- zoom and selection -------------------------------------------------------------------------


def visible_box(view: dict, view_px=(700, 500)) -> tuple[float, float, float, float]:
    """The lon/lat box a web-mercator view of view_px pixels shows (deck.gl: 512 px world at zoom 0)."""
    world = 512 * 2 ** view["zoom"]
    half_lon = view_px[0] / 2 / world * 360

    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    def lat(y_value):
        return math.degrees(2 * math.atan(math.exp(y_value)) - math.pi / 2)

    half_y = view_px[1] / 2 / world * 2 * math.pi
    centre = y(view["latitude"])
    return (view["longitude"] - half_lon, lat(centre - half_y),
            view["longitude"] + half_lon, lat(centre + half_y))


def contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def test_default_view_shows_all_denmark_with_bornholm(boundaries):
    shapes = boundaries.shapes("municipality")
    deck = maps.build_choropleth_deck(area_frame("municipality"), shapes, unit="persons")
    view = spec(deck)["initialViewState"]
    assert contains(visible_box(view), shapes.bounds_of())
    assert contains(visible_box(view), shapes.bounds["400"])  # Bornholm


def test_view_zooms_to_the_selection(boundaries):
    shapes = boundaries.shapes("municipality")
    whole = spec(maps.build_choropleth_deck(area_frame("municipality"), shapes, unit="persons"))
    one = spec(maps.build_choropleth_deck(area_frame("municipality"), shapes, unit="persons",
                                          selected=["147"]))
    view = one["initialViewState"]
    assert view["zoom"] > whole["initialViewState"]["zoom"] + 3
    assert contains(visible_box(view), shapes.bounds["147"])
    widths = border_widths(maps.build_choropleth_deck(area_frame("municipality"), shapes,
                                                      unit="persons", selected=["147"]))
    assert widths["147"] > widths["101"]
    # The emphasised outline is drawn last, so no neighbour's border covers it.
    assert one["layers"][1]["data"][-1]["area_code"] == "147"


def test_municipality_map_of_one_area_shows_that_area(boundaries):
    shapes = boundaries.shapes("municipality")
    fyn = [c for c, a in geo.area_lookup("rar").iter_rows() if a == "fyn"]
    codes = [str(c) for c in fyn]
    view = spec(maps.build_choropleth_deck(area_frame("municipality"), shapes, unit="persons",
                                           selected=codes))["initialViewState"]
    box = visible_box(view)
    assert contains(box, shapes.bounds_of(codes))
    assert not contains(box, shapes.bounds["400"])  # zoomed in: Bornholm is out of view


def test_highlight_gets_the_strongest_outline(boundaries):
    widths = border_widths(maps.build_choropleth_deck(
        area_frame("rar"), boundaries.shapes("rar"), unit="persons", selected=["fyn"],
        highlight="bornholm"))
    assert widths["bornholm"] > widths["fyn"] > widths["sjaelland"]


# --- balance ----------------------------------------------------------------------------------


def balance_frame(statuses: dict[str, str | None]) -> pl.DataFrame:
    areas = geo.areas("rar")
    return pl.DataFrame(
        {"area_code": areas["area_code"], "area_name": areas["area_name"],
         "status": [statuses.get(c) for c in areas["area_code"]]},
    )


STATUSES = {"hovedstaden": "Mangel", "bornholm": "Paradoks", "sjaelland": "Gode jobmuligheder",
            "fyn": "Mindre gode jobmuligheder", "sydjylland": "Mangel", "oestjylland": None,
            "vestjylland": "Mangel", "nordjylland": "Paradoks"}


def test_balance_map_uses_exactly_the_four_categories(boundaries):
    assert list(maps.BALANCE_COLOURS) == ["Mangel", "Paradoks", "Gode jobmuligheder",
                                          "Mindre gode jobmuligheder"]
    assert len(set(maps.BALANCE_COLOURS.values())) == 4
    deck = maps.build_balance_deck(balance_frame(STATUSES), boundaries.shapes("rar"), half_year="2024H2")
    rows = rows_by_code(deck)
    for code, status in STATUSES.items():
        expected = maps.BALANCE_COLOURS[status] if status else maps.NO_DATA_RGBA
        assert tuple(rows[code]["fill_color"]) == expected
    assert rows["hovedstaden"]["formatted"] == "Mangel på arbejdskraft (2. halvår 2024)"
    assert rows["bornholm"]["note"] == "Rekrutteringsproblemer trods høj ledighed"
    assert rows["oestjylland"]["formatted"] == "Ingen data"
    legend = maps.build_balance_legend("da")
    assert [e.label for e in legend] == ["Mangel på arbejdskraft", "Paradoksproblemer",
                                         "Gode jobmuligheder", "Mindre gode jobmuligheder", "Ingen data"]
    assert all(e.description for e in legend[:4])


def test_balance_accepts_the_enum_and_refuses_other_labels(boundaries):
    from veu_metrics.schema import BALANCE_STATUS_ENUM

    frame = balance_frame(STATUSES).with_columns(pl.col("status").cast(BALANCE_STATUS_ENUM))
    rows = rows_by_code(maps.build_balance_deck(frame, boundaries.shapes("rar"), lang="en",
                                                half_year="2025H1"))
    assert rows["fyn"]["formatted"] == "Mindre gode jobmuligheder (less good prospects) (H1 2025)"
    with pytest.raises(ValueError, match="unknown balance category 'Middel'"):
        maps.build_balance_deck(balance_frame({"fyn": "Middel"}), boundaries.shapes("rar"))


def test_balance_table():
    frame = balance_frame(STATUSES).filter(pl.col("area_code") != "oestjylland")
    table = maps.balance_map_table(frame, "rar", lang="da")
    assert table.height == 8
    by_code = {r["area_code"]: r for r in table.iter_rows(named=True)}
    assert by_code["hovedstaden"]["label"] == "Mangel på arbejdskraft"
    assert by_code["hovedstaden"]["colour"] == "#d55e00"
    assert by_code["oestjylland"]["status"] is None
    assert by_code["oestjylland"]["label"] == "Ingen data"
    with pytest.raises(ValueError, match="unknown balance category"):
        maps.balance_map_table(balance_frame({"fyn": "Begrænsede"}), "rar")


def test_balance_without_boundaries_draws_dots():
    deck = maps.build_balance_deck(balance_frame(STATUSES), None, scheme="rar")
    layer = spec(deck)["layers"][0]
    assert layer["@@type"] == "ScatterplotLayer"
    assert layer["id"] == maps.LAYER_ID
    assert {r["area_code"] for r in layer["data"]} == set(STATUSES)


# --- centroid fallback ------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "count"), [("municipality", 98), ("rar", 8), ("council", 5)])
def test_centroid_map_has_every_area(scheme, count):
    deck = maps.build_centroid_deck(area_frame(scheme), scheme, unit="persons")
    layer = spec(deck)["layers"][0]
    assert layer["@@type"] == "ScatterplotLayer"
    assert layer["id"] == maps.LAYER_ID and layer["pickable"] is True
    assert len({r["area_code"] for r in layer["data"]}) == count


def test_centroids_are_the_reference_points_and_member_means():
    m = geo.municipalities()
    centres = maps.area_centroids("municipality")
    copenhagen = m.filter(pl.col("municipality_code") == 101).row(0, named=True)
    assert centres["101"] == [copenhagen["lon"], copenhagen["lat"]]
    bornholm = m.filter(pl.col("municipality_code") == 400).row(0, named=True)
    assert maps.area_centroids("rar")["bornholm"] == [bornholm["lon"], bornholm["lat"]]
    north = m.filter(pl.col("council_code") == "nordjylland")
    expected = [round(sum(north["lon"]) / 11, 5), round(sum(north["lat"]) / 11, 5)]
    assert maps.area_centroids("council")["nordjylland"] == pytest.approx(expected, abs=1e-5)


def test_bubble_area_is_proportional_to_value():
    assert maps.bubble_radius(4, 4, min_px=0, max_px=10) == 10
    assert maps.bubble_radius(1, 4, min_px=0, max_px=10) == 5  # a quarter of the area
    assert maps.bubble_radius(None, 4, min_px=2, max_px=10) == 2


def test_centroid_map_sizes_colours_and_suppression():
    frame = area_frame("rar", {"hovedstaden": 900.0, "fyn": 100.0}, suppressed=("bornholm",))
    rows = rows_by_code(maps.build_centroid_deck(frame, "rar", unit="persons", selected=["fyn"]))
    assert rows["hovedstaden"]["radius"] > rows["fyn"]["radius"] > rows["bornholm"]["radius"]
    assert tuple(rows["hovedstaden"]["fill_color"]) == DARKEST
    assert tuple(rows["bornholm"]["fill_color"]) == maps.SUPPRESSED_RGBA
    assert rows["bornholm"]["formatted"] == SUPPRESSED_MARKER
    assert rows["fyn"]["line_width"] > rows["sjaelland"]["line_width"]


def test_centroid_map_zooms_to_selection():
    whole = spec(maps.build_centroid_deck(area_frame("municipality"), "municipality", unit="persons"))
    one = spec(maps.build_centroid_deck(area_frame("municipality"), "municipality", unit="persons",
                                        selected=["400"]))
    assert contains(visible_box(whole["initialViewState"]), maps.DENMARK_BOUNDS)
    assert one["initialViewState"]["zoom"] > whole["initialViewState"]["zoom"]
    lon, lat = maps.area_centroids("municipality")["400"]
    assert contains(visible_box(one["initialViewState"]), (lon, lat, lon, lat))


# --- legend, table, attribution, errors ----------------------------------------------------------


def test_legend_has_classes_then_suppressed_and_no_data():
    frame = area_frame("rar", {"hovedstaden": 10.0, "bornholm": 20.0, "sjaelland": 30.0,
                               "fyn": 40.0, "sydjylland": 50.0, "oestjylland": 10.0,
                               "vestjylland": 20.0, "nordjylland": 30.0})
    legend = maps.build_legend(frame, unit="persons", lang="da")
    assert legend[0].colour == maps.rgba_to_hex(LIGHTEST)
    assert legend[-3].colour == maps.rgba_to_hex(DARKEST)
    assert legend[-2].colour == maps.rgba_to_hex(maps.SUPPRESSED_RGBA)
    assert legend[-2].label == f"{SUPPRESSED_MARKER} Skjult (diskretion)"
    assert legend[-1].label == "Ingen data"
    assert maps.build_legend(frame, unit="persons", lang="en")[-1].label == "No data"


def test_legend_html_is_self_contained_and_escaped():
    entries = [maps.LegendEntry("#440154", "<b>10–20</b>", "a & b")]
    page = maps.build_legend_html(entries, title="Deltagere")
    assert "#440154" in page
    assert "&lt;b&gt;10–20&lt;/b&gt;" in page
    assert "a &amp; b" in page
    assert "http" not in page


def test_map_table_has_the_same_numbers():
    frame = area_frame("rar", {"hovedstaden": 12345.0, "fyn": 2.0}, suppressed=("bornholm",))
    table = maps.compute_map_table(frame, "rar", unit="persons")
    assert table.columns == ["area_code", "area_name", "value", "formatted", "colour"]
    assert table.height == 8
    by_code = {r["area_code"]: r for r in table.iter_rows(named=True)}
    assert by_code["hovedstaden"]["formatted"] == "12.345 personer"
    assert by_code["hovedstaden"]["colour"] == maps.rgba_to_hex(DARKEST)
    assert by_code["bornholm"]["value"] is None
    assert by_code["bornholm"]["formatted"] == SUPPRESSED_MARKER
    assert by_code["bornholm"]["colour"] == maps.rgba_to_hex(maps.SUPPRESSED_RGBA)


def test_attribution(boundaries, tmp_path):
    assert maps.DAGI_ATTRIBUTION == "Indeholder data fra Klimadatastyrelsen, DAGI (CC BY 4.0)"
    assert maps.shows_dagi_attribution(boundaries)
    assert maps.attribution_for(boundaries) == maps.DAGI_ATTRIBUTION
    assert not maps.shows_dagi_attribution(None)
    assert maps.attribution_for(None) is None
    own = json.loads(SQUARES.read_text(encoding="utf-8"))
    own["attribution"] = "Grænser: egen opmåling"
    path = tmp_path / "own.geojson"
    path.write_text(json.dumps(own), encoding="utf-8")
    assert not maps.shows_dagi_attribution(bd.load_boundaries(path))


def test_clear_errors_for_wrong_frames(boundaries):
    with pytest.raises(ValueError, match="area codes not in the municipality scheme: bornholm, fyn"):
        maps.build_choropleth_deck(area_frame("rar"), boundaries.shapes("municipality"), unit="persons")
    with pytest.raises(ValueError, match="missing area_name"):
        maps.build_choropleth_deck(area_frame("rar").drop("area_name"), boundaries.shapes("rar"),
                                   unit="persons")
    with pytest.raises(ValueError, match="does not match the geometry's scheme"):
        maps.build_choropleth_deck(area_frame("rar"), boundaries.shapes("rar"), unit="persons",
                                   scheme="council")


def test_half_year_text():
    assert maps.format_half_year("2024H2", "da") == "2. halvår 2024"
    assert maps.format_half_year("2025H1", "en") == "H1 2025"


def test_horizontal_legend_wraps_entries_side_by_side():
    entries = maps.build_balance_legend("da")
    html_text = maps.build_legend_html(entries, "Status", horizontal=True)
    assert "flex-wrap:wrap" in html_text
    assert all(entry.label in html_text for entry in entries)


def test_the_view_fits_the_whole_country_with_padding_in_a_narrow_column():
    import math

    bounds = (8.07, 54.56, 15.16, 57.75)  # Denmark with Bornholm
    view = maps.compute_view_state(bounds)

    def px(lon: float, lat: float) -> tuple[float, float]:
        scale = 512 * 2 ** view.zoom
        x = (lon + 180) / 360 * scale
        y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * scale
        return x, y

    (x0, y0), (x1, y1) = px(bounds[0], bounds[3]), px(bounds[2], bounds[1])
    cx, cy = px(view.longitude, view.latitude)
    width, height = maps._ASSUMED_VIEW_PX
    # Every edge of the country lies inside the view with at least 5 % to spare.
    assert cx - x0 <= width / 2 * 0.95 and x1 - cx <= width / 2 * 0.95
    assert cy - y0 <= height / 2 * 0.95 and y1 - cy <= height / 2 * 0.95


def test_a_wider_map_zooms_in_and_the_default_fits_the_narrowest_column():
    """The view fits the features into the narrowest width a map gets (about 250 px at 1024);
    a page that gives its map the full width says so and gets a closer view."""
    from veu_metrics.maps import _ASSUMED_VIEW_PX, compute_view_state

    nordjylland = (8.2, 56.5, 11.2, 57.8)
    narrow = compute_view_state(nordjylland)
    wide = compute_view_state(nordjylland, (600, 420))
    assert _ASSUMED_VIEW_PX[0] <= 250
    assert wide.zoom > narrow.zoom
    # The whole box lies inside the narrow view: half its width in degrees at that zoom.
    degrees_per_px = 360 / (512 * 2 ** narrow.zoom)
    assert (nordjylland[2] - nordjylland[0]) / degrees_per_px <= _ASSUMED_VIEW_PX[0]
