"""World country shapes for the map, from the npm package world-atlas (Natural Earth 1:110m,
public domain), installed at setup by `make install` into the virtual environment.

`world_geojson()` decodes the package's TopoJSON into a GeoJSON FeatureCollection whose
feature ids are ISO3 codes, ready for a plotly `choropleth` trace with `geojson=`. Nothing
is fetched at run time: a missing package is an error naming the command that installs it.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import pycountry

from sharppower.errors import NotFound

PACKAGE = "world-atlas"
VERSION = "2.0.2"
FILE = "countries-110m.json"
INSTALL_HINT = (f"npm install --no-save --no-package-lock --prefix .venv/npm {PACKAGE}@{VERSION}"
                " (run by `make install`)")
# Shapes world-atlas leaves without an ISO numeric id (N. Cyprus and Somaliland are left out).
NAMED = {"Kosovo": "XKX"}


def candidate_paths() -> list[Path]:
    """Where the package may be installed: the active environment, then the project root."""
    roots = [Path(sys.prefix) / "npm", Path(__file__).resolve().parents[2], Path.cwd()]
    return [root / "node_modules" / PACKAGE / FILE for root in roots]


def topojson_path() -> Path:
    for path in candidate_paths():
        if path.is_file():
            return path
    raise NotFound(f"map geometry {PACKAGE}/{FILE} is not installed: {INSTALL_HINT}")


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 2), round(y * sy + ty, 2)))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return [list(p) for p in ring]


def _geometry(geom: dict, arcs: list) -> dict:
    if geom["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geom["arcs"]]}
    return {"type": "MultiPolygon",
            "coordinates": [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]}


def _iso3(geom: dict) -> str | None:
    name = geom.get("properties", {}).get("name")
    if geom.get("id"):
        country = pycountry.countries.get(numeric=geom["id"])
        if country:
            return country.alpha_3
    return NAMED.get(name)


@lru_cache(maxsize=1)
def world_geojson() -> dict:
    """FeatureCollection of country shapes; feature `id` = ISO3, properties.name."""
    topo = json.loads(topojson_path().read_text("utf-8"))
    arcs = _decode_arcs(topo)
    features, seen = [], set()
    for geom in topo["objects"]["countries"]["geometries"]:
        iso3 = _iso3(geom)
        if not iso3 or iso3 in seen or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        seen.add(iso3)
        features.append({"type": "Feature", "id": iso3,
                         "properties": {"name": geom["properties"].get("name")},
                         "geometry": _geometry(geom, arcs)})
    return {"type": "FeatureCollection", "features": features}


def mapped_countries() -> set[str]:
    return {f["id"] for f in world_geojson()["features"]}
