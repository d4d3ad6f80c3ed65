"""Sources page: licence, citation, retrieval time, checksum and row counts of each source."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sharppower.store import Database
from sharppower.web.pages import Page
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["sources"])


def sources_data(db: Database) -> dict:
    df = db.read("SELECT name, title, publisher, url, licence, citation, retrieved_at, "
                 "sha256, rows, starter FROM sources ORDER BY name")
    return {"sources": df.to_dict("records")}


@page(router, "/sources")
def sources_page(request: Request):
    """Sources with licence, citation, retrieval time, checksum and row counts."""
    return respond(request, "sources.html", sources_data(store(request)))


PAGE = Page("/sources", "Sources", "sources.html", nav=90, in_report=True, data=sources_data)
