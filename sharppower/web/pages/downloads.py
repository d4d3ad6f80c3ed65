"""Downloads: every public table of the store as CSV and Parquet; the OpenAPI description.

Private tables (users, tokens, the audit log) and the migration record are never offered.
"""

from __future__ import annotations

import io

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sharppower.errors import NotFound, ValidationError
from sharppower.store import Database
from sharppower.store.lookups import table_names, table_shape, whole_table
from sharppower.store.migrations import RECORD_TABLES
from sharppower.web.routing import page, respond, store
from sharppower.web.tables import PRIVATE_TABLES

router = APIRouter(tags=["downloads"])
HIDDEN = PRIVATE_TABLES | RECORD_TABLES
FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def public_tables(db: Database) -> list[str]:
    return sorted(n for n in table_names(db) if n not in HIDDEN)


def downloads_data(db: Database) -> dict:
    """One row per table: name, rows, columns."""
    rows = []
    for name in public_tables(db):
        count, cols = table_shape(db, name)
        rows.append({"name": name, "rows": count, "columns": cols})
    return {"tables": rows, "formats": list(FORMATS), "openapi": "/openapi.json"}


def read_table(db: Database, name: str) -> pd.DataFrame:
    """A whole public table as a DataFrame (NotFound for unknown or private tables)."""
    if name not in public_tables(db):
        raise NotFound(f"no downloadable table {name!r}: see /downloads.json for the list")
    return whole_table(db, name)


def encode(df: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return df.to_csv(index=False).encode("utf-8")
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


@page(router, "/downloads")
def downloads_page(request: Request):
    """Every table with its row count and columns, with CSV and Parquet links."""
    return respond(request, "downloads.html", downloads_data(store(request)))


@router.get("/downloads/{name}.{fmt}", response_class=Response,
            responses={200: {"content": {t: {} for t in FORMATS.values()}}})
def download_table(request: Request, name: str, fmt: str):
    """One table as CSV or Parquet."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"{fmt!r} is not offered: csv or parquet")
    body = encode(read_table(store(request), name), fmt)
    return Response(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
