"""Accounts API: who am I, users and tokens (admin: create, issue, revoke, deactivate), the
audit log (reviewer and admin). Every write attempt is audited by guard.py."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from sharppower.web import accounts
from sharppower.web.auth import current_user, require
from sharppower.web.errors import Unauthorised
from sharppower.web.pages import Page
from sharppower.web.render import clean
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["accounts"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "coder", "reviewer", "admin"]


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)


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
    require(request, "user.create")
    request.state.audit_object = body.name
    token = accounts.create_user(store(request), body.name, body.role)
    return {"name": body.name.strip(), "role": body.role, "token": token}


@router.post("/api/users/{name}/tokens", status_code=201)
def issue_token(request: Request, name: str) -> dict:
    """Issue another token for a user (admin)."""
    require(request, "token.issue")
    token = accounts.issue_token(store(request), name)
    return {"name": name, "token": token}


@router.delete("/api/users/{name}/tokens")
def revoke_tokens(request: Request, name: str) -> dict:
    """Revoke every token of a user (admin); revoked tokens never work again."""
    require(request, "token.revoke")
    return {"name": name, "revoked": accounts.revoke_tokens(store(request), name)}


@router.post("/api/tokens/revoke")
def revoke_token(request: Request, body: TokenBody) -> dict:
    """Revoke one token by its value (admin)."""
    require(request, "token.revoke")
    return {"revoked": int(accounts.revoke_token(store(request), body.token))}


@router.post("/api/users/{name}/deactivate")
def deactivate(request: Request, name: str) -> dict:
    """Deactivate a user and revoke their tokens (admin)."""
    require(request, "user.deactivate")
    return {"name": name, "active": False,
            "revoked": accounts.deactivate_user(store(request), name)}


@page(router, "/audit")
def audit_page(request: Request, limit: int = 200):
    """The audit log of writes and denied attempts, latest first (reviewer and admin)."""
    require(request, "audit.read")
    rows = accounts.read_audit(store(request), limit=max(1, min(limit, 5000)))
    return respond(request, "audit.html", {"audit": rows.to_dict("records")})


PAGE = Page("/audit", "Audit log", "audit.html")
