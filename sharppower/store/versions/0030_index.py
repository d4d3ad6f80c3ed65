"""Index engine tables: runs, scores with rank intervals, screening, indicators, sensitivity."""

from sharppower.index.tables import TABLES, meta


def upgrade(conn):
    meta.create_all(conn, tables=TABLES)
