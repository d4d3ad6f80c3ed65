"""Writing through the API: propose, edit, code and review evidence records.

Every route needs `Authorization: Bearer <token>`; the role decides what is allowed
(coder: propose, edit, code; reviewer: also review; admin: everything). The ledger
enforces the write rules (measures/evidence/rules.py): unknown or fixed fields are a 422
naming them, nobody reviews a record they coded or last edited. Each attempt is kept in
the audit log: a successful write's row in the write's own transaction (so a crash right
after the commit cannot lose it), every refused attempt's by guard.py. Records carry their
version as `ETag`; `If-Match` makes a write conditional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sharppower.measures.evidence import ledger
from sharppower.web import accounts
from sharppower.web.auth import require
from sharppower.web.guard import MAX_AUDIT_PATH, bounded
from sharppower.web.render import clean
from sharppower.web.routing import cache, store

router = APIRouter(tags=["writing"])


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "reject"]
    note: str | None = Field(default=None, max_length=4000)


class Coding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicators: list[str]


def if_match(request: Request) -> str | None:
    """The version named by `If-Match` (an ETag from GET /api/evidence/{id}), or None."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    return value.strip().removeprefix("W/").strip('"')


def written(request: Request, action: str, obj: str | None,
            write: Callable[[str, Callable], dict], status: int = 200) -> JSONResponse:
    """Check the role, run `write(user_name, audit)`; the answer carries the record's ETag.
    `audit(conn, id)` writes the ok row inside the write's transaction (guard.py then
    skips it); guard.py audits every attempt that fails."""
    user = require(request, action)
    if obj:
        request.state.audit_object = obj

    def audit(conn, rid: str | None) -> None:
        accounts.audit_row(conn, user, action, "ok", obj=rid or obj,
                           detail={"status": status,
                                   "path": bounded(request.url.path, MAX_AUDIT_PATH)})
        request.state.audited = True

    result = write(user.name, audit)
    request.state.audit_object = result.get("id", obj)
    cache(request).clear()
    return JSONResponse(clean(result), status_code=status, headers=etag(result))


def etag(record: dict) -> dict[str, str]:
    return {"ETag": f'"{record["version"]}"'} if record.get("version") else {}


@router.get("/api/evidence/{rid}")
def read(request: Request, rid: str) -> JSONResponse:
    """One record with its version as `ETag`; send it back as `If-Match` when you edit or
    review, and a change made meanwhile answers 412 instead of being overwritten."""
    record = ledger.get_evidence(store(request), rid)
    return JSONResponse(clean(record), headers=etag(record))


@router.post("/api/evidence", status_code=201)
def propose(request: Request, record: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """Propose a record (coder, reviewer or admin); it is stored as `proposed`."""
    rid = record.get("id") if isinstance(record.get("id"), str) else None
    return written(request, "evidence.propose", rid,
                   lambda who, audit: ledger.add_evidence(store(request), record, coder=who,
                                                          audit=audit), 201)


@router.patch("/api/evidence/{rid}")
def edit(request: Request, rid: str, changes: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """Change fields of a record (not its status: that is a review). `If-Match: <ETag>`
    refuses the change with 412 when the record changed since you read it. A change to
    any field but notes sends an accepted record back to review."""
    return written(request, "evidence.edit", rid, lambda who, audit: ledger.update_evidence(
        store(request), rid, changes, coder=who, expected_version=if_match(request),
        audit=audit))


@router.post("/api/evidence/{rid}/coding")
def code(request: Request, rid: str, body: Coding) -> JSONResponse:
    """Record your independent coding of a record (for agreement statistics)."""
    return written(request, "evidence.code", rid, lambda who, audit: ledger.code(
        store(request), rid, who, body.indicators, expected_version=if_match(request),
        audit=audit))


@router.post("/api/evidence/{rid}/review")
def review(request: Request, rid: str, body: Review) -> JSONResponse:
    """Accept or reject a record (reviewer or admin; never your own record). `If-Match`
    as for edits."""
    return written(request, "evidence.review", rid, lambda who, audit: ledger.review(
        store(request), rid, body.decision, who, body.note, expected_version=if_match(request),
        audit=audit))
