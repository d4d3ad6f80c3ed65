"""Writing through the API: propose, edit, code and review evidence records.

Every route needs `Authorization: Bearer <token>`; the role decides what is allowed
(coder: propose, edit, code; reviewer: also review; admin: everything). The ledger
enforces that nobody reviews their own record. Each attempt is kept in the audit log
(guard.py). Records carry their version as `ETag`; `If-Match` makes a write conditional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sharppower.measures.evidence import ledger
from sharppower.web.auth import require
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


def written(request: Request, action: str, obj: str | None, write: Callable[[str], dict],
            status: int = 200) -> JSONResponse:
    """Check the role, run `write(user_name)`; the answer carries the record's ETag.
    guard.py audits the attempt whatever its outcome."""
    user = require(request, action)
    if obj:
        request.state.audit_object = obj
    result = write(user.name)
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
                   lambda who: ledger.add_evidence(store(request), record, coder=who), 201)


@router.patch("/api/evidence/{rid}")
def edit(request: Request, rid: str, changes: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """Change fields of a record (not its status: that is a review). `If-Match: <ETag>`
    refuses the change with 412 when the record changed since you read it. A change to
    any field but notes sends an accepted record back to review."""
    return written(request, "evidence.edit", rid, lambda who: ledger.update_evidence(
        store(request), rid, changes, coder=who, expected_version=if_match(request)))


@router.post("/api/evidence/{rid}/coding")
def code(request: Request, rid: str, body: Coding) -> JSONResponse:
    """Record your independent coding of a record (for agreement statistics)."""
    return written(request, "evidence.code", rid, lambda who: ledger.code(
        store(request), rid, who, body.indicators, expected_version=if_match(request)))


@router.post("/api/evidence/{rid}/review")
def review(request: Request, rid: str, body: Review) -> JSONResponse:
    """Accept or reject a record (reviewer or admin; never your own record). `If-Match`
    as for edits."""
    return written(request, "evidence.review", rid, lambda who: ledger.review(
        store(request), rid, body.decision, who, body.note, expected_version=if_match(request)))
