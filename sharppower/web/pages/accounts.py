"""Accounts API: who am I, users and tokens (admin), the audit log (reviewer and admin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from sharppower.web import accounts
from sharppower.web.auth import current_user, require
from sharppower.web.errors import Unauthorised
from sharppower.web.render import clean
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["accounts"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "coder", "reviewer", "admin"]


@router.get("/api/me")
def me(request: Request) -> dict:
    """The user and role behind the bearer token."""
    user = current_user(request)
    if user is None:
        raise Unauthorised("no valid token: send `Authorization: Bearer <token>`")
    return {"name": user.name, "role": user.role}


@router.get("/api/users")
def list_users(request: Request) -> dict:
    """Users with their roles and count of active tokens (admin)."""
    require(request, "user.list")
    return clean({"users": accounts.list_users(store(request)).to_dict("records")})


@router.post("/api/users", status_code=201)
def create_user(request: Request, body: NewUser) -> dict:
    """Create a user (or change their role) and return a new token, shown once (admin)."""
    admin = require(request, "user.create")
    token = accounts.create_user(store(request), body.name, body.role)
    accounts.audit(store(request), admin, "user.create", "ok", obj=body.name,
                   detail={"role": body.role})
    return {"name": body.name.strip(), "role": body.role, "token": token}


@router.post("/api/users/{name}/tokens", status_code=201)
def issue_token(request: Request, name: str) -> dict:
    """Issue another token for a user (admin)."""
    admin = require(request, "token.issue")
    token = accounts.issue_token(store(request), name)
    accounts.audit(store(request), admin, "token.issue", "ok", obj=name)
    return {"name": name, "token": token}


@page(router, "/audit")
def audit_page(request: Request, limit: int = 200):
    """The audit log of writes and denied attempts, latest first (reviewer and admin)."""
    require(request, "audit.read")
    rows = accounts.read_audit(store(request), limit=max(1, min(limit, 5000)))
    return respond(request, "audit.html", {"audit": rows.to_dict("records")})
