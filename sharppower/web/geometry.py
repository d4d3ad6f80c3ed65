"""World country shapes for the map, from the npm package world-atlas (Natural Earth 1:110m,
public domain), installed at setup by `make install` into the virtual environment.

`plotly_topojson()` re-keys the package's TopoJSON the way plotly.js expects its
`world_110m` file (country ids = ISO3, a centroid `ct` per country, objects land and
countries, other layers empty).
Pages embed it as `window.PlotlyGeoAssets`, which plotly.js reads before it would fetch a
topojson file, so a choropleth with `locationmode: "ISO-3"` draws with no request at all.
Nothing is fetched at run time: a missing package is an error naming the command that
installs it.
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


def _iso3(geom: dict) -> str | None:
    name = geom.get("properties", {}).get("name")
    if geom.get("id"):
        country = pycountry.countries.get(numeric=geom["id"])
        if country:
            return country.alpha_3
    return NAMED.get(name)


def _arc_points(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every (delta-encoded, quantised) arc."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _centroid(geom: dict, arcs: list) -> list[float]:
    """Centre of the bounding box of the largest outer ring: plotly.js anchors hover labels
    on `properties.ct` of each country (its own files carry it; world-atlas does not)."""
    polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
    best, best_area = [0.0, 0.0], -1.0
    for polygon in polygons:
        points = [p for i in polygon[0] for p in arcs[i if i >= 0 else ~i]]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if max(xs) - min(xs) > 180:  # crosses the antimeridian (Russia, Fiji)
            xs = [x + 360 if x < 0 else x for x in xs]
        area = (max(xs) - min(xs)) * (max(ys) - min(ys))
        if area > best_area:
            best_area = area
            lon = (max(xs) + min(xs)) / 2
            best = [round(lon - 360 if lon > 180 else lon, 2), round((max(ys) + min(ys)) / 2, 2)]
    return best


@lru_cache(maxsize=1)
def plotly_topojson() -> dict:
    """The world-atlas TopoJSON in plotly.js's world_110m layout (ids = ISO3)."""
    topo = json.loads(topojson_path().read_text("utf-8"))
    arcs = _arc_points(topo)
    geometries, seen = [], set()
    for geom in topo["objects"]["countries"]["geometries"]:
        iso3 = _iso3(geom)
        if iso3 and iso3 not in seen:
            seen.add(iso3)
            properties = {**geom.get("properties", {}), "ct": _centroid(geom, arcs)}
            geometries.append({**geom, "id": iso3, "properties": properties})
    empty = {"type": "GeometryCollection", "geometries": []}
    objects = {"countries": {"type": "GeometryCollection", "geometries": geometries},
               "land": topo["objects"]["land"]}
    objects.update({name: empty for name in ("coastlines", "ocean", "lakes", "rivers",
                                             "subunits")})
    return {**topo, "objects": objects}


def mapped_countries() -> set[str]:
    return {g["id"] for g in plotly_topojson()["objects"]["countries"]["geometries"]}
