"""Make the project's own simplified municipality boundaries from a DAGI GeoJSON file.

    .venv/bin/python scripts/make_boundaries.py ../shared/geo/kommuner_250m.geojson \
        src/veu_metrics/reference/boundaries/kommuner.geojson

Keeps the shared borders (shapely's coverage simplification), one feature per municipality
code with its name, coordinates rounded to 4 decimals (about 10 m: far below what a country map
shows). The result is what the app draws when VEU_BOUNDARIES is not set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

TOLERANCE_DEGREES = 0.004  # about 250–450 m: a country map of 98 municipalities needs no more
DECIMALS = 4
ATTRIBUTION = "Indeholder data fra Klimadatastyrelsen, DAGI (CC BY 4.0)"


def _rounded(node):
    if isinstance(node, float):
        return round(node, DECIMALS)
    if isinstance(node, list | tuple):
        return [_rounded(n) for n in node]
    return node


def main(source: Path, target: Path) -> None:
    collection = json.loads(source.read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["kommunekode"] != "0411"]
    geometries = shapely.coverage_simplify(
        [shape(f["geometry"]) for f in features], TOLERANCE_DEGREES)
    out = []
    for feature, geometry in zip(features, geometries, strict=True):
        geometry = shapely.make_valid(shapely.set_precision(geometry, 10 ** -DECIMALS))
        geometry = shapely.union_all([g for g in getattr(geometry, "geoms", [geometry])
                                      if g.geom_type in ("Polygon", "MultiPolygon")])
        out.append({"type": "Feature",
                    "properties": {"kommunekode": feature["properties"]["kommunekode"],
                                   "navn": feature["properties"]["navn"]},
                    "geometry": _rounded(mapping(geometry))})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"type": "FeatureCollection", "attribution": ATTRIBUTION,
                                  "features": out}, ensure_ascii=False, separators=(",", ":")),
                      encoding="utf-8")
    print(f"{target}: {len(out)} municipalities, {target.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
