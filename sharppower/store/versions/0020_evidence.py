"""Evidence ledger: records, actors, adopted codes, independent codings, history, coverage."""

from sharppower.measures.evidence.tables import EVIDENCE_TABLES, meta


def upgrade(conn):
    meta.create_all(conn, tables=EVIDENCE_TABLES)
