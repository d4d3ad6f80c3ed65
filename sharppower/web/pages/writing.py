"""Writing through the API: propose, edit, code and review evidence records.

Every route needs `Authorization: Bearer <token>`; the role decides what is allowed
(coder: propose, edit, code; reviewer: also review; admin: everything). The ledger
enforces that nobody reviews their own record. Each attempt is kept in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field

from sharppower.errors import SharppowerError
from sharppower.measures.evidence import ledger
from sharppower.web import accounts
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


def audited(request: Request, action: str, obj: str | None, write: Callable[[str], dict]) -> dict:
    """Check the role, run `write(user_name)`, and log the outcome (ok or error)."""
    user = require(request, action)
    db = store(request)
    try:
        result = write(user.name)
    except SharppowerError as exc:
        accounts.audit(db, user, action, "error", obj=obj, detail={"message": str(exc)})
        raise
    accounts.audit(db, user, action, "ok", obj=result.get("id", obj),
                   detail={"status": result.get("status")})
    cache(request).clear()
    return clean(result)


@router.post("/api/evidence", status_code=201)
def propose(request: Request, record: Annotated[dict[str, Any], Body()]) -> dict:
    """Propose a record (coder, reviewer or admin); it is stored as `proposed`."""
    return audited(request, "evidence.propose", record.get("id"),
                   lambda who: ledger.add_evidence(store(request), record, coder=who))


@router.patch("/api/evidence/{rid}")
def edit(request: Request, rid: str, changes: Annotated[dict[str, Any], Body()]) -> dict:
    """Change fields of a record (not its status: that is a review)."""
    return audited(request, "evidence.propose", rid,
                   lambda who: ledger.update_evidence(store(request), rid, changes, coder=who))


@router.post("/api/evidence/{rid}/coding")
def code(request: Request, rid: str, body: Coding) -> dict:
    """Record your independent coding of a record (for agreement statistics)."""
    return audited(request, "evidence.propose", rid,
                   lambda who: ledger.code(store(request), rid, who, body.indicators))


@router.post("/api/evidence/{rid}/review")
def review(request: Request, rid: str, body: Review) -> dict:
    """Accept or reject a record (reviewer or admin; never your own record)."""
    return audited(request, "evidence.review", rid,
                   lambda who: ledger.review(store(request), rid, body.decision, who, body.note))
