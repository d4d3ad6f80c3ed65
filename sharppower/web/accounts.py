"""Users, roles, bearer tokens and the audit log (library functions; the API calls them).

Roles are ordered: viewer < coder < reviewer < admin. A viewer may read with a token but
write nothing; a coder proposes evidence; a reviewer also reviews; an admin also manages
users and tokens. Tokens are random strings shown once; the store keeps their sha256.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.errors import NotFound, ValidationError
from sharppower.store import Database
from sharppower.web.tables import api_tokens, audit_log, users

ROLES = ("viewer", "coder", "reviewer", "admin")
ACTION_ROLE = {
    "evidence.propose": "coder",
    "evidence.review": "reviewer",
    "audit.read": "reviewer",
    "user.create": "admin",
    "user.list": "admin",
    "token.issue": "admin",
    "token.revoke": "admin",
}


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, action: str) -> bool:
        """True when this user's role reaches the role the action needs."""
        return ROLES.index(self.role) >= ROLES.index(ACTION_ROLE[action])


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError("role", f"must be one of {', '.join(ROLES)}, not {role!r}")


def create_user(db: Database, name: str, role: str, token: str | None = None) -> str:
    """Create (or update the role of) a user and issue a token; returns the token."""
    _check_role(role)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("name", "a user name of 1 to 100 characters is required")
    with db.begin() as conn:
        exists = conn.execute(sa.select(users.c.name).where(users.c.name == name)).first()
        if exists:
            conn.execute(users.update().where(users.c.name == name).values(role=role, active=True))
        else:
            conn.execute(users.insert(), {"name": name, "role": role, "created_at": _now(),
                                          "active": True})
    return issue_token(db, name, token)


def issue_token(db: Database, name: str, token: str | None = None) -> str:
    """A new token for an existing user (or register `token` as theirs); returns it."""
    token = token or secrets.token_urlsafe(32)
    digest = hash_token(token)
    with db.begin() as conn:
        if not conn.execute(sa.select(users.c.name).where(users.c.name == name)).first():
            raise NotFound(f"no user named {name!r}")
        conn.execute(api_tokens.delete().where(api_tokens.c.token_sha256 == digest))
        conn.execute(api_tokens.insert(), {"token_sha256": digest, "user_name": name,
                                           "created_at": _now(), "revoked": False})
    return token


def revoke_token(db: Database, token: str) -> bool:
    with db.begin() as conn:
        result = conn.execute(api_tokens.update()
                              .where(api_tokens.c.token_sha256 == hash_token(token))
                              .values(revoked=True))
    return bool(result.rowcount)


def user_for_token(db: Database, token: str | None) -> User | None:
    """The active user a valid, unrevoked token belongs to, else None."""
    if not token:
        return None
    stmt = (sa.select(users.c.name, users.c.role)
            .join(api_tokens, api_tokens.c.user_name == users.c.name)
            .where(api_tokens.c.token_sha256 == hash_token(token),
                   api_tokens.c.revoked == sa.false(), users.c.active == sa.true()))
    with db.connect() as conn:
        row = conn.execute(stmt).first()
    return User(row.name, row.role) if row else None


def ensure_admin(db: Database, token: str | None) -> None:
    """Register the admin token from the settings (SHARPPOWER_ADMIN_TOKEN) if given."""
    if token and user_for_token(db, token) is None:
        create_user(db, "admin", "admin", token=token)


def list_users(db: Database) -> pd.DataFrame:
    """Columns: name, role, created_at, active, tokens (count of unrevoked tokens)."""
    return db.read(
        "SELECT u.name, u.role, u.created_at, u.active, "
        "(SELECT COUNT(*) FROM web_api_tokens t WHERE t.user_name = u.name "
        "AND t.revoked = :f) AS tokens FROM web_users u ORDER BY u.name", {"f": False})


def audit(db: Database, user: User | None, action: str, outcome: str,
          obj: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Append one row to the audit log (its own transaction, so denials are kept too)."""
    with db.begin() as conn:
        conn.execute(audit_log.insert(), {
            "at": _now(), "user_name": user.name if user else None,
            "role": user.role if user else None, "action": action, "object": obj,
            "outcome": outcome, "detail": json.dumps(detail or {}, default=str)})


def read_audit(db: Database, limit: int = 200) -> pd.DataFrame:
    """Latest audit rows first: id, at, user_name, role, action, object, outcome, detail."""
    stmt = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    return db.read(stmt)
