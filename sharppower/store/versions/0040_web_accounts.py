"""Web layer: users with roles, API tokens (hashed) and the audit log of writes."""

from sharppower.web.tables import WEB_TABLES, meta


def upgrade(conn):
    meta.create_all(conn, tables=WEB_TABLES)
