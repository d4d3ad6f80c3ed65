"""Bearer-token authentication and role checks for the write API.

`require(request, action)` returns the user behind `Authorization: Bearer <token>` when
their role allows `action`. Without a valid token it raises Unauthorised (401); with too
small a role, Forbidden (403). guard.py audits every write attempt, denials included.
"""

from __future__ import annotations

from fastapi import Request

from sharppower.web import accounts
from sharppower.web.accounts import ACTION_ROLE, User
from sharppower.web.errors import Forbidden, Unauthorised


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user(request: Request) -> User | None:
    return accounts.user_for_token(request.app.state.db, bearer_token(request))


def require(request: Request, action: str) -> User:
    """The user behind the token when their role allows `action`; Unauthorised (401) or
    Forbidden (403) otherwise. The audit middleware (guard.py) logs every write attempt,
    these included."""
    user = current_user(request)
    if user is None:
        raise Unauthorised("writing needs a valid token: send `Authorization: Bearer <token>`")
    request.state.audit_user = user
    if not user.can(action):
        raise Forbidden(f"role {user.role!r} may not do {action}: it needs "
                        f"role {ACTION_ROLE[action]!r} or higher")
    return user
