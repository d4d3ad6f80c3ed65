"""`write_report(db, out)`: the dashboard's pages as static HTML files.

The pages written are those declared with `in_report` (`sharppower.web.pages.Page`), by
the same view functions and templates as the web app; links are relative
(`country/SWE.html`), scripts and styles are copied beside the pages (plotly.min.js from
the installed plotly package), figures and map shapes are embedded in each page, and
every public table is written as CSV and Parquet under `downloads/`. Nothing in the site
refers to a server or to the network.

Evidence records are published through an allow-list (:data:`RECORD_FIELDS`): what a
record is (title, dates, actors, target, indicators, techniques, the publisher's link),
never who coded it; its narrative only when the record's source allows its texts to be
redistributed (`Source.redistribute` holds "texts": records added by hand do, the ASD
tracker's and EUvsDisinfo's do not; their narratives stay with the publisher, linked).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharppower.analysis.datapackage import allowed
from sharppower.store import Database
from sharppower.store.provenance import is_starter_only
from sharppower.web.app import plotly_js
from sharppower.web.lookup import codebook
from sharppower.web.memo import dict_memo
from sharppower.web.pages import report_pages
from sharppower.web.render import clean
from sharppower.web.routing import HERE, templates

# the fields of an evidence record the static report publishes (every other field, such
# as the coder, the reviewer or the raw narrative, is left out)
RECORD_FIELDS = frozenset({
    "id", "actors", "target", "target_name", "start_date", "start_precision", "end_date",
    "end_precision", "ongoing", "period", "title", "sources", "link", "publisher",
    "categories", "indicators", "layers", "techniques", "confidence", "status", "origin",
    "withdrawn_from_source"})
NARRATIVE_FIELDS = ("narrative_html", "narrative_text")
WITHHELD = ("<p>The narrative is not republished here: its publisher's terms do not allow "
            "redistribution. Read it at the source linked above.</p>")


def is_record(value: Any) -> bool:
    """An evidence record as the ledger's views give it (`present.view`)."""
    return isinstance(value, dict) and "origin" in value and "narrative_html" in value


def publishable(value: Any) -> Any:
    """`value` with every evidence record in it reduced to :data:`RECORD_FIELDS` (plus its
    narrative where the record's source allows its texts to be redistributed)."""
    if is_record(value):
        out = {k: v for k, v in value.items() if k in RECORD_FIELDS}
        texts = allowed(str(value.get("origin")), "texts")
        out["narrative_html"] = value.get("narrative_html") if texts else WITHHELD
        out["narrative_text"] = value.get("narrative_text") if texts else None
        out["narrative_withheld"] = not texts
        return out
    if isinstance(value, dict):
        return {k: publishable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [publishable(v) for v in value]
    return value


@dataclass
class ReportSummary:
    out: Path
    pages: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


class Site:
    """Renders templates into `out` with links relative to each page's folder; `remember`
    shares frames between the pages (computed once)."""

    def __init__(self, db: Database, out: Path):
        self.db, self.out = db, out
        self.starter_only = is_starter_only(db)
        self.remember = dict_memo()
        self.summary = ReportSummary(out)

    def context(self, page: str) -> dict[str, Any]:
        prefix = "../" * page.count("/")
        return {"link": lambda p: prefix + (p.strip("/") or "index") + ".html",
                "asset": lambda p: prefix + "static/" + p.lstrip("/"),
                "static_site": True, "json": json, "actor_pages": self.actor_pages}

    def write(self, page: str, template: str, data: dict, figures=None) -> None:
        """Render one page; `figures(data)` builds its plotly specs from the JSON-safe data."""
        payload = publishable(clean({**data, "starter_only": self.starter_only}))
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


def write_report(db: Database, out: Path | str) -> ReportSummary:
    """Write the static site into `out` (created; existing files are overwritten): every
    page declared `in_report`, in navigation order."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    site = Site(db, out)
    copy_assets(out)
    for page in report_pages():
        page.write_report(site)
    return site.summary
