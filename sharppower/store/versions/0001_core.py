"""Core tables: countries, actors, indicators, sources, snapshots, observations, build log."""

from sharppower.store.tables import CORE_TABLES, meta


def upgrade(conn):
    meta.create_all(conn, tables=CORE_TABLES)
