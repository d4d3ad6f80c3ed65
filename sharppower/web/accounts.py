"""Users, roles, bearer tokens and the audit log (library functions; the API calls them).

Roles are ordered: viewer < coder < reviewer < admin. A viewer may read with a token but
write nothing; a coder proposes evidence; a reviewer also reviews; an admin also manages
users and tokens. Tokens are random strings shown once; the store keeps their sha256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.errors import NotFound, ValidationError
from sharppower.store import Database
from sharppower.store.locking import write_transaction
from sharppower.web.tables import api_tokens, audit_log, users

log = logging.getLogger(__name__)

ROLES = ("viewer", "coder", "reviewer", "admin")
ACTION_ROLE = {
    "evidence.propose": "coder",
    "evidence.edit": "coder",
    "evidence.code": "coder",
    "evidence.review": "reviewer",
    "audit.read": "reviewer",
    "user.create": "admin",
    "user.list": "admin",
    "token.issue": "admin",
    "token.revoke": "admin",
    "user.deactivate": "admin",
}
BOOTSTRAP = "token.bootstrap"  # audit action noting the admin token taken from the environment
ADMIN = "admin"


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
    with write_transaction(db) as conn:
        exists = conn.execute(sa.select(users.c.name).where(users.c.name == name)).first()
        if exists:
            conn.execute(users.update().where(users.c.name == name).values(role=role, active=True))
        else:
            conn.execute(users.insert(), {"name": name, "role": role, "created_at": _now(),
                                          "active": True})
    return issue_token(db, name, token)


def issue_token(db: Database, name: str, token: str | None = None) -> str:
    """A new token for an existing user (or register `token` as theirs); returns it.
    A token once revoked is never accepted again (ValidationError)."""
    token = token or secrets.token_urlsafe(32)
    with write_transaction(db) as conn:
        _insert_token(conn, name, hash_token(token))
    return token


def _insert_token(conn, name: str, digest: str) -> None:
    if not conn.execute(sa.select(users.c.name).where(users.c.name == name)).first():
        raise NotFound(f"no user named {name!r}")
    if conn.execute(sa.select(api_tokens.c.token_sha256)
                    .where(api_tokens.c.token_sha256 == digest)).first():
        raise ValidationError("token", "this token is already registered (or was revoked); "
                              "issue a new one")
    conn.execute(api_tokens.insert(), {"token_sha256": digest, "user_name": name,
                                       "created_at": _now(), "revoked": False})


def revoke_token(db: Database, token: str) -> bool:
    """Revoke one token (by its value); True when it existed and was active."""
    with write_transaction(db) as conn:
        result = conn.execute(api_tokens.update()
                              .where(api_tokens.c.token_sha256 == hash_token(token),
                                     api_tokens.c.revoked == sa.false())
                              .values(revoked=True))
    return bool(result.rowcount)


def revoke_tokens(db: Database, name: str) -> int:
    """Revoke every token of a user; returns how many were active."""
    with write_transaction(db) as conn:
        _require_user(conn, name)
        result = conn.execute(api_tokens.update()
                              .where(api_tokens.c.user_name == name,
                                     api_tokens.c.revoked == sa.false())
                              .values(revoked=True))
    return int(result.rowcount)


def deactivate_user(db: Database, name: str) -> int:
    """Deactivate a user and revoke their tokens (a deactivated user's tokens never work);
    returns the count of tokens revoked."""
    with write_transaction(db) as conn:
        _require_user(conn, name)
        conn.execute(users.update().where(users.c.name == name).values(active=False))
    return revoke_tokens(db, name)


def _require_user(conn, name: str) -> None:
    if not conn.execute(sa.select(users.c.name).where(users.c.name == name)).first():
        raise NotFound(f"no user named {name!r}")


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


def _bootstrapped(conn) -> set[str]:
    """Digests of the admin tokens earlier runs took from the environment (audit notes)."""
    rows = conn.execute(sa.select(audit_log.c.detail).where(audit_log.c.action == BOOTSTRAP,
                                                            audit_log.c.outcome == "ok"))
    return {json.loads(r.detail or "{}").get("sha256") for r in rows} - {None}


REVOKED_ADMIN = ("SHARPPOWER_ADMIN_TOKEN is a token that was revoked: it stays refused, and "
                 "the admin tokens in use stay valid; set a new value (or unset it) and restart")


def ensure_admin(db: Database, token: str | None) -> str | None:
    """Bootstrap the admin from SHARPPOWER_ADMIN_TOKEN, once: its sha256 is stored and the
    audit log notes it. A new value revokes the value noted before (rotation); a token
    revoked stays revoked, whatever the environment says at the next start. A revoked
    value in the environment (an old one back after a rotation or a revoke) changes
    nothing: it is not accepted, the current admin token is not revoked, the audit log
    notes the refusal (action token.bootstrap, outcome refused) and the returned message
    (also logged as a warning) says so. Returns None otherwise."""
    if not token:
        return None
    digest = hash_token(token)
    with write_transaction(db) as conn:
        revoked = conn.execute(sa.select(api_tokens.c.revoked)
                               .where(api_tokens.c.token_sha256 == digest)).scalar()
        if revoked:
            audit_row(conn, None, BOOTSTRAP, "refused", obj=ADMIN,
                      detail={"sha256": digest, "reason": REVOKED_ADMIN})
            log.warning(REVOKED_ADMIN)
            return REVOKED_ADMIN
        for old in _bootstrapped(conn) - {digest}:
            done = conn.execute(api_tokens.update().where(api_tokens.c.token_sha256 == old,
                                                          api_tokens.c.revoked == sa.false())
                                .values(revoked=True)).rowcount
            if done:
                audit_row(conn, None, "token.revoke", "ok", obj=ADMIN,
                          detail={"reason": "SHARPPOWER_ADMIN_TOKEN changed", "sha256": old})
        if digest in _bootstrapped(conn):
            return None
        known = conn.execute(sa.select(api_tokens.c.user_name)
                             .where(api_tokens.c.token_sha256 == digest)).first()
        if known is None:
            if not conn.execute(sa.select(users.c.name).where(users.c.name == ADMIN)).first():
                conn.execute(users.insert(), {"name": ADMIN, "role": "admin",
                                              "created_at": _now(), "active": True})
            _insert_token(conn, ADMIN, digest)
        audit_row(conn, None, BOOTSTRAP, "ok", obj=known.user_name if known else ADMIN,
                  detail={"sha256": digest, "source": "SHARPPOWER_ADMIN_TOKEN"})
    return None


def list_users(db: Database) -> pd.DataFrame:
    """Columns: name, role, created_at, active, tokens (count of unrevoked tokens)."""
    return db.read(
        "SELECT u.name, u.role, u.created_at, u.active, "
        "(SELECT COUNT(*) FROM web_api_tokens t WHERE t.user_name = u.name "
        "AND t.revoked = :f) AS tokens FROM web_users u ORDER BY u.name", {"f": False})


def _clip(value: Any, limit: int) -> Any:
    """Text fit for any backend: no NUL bytes (PostgreSQL refuses them), at most `limit`."""
    return None if value is None else str(value).replace("\x00", "\\0")[:limit]


def audit_row(conn, user: User | str | None, action: str, outcome: str,
              obj: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """One audit row inside the caller's transaction. `user` is a User, a name (the CLI)
    or None (anonymous)."""
    name = user.name if isinstance(user, User) else user
    role = user.role if isinstance(user, User) else None
    text = json.dumps(detail or {}, default=str).replace("\\u0000", "\\\\0")
    conn.execute(audit_log.insert(), {
        "at": _now(), "user_name": _clip(name, 100), "role": _clip(role, 20),
        "action": _clip(action, 60), "object": _clip(obj, 200), "outcome": _clip(outcome, 20),
        "detail": text[:20000]})


def audit(db: Database, user: User | str | None, action: str, outcome: str,
          obj: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Append one row to the audit log (its own transaction, so denials are kept too)."""
    with write_transaction(db) as conn:
        audit_row(conn, user, action, outcome, obj, detail)


def read_audit(db: Database, limit: int = 200) -> pd.DataFrame:
    """Latest audit rows first: id, at, user_name, role, action, object, outcome, detail."""
    stmt = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    return db.read(stmt)
