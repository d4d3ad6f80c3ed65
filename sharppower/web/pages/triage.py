"""Triage review queue: the evidence records that document triage proposed
(`sharppower.analysis.triage_queue`), most confident first, each with the sentences that
drove each label. Reviewers accept or reject a record on its page (`/evidence/{id}`),
which posts to the ledger's review API (`POST /api/evidence/{id}/review`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sharppower.analysis.triage_queue import queue
from sharppower.errors import ValidationError
from sharppower.store import Database
from sharppower.web.pages import Page
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["triage"])
STATUSES = ("proposed", "accepted", "rejected")
SHOWN = ("id", "title", "actors", "target", "target_name", "period", "indicators", "confidence",
         "confidence_score", "sentences", "scores", "model", "status", "sources", "link")


def triage_data(db: Database, status: str = "proposed", offset: int = 0, limit: int = 50) -> dict:
    """records: triage records of a status, most confident first (confidence_score, the
    sentences behind each indicator, per-label scores, model); total: all of them."""
    if status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    if offset < 0 or not 1 <= limit <= 500:
        raise ValidationError("limit", "offset must be >= 0 and limit between 1 and 500")
    rows = queue(db, status)
    page_rows = [{k: r.get(k) for k in SHOWN} for r in rows[offset:offset + limit]]
    return {"status": status, "total": len(rows), "offset": offset, "limit": limit,
            "statuses": list(STATUSES), "records": page_rows}


@page(router, "/triage")
def triage_page(request: Request, status: str = "proposed", offset: int = 0, limit: int = 50):
    """Records proposed by document triage, most confident first, with their evidence
    sentences; open one to accept or reject it."""
    return respond(request, "triage.html", triage_data(store(request), status, offset, limit))


PAGE = Page("/triage", "Triage", "triage.html", nav=60)
