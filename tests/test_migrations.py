"""Alembic migrations: every revision from empty equals the models; old stores are adopted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sharppower.models import model_metadata, table_modules
from sharppower.store.migrations import (
    LEGACY_TABLE,
    VERSION_TABLE,
    MigrationError,
    applied,
    config,
    revisions,
    script,
    upgrade,
)
from sharppower.store.tables import observations

OLD_NAMES = ["0001_core", "0010_opinion", "0020_evidence", "0030_index", "0040_web_accounts"]


def _differences(db) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, model_metadata())
    return [d for d in diff if not _is_record_table(d)]


def _is_record_table(diff) -> bool:
    return diff[0] == "remove_table" and diff[1].name in {VERSION_TABLE, LEGACY_TABLE}


def _tables(db) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names(schema=db.schema))


def test_one_chain_with_a_single_head():
    from sharppower.store.revision import HEAD

    assert len(script().get_heads()) == 1
    assert revisions()[:5] == OLD_NAMES
    # the head a store at it is recognised by without loading Alembic (Database.at_head)
    assert script().get_heads() == [HEAD], "set sharppower/store/revision.py HEAD"


def test_a_store_at_the_head_is_known_without_alembic_and_others_are_upgraded(db):
    """`Database.upgrade()` reads the version table first: at the head, nothing to do;
    behind it (or without the table) Alembic applies what is missing."""
    assert db.at_head() and db.upgrade() == []
    version = sa.table(VERSION_TABLE, sa.column("version_num"), schema=db.schema)
    # the last revision adds the observations' year index (a later one: undo what it does
    # instead)
    assert revisions()[-1] == "0130_observations_year", (
        "this test undoes the last revision by hand")
    obs = sa.Table("observations", sa.MetaData(), sa.Column("year"), schema=db.schema)
    with db.begin() as conn:  # as if the last revision were not applied yet
        conn.execute(sa.update(version).values(version_num=revisions()[-2]))
        sa.Index("ix_obs_year", obs.c.year).drop(conn)
    assert not db.at_head()
    assert db.upgrade() == [revisions()[-1]] and db.at_head()
    indexes = {i["name"]: i["column_names"]
               for i in sa.inspect(db.engine).get_indexes("observations", schema=db.schema)}
    assert indexes.get("ix_obs_year") == ["year"]


def test_every_layer_declares_tables_the_migrations_create():
    assert {"sharppower.store.tables", "sharppower.measures.opinion.tables",
            "sharppower.measures.evidence.tables", "sharppower.index.tables",
            "sharppower.web.tables"} <= set(table_modules())


def test_migrations_from_empty_match_the_models(db):
    # `db` is already upgraded from empty (conftest): nothing pending, no difference.
    assert applied(db) == revisions()
    assert db.upgrade() == []
    assert _differences(db) == []
    assert VERSION_TABLE in _tables(db) and LEGACY_TABLE not in _tables(db)


@pytest.mark.postgres
def test_version_table_and_tables_land_in_the_store_schema(pg_db):
    db = pg_db
    found = db.scalar("SELECT table_schema FROM information_schema.tables "
                      "WHERE table_name = :t AND table_schema = :s",
                      {"t": VERSION_TABLE, "s": db.schema})
    assert found == db.schema
    assert _tables(db) == set(model_metadata().tables) | {VERSION_TABLE}


def test_migrations_are_not_create_all_of_todays_models(db):
    # The frozen DDL of 0001 made observations; the model is what code uses today.
    cols = {c["name"] for c in sa.inspect(db.engine).get_columns("observations", schema=db.schema)}
    assert cols == {c.name for c in observations.columns}


def _old_runner_store(db, names):
    """What the former runner left: tables from create_all plus `schema_migrations` (the
    tables of revisions newer than the runner's last are dropped first)."""
    command.downgrade(config(db), OLD_NAMES[-1])
    with db.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {VERSION_TABLE}"))
        conn.execute(sa.text(f"CREATE TABLE {LEGACY_TABLE} (name VARCHAR(200) PRIMARY KEY, "
                             "applied_at TIMESTAMP NOT NULL)"))
        for name in names:
            conn.execute(sa.text(f"INSERT INTO {LEGACY_TABLE} VALUES (:n, CURRENT_TIMESTAMP)"),
                         {"n": name})


def test_store_of_the_former_runner_is_adopted(db):
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO actors (iso3, name) VALUES ('CHN', 'China')"))
    _old_runner_store(db, OLD_NAMES)
    assert applied(db) == []
    assert upgrade(db) == revisions()[5:]  # only revisions newer than the old runner's
    assert applied(db) == revisions()
    assert LEGACY_TABLE not in _tables(db)
    assert db.scalar("SELECT name FROM actors WHERE iso3 = 'CHN'") == "China"


def test_unknown_legacy_record_is_an_error_naming_it(db):
    _old_runner_store(db, ["0001_core", "0020_evidence"])
    with pytest.raises(MigrationError, match="0001_core, 0020_evidence"):
        upgrade(db)
    assert LEGACY_TABLE in _tables(db)  # nothing changed half-way
