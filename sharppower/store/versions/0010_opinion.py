"""Opinion engine tables: estimates, quality findings, toplines, imports."""

from sharppower.measures.opinion.tables import TABLES, meta


def upgrade(conn):
    meta.create_all(conn, tables=TABLES)
