"""World country shapes for the map, from the npm package world-atlas (Natural Earth 1:110m,
public domain), installed at setup by `make install` into the virtual environment.

`plotly_topojson()` re-keys the package's TopoJSON the way plotly.js expects its
`world_110m` file (country ids = ISO3, objects land and countries, other layers empty).
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


@lru_cache(maxsize=1)
def plotly_topojson() -> dict:
    """The world-atlas TopoJSON in plotly.js's world_110m layout (ids = ISO3)."""
    topo = json.loads(topojson_path().read_text("utf-8"))
    geometries, seen = [], set()
    for geom in topo["objects"]["countries"]["geometries"]:
        iso3 = _iso3(geom)
        if iso3 and iso3 not in seen:
            seen.add(iso3)
            geometries.append({**geom, "id": iso3})
    empty = {"type": "GeometryCollection", "geometries": []}
    objects = {"countries": {"type": "GeometryCollection", "geometries": geometries},
               "land": topo["objects"]["land"]}
    objects.update({name: empty for name in ("coastlines", "ocean", "lakes", "rivers",
                                             "subunits")})
    return {**topo, "objects": objects}


def mapped_countries() -> set[str]:
    return {g["id"] for g in plotly_topojson()["objects"]["countries"]["geometries"]}
