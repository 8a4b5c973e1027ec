"""Loading, checking and dissolving municipality boundary files."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import shapely

from veu_metrics import boundaries as bd
from veu_metrics import geography as geo

REPO = Path(__file__).resolve().parents[1]
SHARED_GEO = REPO.parent / "shared" / "geo"
FIXTURES = Path(__file__).parent / "fixtures" / "geo"
SQUARES = FIXTURES / "squares_98.geojson"  # a 1.6 km box around each reference centroid


@pytest.fixture(autouse=True)
def _fresh_cache():
    bd.clear_cache()
    yield
    bd.clear_cache()


def shared_file(name: str) -> Path:
    path = SHARED_GEO / name
    if not path.is_file():
        pytest.skip(f"shared DAGI test file {path} is absent (it lives beside the repo, in ../shared/geo)")
    return path


def squares() -> dict:
    return json.loads(SQUARES.read_text(encoding="utf-8"))


def write(tmp_path: Path, collection: dict | list, name: str = "b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def map_coordinates(collection: dict, func) -> dict:
    """A copy of a FeatureCollection with every [x, y] replaced by func(x, y)."""

    def walk(node):
        if isinstance(node[0], int | float):
            return list(func(node[0], node[1]))
        return [walk(child) for child in node]

    out = json.loads(json.dumps(collection))
    for feature in out["features"]:
        geometry = feature["geometry"]
        geometry["coordinates"] = walk(geometry["coordinates"])
    return out


# Independent forward transform (lon/lat → UTM32N), Krüger series in n, written separately from
# the inverse under test. Checked below against PROJ's numbers.
def lonlat_to_utm32(lon: float, lat: float) -> tuple[float, float]:
    a, f, k0 = 6378137.0, 1 / 298.257222101, 0.9996
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16, 13 * n**2 / 48 - 3 * n**3 / 5, 61 * n**3 / 240)
    phi, dlam = math.radians(lat), math.radians(lon - 9.0)
    c = 2 * math.sqrt(n) / (1 + n)
    t = math.sinh(math.atanh(math.sin(phi)) - c * math.atanh(c * math.sin(phi)))
    xi = math.atan(t / math.cos(dlam))
    eta = math.atanh(math.sin(dlam) / math.sqrt(1 + t * t))
    east = eta + sum(al * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, al in enumerate(alpha, 1))
    north = xi + sum(al * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, al in enumerate(alpha, 1))
    return 500000.0 + k0 * big_a * east, k0 * big_a * north


# Reference values computed with PROJ 9 (pyproj 3.7, EPSG:25832 → EPSG:4326), outside this project.
PROJ_POINTS = [
    ((725000.0, 6175000.0), (12.577926127, 55.668589867)),  # central Copenhagen
    ((500000.0, 6000000.0), (9.000000000, 54.148104105)),  # on the central meridian
    ((870000.0, 6130000.0), (14.813280399, 55.177727460)),  # Bornholm, far east of the zone
    ((450000.0, 6350000.0), (8.170445195, 57.290245343)),  # off north-west Jutland
    ((900000.0, 6100000.0), (15.239660114, 54.886432343)),
]


# --- the shared DAGI files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kommuner_250m.geojson", "kommuner_100m.geojson"])
def test_shared_dagi_file_loads_with_every_area(name):
    b = bd.load_boundaries(shared_file(name))
    assert b.coordinate_system == "WGS84"
    assert b.code_property == "kommunekode"
    assert b.attribution == bd.DAGI_ATTRIBUTION
    assert sorted(b.municipality_geometries) == geo.municipality_codes()
    for scheme, count in [("municipality", 98), ("rar", 8), ("council", 5)]:
        shapes = b.shapes(scheme)
        assert sorted(shapes.bounds) == sorted(geo.areas(scheme)["area_code"])
        assert len(shapes.bounds) == count
        assert {p["area_code"] for p in shapes.parts} == set(shapes.bounds)
    # København's polygon holds the city hall square; Frederiksberg is a hole in it.
    copenhagen = b.municipality_geometries[101]
    assert copenhagen.contains(shapely.Point(12.5683, 55.6761))
    assert not copenhagen.contains(shapely.Point(12.5310, 55.6785))
    assert b.municipality_geometries[147].contains(shapely.Point(12.5310, 55.6785))


def test_shared_file_dissolves_without_gaps_or_overlaps():
    b = bd.load_boundaries(shared_file("kommuner_250m.geojson"))
    lookup = geo.area_lookup("rar")
    east_jutland = [c for c, a in lookup.iter_rows() if a == "oestjylland"]
    members_area = sum(b.municipality_geometries[c].area for c in east_jutland)
    dissolved = shapely.union_all([b.municipality_geometries[c] for c in east_jutland])
    assert dissolved.area == pytest.approx(members_area, rel=1e-9)
    bounds = b.shapes("rar").bounds["oestjylland"]
    assert bounds == pytest.approx(dissolved.bounds, abs=1e-9)
    # Viborg (791) belongs to RAR Østjylland, so its western edge lies west of 9.0°E.
    assert bounds[0] < 9.0


def test_shared_file_christiansoe_is_drawn_with_bornholm():
    b = bd.load_boundaries(shared_file("kommuner_250m.geojson"))
    raw = json.loads(shared_file("kommuner_250m.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in raw["features"] if f["properties"]["kommunekode"] == "0411")
    christiansoe = shapely.geometry.shape(feature["geometry"])
    assert 411 not in b.municipality_geometries
    assert b.municipality_geometries[400].contains(christiansoe.representative_point())
    assert b.shapes("rar").bounds["bornholm"][2] >= christiansoe.bounds[2] - 1e-4


def test_shared_file_in_utm32_gives_the_same_polygons(tmp_path):
    source = shared_file("kommuner_250m.geojson")
    collection = json.loads(source.read_text(encoding="utf-8"))
    utm = map_coordinates(collection, lonlat_to_utm32)
    utm["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    converted = bd.load_boundaries(write(tmp_path, utm))
    original = bd.load_boundaries(source)
    assert converted.coordinate_system == "EPSG:25832"
    for code in (101, 400, 851):
        a = shapely.get_coordinates(original.municipality_geometries[code])
        b = shapely.get_coordinates(converted.municipality_geometries[code])
        assert np.abs(a - b).max() < 1e-7  # about 1 cm


# --- the coordinate transformation ---------------------------------------------------------------


@pytest.mark.parametrize(("utm", "lonlat"), PROJ_POINTS)
def test_utm32_to_lonlat_matches_proj(utm, lonlat):
    lon, lat = bd.utm32_to_lonlat(np.array([utm[0]]), np.array([utm[1]]))
    assert lon[0] == pytest.approx(lonlat[0], abs=1e-8)  # 1e-8 degrees is under 1 mm
    assert lat[0] == pytest.approx(lonlat[1], abs=1e-8)


@pytest.mark.parametrize(("utm", "lonlat"), PROJ_POINTS)
def test_forward_helper_matches_proj(utm, lonlat):
    # The test's own forward transform must agree with PROJ too, or the round trips prove nothing.
    east, north = lonlat_to_utm32(*lonlat)
    assert east == pytest.approx(utm[0], abs=0.01)
    assert north == pytest.approx(utm[1], abs=0.01)


# --- small hand-made files -----------------------------------------------------------------------


def test_squares_file_loads():
    b = bd.load_boundaries(SQUARES)
    assert len(b.municipality_geometries) == 98
    assert len(b.shapes("rar").bounds) == 8
    assert len(b.shapes("council").bounds) == 5
    assert not b.simplified
    # RAR Bornholm is exactly Bornholm's square (lon 14.911 ± 0.008, lat 55.124 ± 0.005).
    assert b.shapes("rar").bounds["bornholm"] == pytest.approx((14.903, 55.119, 14.919, 55.129))
    # Dissolving squares that do not touch keeps one part per municipality.
    assert sum(p["area_code"] == "fyn" for p in b.shapes("rar").parts) == 10


def test_load_is_cached_per_file_version(tmp_path):
    path = write(tmp_path, squares())
    first = bd.load_boundaries(path)
    assert bd.load_boundaries(path) is first
    changed = squares()
    changed["features"][0]["geometry"]["coordinates"][0][1][0] += 0.001  # widen København
    path.write_text(json.dumps(changed) + "\n" * 3, encoding="utf-8")  # new size as well
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = bd.load_boundaries(path)
    assert second is not first
    assert second.municipality_geometries[101].bounds[2] == pytest.approx(
        first.municipality_geometries[101].bounds[2] + 0.001
    )


@pytest.mark.parametrize(
    ("name", "make_value"),
    [
        ("kommunekode", lambda code: f"{code:04d}"),
        ("kode", lambda code: code),
        ("KOMKODE", lambda code: str(code)),
        ("komkode", lambda code: float(code)),
        ("KommuneKode", lambda code: f"{code:04d}"),  # case differs: still recognised
    ],
)
def test_code_property_names_and_value_forms(tmp_path, name, make_value):
    collection = squares()
    for feature in collection["features"]:
        code = int(feature["properties"].pop("kommunekode"))
        feature["properties"][name] = make_value(code)
    b = bd.load_boundaries(write(tmp_path, collection))
    assert b.code_property == name
    assert sorted(b.municipality_geometries) == geo.municipality_codes()


@pytest.mark.parametrize("crs_name", [None, "urn:ogc:def:crs:EPSG::25832", "EPSG:25832", "EPSG:32632"])
def test_utm32_file_is_converted(tmp_path, crs_name):
    collection = map_coordinates(squares(), lonlat_to_utm32)
    if crs_name:
        collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    b = bd.load_boundaries(write(tmp_path, collection))
    assert b.coordinate_system == "EPSG:25832"
    assert b.municipality_geometries[101].bounds == pytest.approx((12.558, 55.671, 12.574, 55.681), abs=1e-7)


@pytest.mark.parametrize("crs_name", ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "EPSG:4258"])
def test_declared_geographic_crs_is_accepted(tmp_path, crs_name):
    collection = squares()
    collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    assert bd.load_boundaries(write(tmp_path, collection)).coordinate_system == "WGS84"


def test_multipolygons_and_split_features_are_merged(tmp_path):
    collection = squares()
    aarhus = next(f for f in collection["features"] if f["properties"]["kommunekode"] == "0751")
    island = [[[10.60, 56.00], [10.62, 56.00], [10.62, 56.01], [10.60, 56.01], [10.60, 56.00]]]
    collection["features"].append(
        {"type": "Feature", "properties": {"kommunekode": "0751"},
         "geometry": {"type": "MultiPolygon", "coordinates": [island]}}
    )
    b = bd.load_boundaries(write(tmp_path, collection))
    merged = b.municipality_geometries[751]
    assert merged.geom_type == "MultiPolygon"
    assert merged.area == pytest.approx(shapely.geometry.shape(aarhus["geometry"]).area + 0.02 * 0.01)


def test_christiansoe_is_merged_into_bornholm(tmp_path):
    collection = squares()
    collection["features"].append(
        {"type": "Feature", "properties": {"kommunekode": "0411", "navn": "Christiansø"},
         "geometry": {"type": "Polygon", "coordinates": [
             [[15.18, 55.31], [15.19, 55.31], [15.19, 55.32], [15.18, 55.32], [15.18, 55.31]]]}}
    )
    b = bd.load_boundaries(write(tmp_path, collection))
    assert 411 not in b.municipality_geometries
    assert b.shapes("municipality").bounds["400"] == pytest.approx((14.903, 55.119, 15.19, 55.32))


def test_own_attribution_member_replaces_dagi(tmp_path):
    collection = squares()
    collection["attribution"] = "Grænser: egen opmåling"
    assert bd.load_boundaries(write(tmp_path, collection)).attribution == "Grænser: egen opmåling"
    assert bd.load_boundaries(SQUARES).attribution == bd.DAGI_ATTRIBUTION


def test_big_files_are_simplified_keeping_every_area(tmp_path, monkeypatch):
    # Densify each square's edges to 400 vertices, then lower the threshold so it triggers.
    def dense(ring):
        out = []
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            out.extend([[x0 + (x1 - x0) * i / 100, y0 + (y1 - y0) * i / 100] for i in range(100)])
        return [*out, out[0]]

    collection = squares()
    for feature in collection["features"]:
        feature["geometry"]["coordinates"] = [dense(feature["geometry"]["coordinates"][0])]
    monkeypatch.setattr(bd, "SIMPLIFY_ABOVE_VERTICES", 10_000)
    b = bd.load_boundaries(write(tmp_path, collection))
    assert b.simplified
    assert len(b.shapes("municipality").bounds) == 98
    vertices = sum(len(p["polygon"][0]) for p in b.shapes("municipality").parts)
    assert vertices < 98 * 401 / 10


# --- bad files: each gives a BoundaryError saying what to fix --------------------------------------


def error_for(path: Path) -> str:
    with pytest.raises(bd.BoundaryError) as caught:
        bd.load_boundaries(path)
    return str(caught.value)


def test_missing_municipalities_are_listed_by_code_and_name(tmp_path):
    collection = squares()
    collection["features"] = [
        f for f in collection["features"] if f["properties"]["kommunekode"] not in ("0101", "0860")
    ]
    message = error_for(write(tmp_path, collection))
    assert "lacks 2 of the 98 municipalities" in message
    assert "101 København" in message
    assert "860 Hjørring" in message


def test_file_with_three_municipalities():
    message = error_for(FIXTURES / "three_municipalities.geojson")
    assert "lacks 95 of the 98 municipalities" in message
    assert "151 Ballerup" in message
    assert "and 80 more" in message


def test_wrong_property_name_lists_the_properties_found():
    message = error_for(FIXTURES / "wrong_property.geojson")
    assert "no municipality code property" in message
    assert "kommunekode" in message
    assert "municipality, name" in message


def test_web_mercator_is_refused():
    message = error_for(FIXTURES / "web_mercator.geojson")
    assert "Web Mercator (EPSG:3857)" in message
    assert "EPSG:25832" in message


def test_latitude_first_is_refused():
    assert "swapped order" in error_for(FIXTURES / "latitude_first.geojson")


def test_coordinates_outside_denmark_are_refused(tmp_path):
    # Squares moved 40° west: valid degrees, but not Denmark in any accepted system.
    collection = map_coordinates(squares(), lambda x, y: (x - 40.0, y))
    message = error_for(write(tmp_path, collection))
    assert "coordinate system the app cannot read" in message


def test_declared_unsupported_crs_is_refused(tmp_path):
    collection = squares()
    collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3035"}}
    message = error_for(write(tmp_path, collection))
    assert "'3035'" in message


def test_declared_utm_with_degree_coordinates_is_refused(tmp_path):
    collection = squares()
    collection["crs"] = {"type": "name", "properties": {"name": "EPSG:25832"}}
    assert "look like degrees" in error_for(write(tmp_path, collection))


def test_not_json():
    assert "not valid JSON" in error_for(FIXTURES / "not_json.geojson")


def test_empty_file():
    assert "is empty (0 bytes)" in error_for(FIXTURES / "empty.geojson")


def test_json_that_is_not_a_feature_collection():
    assert "holds a JSON list, not a GeoJSON FeatureCollection" in error_for(FIXTURES / "feature_list.json")


def test_geometry_object_instead_of_collection(tmp_path):
    path = write(tmp_path, {"type": "Polygon", "coordinates": [[[12, 55], [13, 55], [13, 56], [12, 55]]]})
    assert "not a GeoJSON FeatureCollection (its type is 'Polygon')" in error_for(path)


def test_missing_file(tmp_path):
    message = error_for(tmp_path / "nowhere.geojson")
    assert "not found" in message
    assert "VEU_BOUNDARIES" in message


def test_region_codes_are_not_municipalities(tmp_path):
    collection = squares()
    collection["features"][0]["properties"]["kommunekode"] = "1084"
    assert "not Danish municipality codes (1084)" in error_for(write(tmp_path, collection))


def test_unreadable_code_value(tmp_path):
    collection = squares()
    collection["features"][3]["properties"]["kommunekode"] = "K-153"
    assert "feature 3: 'K-153'" in error_for(write(tmp_path, collection))


def test_feature_without_geometry(tmp_path):
    collection = squares()
    collection["features"][1]["geometry"] = None
    assert "municipalities 0147 have no Polygon or MultiPolygon geometry" in error_for(write(tmp_path, collection))


def test_codes_that_do_not_match_the_shapes(tmp_path):
    # København's and Hjørring's codes swapped: both are drawn ~250 km from where they are.
    collection = squares()
    features = {f["properties"]["kommunekode"]: f for f in collection["features"]}
    features["0101"]["properties"]["kommunekode"] = "0860"
    features["0860"]["properties"]["kommunekode"] = "0101"
    message = error_for(write(tmp_path, collection))
    assert "2 municipalities are drawn far from where they are" in message
    assert "101 København" in message


# --- the page's entry point -----------------------------------------------------------------------


def test_try_load_reports_a_missing_file_without_raising(tmp_path):
    status = bd.try_load_boundaries(tmp_path / "kommuner.geojson")
    assert status.boundaries is None
    assert status.file_missing
    assert "centroids" in status.problem


def test_try_load_reports_a_bad_file_without_raising():
    status = bd.try_load_boundaries(FIXTURES / "not_json.geojson")
    assert status.boundaries is None
    assert not status.file_missing
    assert "not valid JSON" in status.problem


def test_try_load_returns_good_boundaries():
    status = bd.try_load_boundaries(SQUARES)
    assert status.problem is None
    assert status.boundaries is bd.load_boundaries(SQUARES)


def test_unknown_scheme():
    with pytest.raises(ValueError, match="unknown area scheme"):
        bd.load_boundaries(SQUARES).shapes("region")


# --- the boundaries the project ships (the default of VEU_BOUNDARIES) -----------------------------

def test_the_shipped_boundaries_are_the_default_small_attributed_and_complete():
    from veu_metrics.settings import DEFAULT_BOUNDARIES, load_settings

    assert load_settings({}).boundaries == DEFAULT_BOUNDARIES
    assert DEFAULT_BOUNDARIES.is_file() and DEFAULT_BOUNDARIES.stat().st_size <= 400 * 1024
    source = (DEFAULT_BOUNDARIES.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert bd.DAGI_ATTRIBUTION in source and "CC BY 4.0" in source
    shipped = bd.load_boundaries(DEFAULT_BOUNDARIES)
    assert shipped.attribution == bd.DAGI_ATTRIBUTION
    assert len(shipped.shapes("municipality").area_codes) == 98
    assert len(shipped.shapes("council").area_codes) == 5
    lon_min, lat_min, lon_max, lat_max = shipped.shapes("municipality").bounds_of()
    assert 8.0 < lon_min < 8.2 and 15.0 < lon_max < 15.3 and lat_min > 54.5 and lat_max < 57.8
