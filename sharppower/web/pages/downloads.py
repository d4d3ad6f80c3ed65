"""Downloads: the published tables (`sharppower.analysis.datapackage`: only what each
source's allow-list lets us redistribute, names beside ISO3 codes, rounded floats) as CSV
and Parquet, described by a Frictionless `datapackage.json`; the OpenAPI description.

Private tables (users, tokens, the audit log) and the migration record are never offered.
The evidence tables hold accepted records without account names or notes, unless the
request carries a reviewer's or admin's token (then every record and column). Every CSV
is formula-escaped (`datapackage.encode_csv`).
"""

from __future__ import annotations

import io
import json

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sharppower.analysis import datapackage
from sharppower.errors import NotFound, ValidationError
from sharppower.index.nodes import run_nodes
from sharppower.index.store import LEVELS
from sharppower.store import Database
from sharppower.web.actorscores import score_filters
from sharppower.web.auth import current_user
from sharppower.web.lookup import codebook
from sharppower.web.memo import Memo, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
from sharppower.web.routing import cache, page, respond, store

router = APIRouter(tags=["downloads"])
FILTERS = ("actor", "year", "level", "node")  # of index_scores (`index.store.score_filters`)
FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def public_tables(db: Database) -> list[str]:
    return list(datapackage.READERS)


def downloads_data(db: Database, memo=None) -> dict:
    """tables: one row per published table: name, title, rows, columns, fields (the data
    dictionary: name, type, unit, description), each counted and described without reading
    the table (`datapackage.summary`); score_filters: the values an index_scores
    download can be filtered on (actor, year, level, node: each value and its label; None
    before any index run) and score_rows, the whole table's rows."""
    rows = [{"name": name, "title": datapackage.TITLES[name],
             **datapackage.summary(db, name)} for name in public_tables(db)]
    return {"tables": rows, "formats": list(FORMATS), "openapi": "/openapi.json",
            "datapackage": "downloads/datapackage.json",
            "score_filters": score_filter_options(db, memo or no_memo),
            "score_rows": next((t["rows"] for t in rows if t["name"] == "index_scores"), 0),
            "filter_example": "/downloads/index_scores.csv?actor=CHN&year=2020&level=pillar"
                              "&node=pressure"}


def score_filter_options(db: Database, memo: Memo = no_memo) -> dict | None:
    """What `/downloads/index_scores.csv` can keep (`index.store.filter_values`, shared:
    `web.actorscores.score_filters`): per filter the values with labels ({"value": "CHN",
    "label": "China (CHN)"}); None without a run."""
    try:
        held = score_filters(db, memo)
    except NotFound:
        return None
    actors = codebook().actors
    labels = {n["node"]: n["label"] for n in run_nodes(db)}
    order = {lv: i for i, lv in enumerate(LEVELS)}
    nodes = sorted(set(zip(held["level"], held["node"])), key=lambda p: (order[p[0]], p[1]))
    scored = set(held["actor"])
    ordered = [a for a in actors if a in scored] + sorted(scored - set(actors))
    return {"actor": [{"value": a, "label": f"{actors.get(a, a)} ({a})"} for a in ordered],
            "year": [{"value": int(y), "label": str(int(y))} for y in sorted(set(held["year"]))],
            "level": [{"value": lv, "label": lv} for lv in LEVELS if lv in set(held["level"])],
            "node": [{"value": n, "label": f"{labels.get(n, n)} ({lv})"} for lv, n in nodes]}


def read_table(db: Database, name: str, memo=None, private: bool = False) -> pd.DataFrame:
    """A published table as shipped (NotFound for unknown or private tables); `private`:
    the evidence tables as a reviewer sees them."""
    if name not in datapackage.READERS:
        raise NotFound(f"no downloadable table {name!r}: see /downloads.json for the list")
    private = private and name in datapackage.EVIDENCE_TABLES
    if memo is None:
        return datapackage.table(db, name, private=private)
    key = ("download", name, "private") if private else ("download", name)
    return memo(key, lambda: datapackage.table(db, name, private=private))


def may_see_private(request: Request) -> bool:
    """The request carries the token of a user whose role may review (reviewer, admin)."""
    user = current_user(request)
    return user is not None and user.can("evidence.review")


def encode(df: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return datapackage.encode_csv(df)
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


@page(router, "/downloads")
def downloads_page(request: Request):
    """Every published table with its row count and columns, with CSV and Parquet links."""
    memo = cache(request).get
    data = memo(("downloads_page",), lambda: stored_page(
        store(request), "downloads", cache(request).version(), whole=True)
        or downloads_data(store(request), memo))
    return respond(request, "downloads.html", data)


def stored_pages(db: Database, memo) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_profiles`); stamped
    with the whole store version (a review changes the evidence tables' rows)."""
    return {"downloads": downloads_data(db, memo)}


@router.get("/downloads/datapackage.json")
def package_descriptor(request: Request) -> dict:
    """The Frictionless Data Package descriptor of the CSV downloads."""
    db, memo, private = store(request), cache(request).get, may_see_private(request)
    frames = {name: read_table(db, name, memo, private) for name in public_tables(db)}
    return datapackage.descriptor(db, frames, lambda n: f"{n}.csv")


@router.get("/downloads/{name}.{fmt}", response_class=Response,
            responses={200: {"content": {t: {} for t in FORMATS.values()}}})
def download_table(request: Request, name: str, fmt: str, actor: str | None = None,
                   year: int | None = None, level: str | None = None,
                   node: str | None = None):
    """One table as CSV or Parquet; index_scores of one actor, year, level or node with
    `actor=CHN&year=2020&level=pillar&node=pressure` (422 naming a wrong parameter and its
    valid values)."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"{fmt!r} is not offered: csv or parquet")
    filters = {k: v for k, v in (("actor", actor), ("year", year), ("level", level),
                                 ("node", node)) if v is not None}
    private = may_see_private(request) and name in datapackage.EVIDENCE_TABLES
    if filters:
        if name not in datapackage.READERS:
            read_table(store(request), name)  # NotFound, naming the table
        frame = cache(request).get(("download", name, tuple(sorted(filters.items()))),
                                   lambda: datapackage.table(store(request), name,
                                                             filters=filters))
    else:
        frame = read_table(store(request), name, cache(request).get, private)
    stem = "-".join([name, *(str(filters[k]) for k in FILTERS if k in filters)])
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    if private:  # a reviewer's copy: never kept by a shared cache
        headers["Cache-Control"] = "private, no-store"
    return Response(encode(frame, fmt), media_type=FORMATS[fmt], headers=headers)


def write_report_downloads(site) -> None:
    """The report's downloads: the published tables as CSV and Parquet under `downloads/`
    with their `datapackage.json`, and the page listing them."""
    data = downloads_data(site.db, site.remember)
    folder = site.out / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    frames = {}
    for table in data["tables"]:
        frame = frames[table["name"]] = read_table(site.db, table["name"], site.remember)
        table["files"] = {}
        for fmt in data["formats"]:
            (folder / f"{table['name']}.{fmt}").write_bytes(encode(frame, fmt))
            table["files"][fmt] = f"downloads/{table['name']}.{fmt}"
        site.summary.tables.append(table["name"])
    descriptor = datapackage.descriptor(site.db, frames, lambda n: f"{n}.csv")
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    site.write("downloads", "downloads.html", data)


PAGE = Page("/downloads", "Downloads", "downloads.html", nav=80, in_report=True,
            write=write_report_downloads)
