"""`write_report(db, out)`: the dashboard's pages as static HTML files.

The same view functions and templates as the web app render each page; links are relative
(`country/SWE.html`), scripts and styles are copied beside the pages (plotly.min.js from
the installed plotly package), figures and map shapes are embedded in each page, and
every public table is written as CSV and Parquet under `downloads/`. Nothing in the site
refers to a server or to the network.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharppower.analysis import datapackage
from sharppower.measures.evidence.ledger import list_evidence
from sharppower.store import Database
from sharppower.store.lookups import country_names, observed_targets
from sharppower.store.provenance import is_starter_only
from sharppower.web.app import plotly_js
from sharppower.web.geometry import plotly_topojson
from sharppower.web.lookup import codebook
from sharppower.web.memo import dict_memo
from sharppower.web.pages import country, downloads, methodology, quadrant, sources
from sharppower.web.pages import map as map_page
from sharppower.web.render import clean
from sharppower.web.routing import HERE, templates


@dataclass
class ReportSummary:
    out: Path
    pages: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


class Site:
    """Renders templates into `out` with links relative to each page's folder."""

    def __init__(self, db: Database, out: Path):
        self.db, self.out = db, out
        self.starter_only = is_starter_only(db)
        self.remember = dict_memo()  # frames shared by the pages, computed once
        self.summary = ReportSummary(out)

    def context(self, page: str) -> dict[str, Any]:
        prefix = "../" * page.count("/")
        return {"link": lambda p: prefix + (p.strip("/") or "index") + ".html",
                "asset": lambda p: prefix + "static/" + p.lstrip("/"),
                "static_site": True, "json": json, "actor_pages": self.actor_pages}

    def write(self, page: str, template: str, data: dict, figures=None) -> None:
        """Render one page; `figures(data)` builds its plotly specs from the JSON-safe data."""
        payload = clean({**data, "starter_only": self.starter_only})
        html = templates.env.get_template(template).render(
            data=payload, figures=figures(payload) if figures else None, **self.context(page))
        path = self.out / f"{page}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.summary.pages.append(f"{page}.html")

    @property
    def actor_pages(self) -> dict[str, str]:
        return codebook().actors


def copy_assets(out: Path) -> None:
    static = out / "static"
    (static / "vendor").mkdir(parents=True, exist_ok=True)
    for name in ("style.css", "charts.js", "site.js", "favicon.ico"):
        shutil.copyfile(HERE / "static" / name, static / name)
    shutil.copyfile(plotly_js(), static / "vendor" / "plotly.min.js")


def write_maps(site: Site) -> None:
    world = plotly_topojson()
    for i, actor in enumerate(codebook().actors):
        data = map_page.map_data(site.db, actor)

        def figs(d):
            return {"map": map_page.map_figure(d), "world": world}
        site.write(f"map-{actor}", "map.html", data, figs)
        if i == 0:
            site.write("map", "map.html", data, figs)
            site.write("index", "map.html", data, figs)


def write_quadrants(site: Site) -> None:
    for i, actor in enumerate(codebook().actors):
        data = quadrant.quadrant_data(site.db, actor, memo=site.remember)
        def figs(d):
            return {"quadrant": quadrant.quadrant_figure(d)}
        site.write(f"quadrant-{actor}", "quadrant.html", data, figs)
        if i == 0:
            site.write("quadrant", "quadrant.html", data, figs)


def profiled_countries(db: Database) -> list[str]:
    """Countries with any observation or evidence record (the others would be empty)."""
    targets = observed_targets(db) | set(list_evidence(db)["target"])
    return sorted(targets & set(country_names(db)))


def write_countries(site: Site) -> None:
    codes = profiled_countries(site.db)
    for code in codes:
        data = country.profile_data(site.db, code, memo=site.remember)
        site.write(f"country/{code}", "country.html", data, country.profile_figures)
    listing = country.countries_data(site.db)
    listing["countries"] = [c for c in listing["countries"] if c["iso3"] in set(codes)]
    site.write("countries", "countries.html", listing)
    site.summary.countries = codes


def write_downloads(site: Site) -> None:
    """The published tables as CSV and Parquet with their `datapackage.json`."""
    data = downloads.downloads_data(site.db, site.remember)
    folder = site.out / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    frames = {}
    for table in data["tables"]:
        frame = frames[table["name"]] = downloads.read_table(site.db, table["name"],
                                                             site.remember)
        table["files"] = {}
        for fmt in data["formats"]:
            (folder / f"{table['name']}.{fmt}").write_bytes(downloads.encode(frame, fmt))
            table["files"][fmt] = f"downloads/{table['name']}.{fmt}"
        site.summary.tables.append(table["name"])
    descriptor = datapackage.descriptor(site.db, frames, lambda n: f"{n}.csv")
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    site.write("downloads", "downloads.html", data)


def write_report(db: Database, out: Path | str) -> ReportSummary:
    """Write the static site into `out` (created; existing files are overwritten)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    site = Site(db, out)
    copy_assets(out)
    write_maps(site)
    write_quadrants(site)
    write_countries(site)
    site.write("methodology", "methodology.html", methodology.methodology_data())
    site.write("sources", "sources.html", sources.sources_data(db))
    write_downloads(site)
    return site.summary
