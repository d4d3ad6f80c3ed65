"""Issue 26: the downloads page counts and describes each published table without reading
it (`datapackage.summary`); what it lists must be what a read of the table gives
(`datapackage.table`: rows kept by the allow-lists, columns as shipped, types as read).
Both backends."""

from __future__ import annotations

import sqlalchemy as sa
from test_web_support import add_index_inputs

from sharppower.analysis import datapackage


def as_read(db, name: str) -> dict:
    frame = datapackage.table(db, name)
    return {"rows": len(frame), "columns": list(frame.columns),
            "fields": datapackage.schema(name, frame)["fields"]}


def test_summary_is_what_reading_each_table_gives(demo_db):
    from sharppower.index.build import build_index

    for name in datapackage.READERS:  # before any run: index_scores is empty
        assert datapackage.summary(demo_db, name) == as_read(demo_db, name), name
    add_index_inputs(demo_db)
    build_index(demo_db, runs=20, seed=1)
    for name in datapackage.READERS:
        got = datapackage.summary(demo_db, name)
        assert got == as_read(demo_db, name), name
        assert got["rows"] > 0 or name.startswith("evidence"), name


def test_summary_follows_nulls_and_the_allow_lists(demo_db):
    """An integer column with a NULL reads as numbers; a record not accepted, or from an
    origin whose records may not be published, is not counted (nor its children)."""
    from sharppower.index.build import build_index

    add_index_inputs(demo_db)
    build_index(demo_db, runs=20, seed=1)
    with demo_db.begin() as conn:
        conn.execute(sa.text("UPDATE index_scores SET rank = NULL WHERE target = "
                             "(SELECT MIN(target) FROM index_scores)"))
        conn.execute(sa.text("UPDATE observations SET source = 'cfr-cyber-operations' WHERE id IN "
                             "(SELECT MIN(id) FROM observations)"))
    scores = datapackage.summary(demo_db, "index_scores")
    assert {f["name"]: f["type"] for f in scores["fields"]}["rank"] == "number"
    for name in datapackage.READERS:
        assert datapackage.summary(demo_db, name) == as_read(demo_db, name), name
    kept = datapackage.summary(demo_db, "observations")["rows"]
    with demo_db.connect() as conn:
        every = conn.execute(sa.text("SELECT COUNT(*) FROM observations")).scalar()
    assert kept < every
