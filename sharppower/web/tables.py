"""Tables of the web layer (migration 0040): users, API tokens and the audit log.

users: name (unique), role (viewer | coder | reviewer | admin), created_at, active.
api_tokens: sha256 of the token (never the token itself), user name, created_at, revoked.
profile_pages (migration 0070): what each country's profile shows from the build's data, as
JSON, stored by `build` for the default year (`sharppower.web.profiles`); `stamp` is the
store's data version it was computed at (`web.cache.data_version`).
page_data (migration 0110): what the default map, weights and downloads pages show, as JSON
keyed by page ("map:CHN"), stored by `build` (`sharppower.web.pages.country.store_profiles`),
stamped with the store version it was computed at (`web.cache`: the data version, or the
whole version for a page showing the evidence ledger) and the fingerprint of its inputs.
audit_log: one row per write attempt through the API: at, user name, role, action
(e.g. ``evidence.propose``), object (id of the record touched), outcome (ok | denied |
error), detail (JSON text).
"""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)

users = sa.Table(
    "web_users",
    meta,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

api_tokens = sa.Table(
    "web_api_tokens",
    meta,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(100), sa.ForeignKey("web_users.name"), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

audit_log = sa.Table(
    "web_audit_log",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", TS, nullable=False),
    sa.Column("user_name", sa.String(100)),
    sa.Column("role", sa.String(20)),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("object", sa.String(200)),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Index("ix_web_audit_at", "at"),
)

profile_pages = sa.Table(
    "web_profile_pages",
    meta,
    sa.Column("target", sa.String(3), primary_key=True),
    sa.Column("stamp", sa.String(60), nullable=False),
    sa.Column("inputs", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("computed_at", TS, nullable=False),
)

page_data = sa.Table(
    "web_page_data",
    meta,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("stamp", sa.String(200), nullable=False),
    sa.Column("inputs", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("computed_at", TS, nullable=False),
)

WEB_TABLES = [users, api_tokens, audit_log, profile_pages, page_data]
PRIVATE_TABLES = {t.name for t in WEB_TABLES}
