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
from sharppower.store import Database
from sharppower.web.auth import current_user
from sharppower.web.pages import Page
from sharppower.web.routing import cache, page, respond, store

router = APIRouter(tags=["downloads"])
FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def public_tables(db: Database) -> list[str]:
    return list(datapackage.READERS)


def downloads_data(db: Database, memo=None) -> dict:
    """One row per published table: name, title, rows, columns (with descriptions)."""
    rows = []
    for name in public_tables(db):
        frame = read_table(db, name, memo)
        fields = datapackage.schema(name, frame)["fields"]
        rows.append({"name": name, "title": datapackage.TITLES[name], "rows": len(frame),
                     "columns": list(frame.columns), "fields": fields})
    return {"tables": rows, "formats": list(FORMATS), "openapi": "/openapi.json",
            "datapackage": "downloads/datapackage.json"}


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
    return respond(request, "downloads.html", downloads_data(store(request), memo))


@router.get("/downloads/datapackage.json")
def package_descriptor(request: Request) -> dict:
    """The Frictionless Data Package descriptor of the CSV downloads."""
    db, memo, private = store(request), cache(request).get, may_see_private(request)
    frames = {name: read_table(db, name, memo, private) for name in public_tables(db)}
    return datapackage.descriptor(db, frames, lambda n: f"{n}.csv")


@router.get("/downloads/{name}.{fmt}", response_class=Response,
            responses={200: {"content": {t: {} for t in FORMATS.values()}}})
def download_table(request: Request, name: str, fmt: str):
    """One table as CSV or Parquet."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"{fmt!r} is not offered: csv or parquet")
    private = may_see_private(request) and name in datapackage.EVIDENCE_TABLES
    frame = read_table(store(request), name, cache(request).get, private)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
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
