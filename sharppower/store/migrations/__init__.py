"""Migrations with Alembic: each revision in `versions/` holds its own frozen DDL.

Revision ids are the old ordered names (`0001_core`, `0010_opinion`, ...), one chain with a
single head. The version table `alembic_version` lives beside the tables (in the store's
PostgreSQL schema when it has one). A store made by the former runner (table
`schema_migrations`) is adopted on the first upgrade: the revision matching its last
applied name is stamped and the old table dropped, in one transaction.

How a new measure (or any layer) adds its migration:

1. Declare the tables in the package's `tables.py` (the models; code reads and writes
   through them). A migration never imports them.
2. Run `python scripts/new_migration.py 0050_media "Media reuse: ..."`: it applies every
   revision to an empty SQLite store, compares with the models of every layer and writes
   `versions/0050_media.py` with the difference as `op.create_table(...)` etc., chained
   onto the single head (`down_revision` = the head at that moment). Read and tidy it:
   the file is frozen from then on; later changes are new revisions.
3. `tests/test_migrations.py` applies every revision from empty on SQLite and PostgreSQL,
   checks there is one head and that autogenerate finds no difference from the models. If
   two engineers chained onto the same head, fix your own `down_revision`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from sharppower.errors import SharppowerError

HERE = Path(__file__).parent
VERSION_TABLE = "alembic_version"
LEGACY_TABLE = "schema_migrations"
RECORD_TABLES = frozenset({VERSION_TABLE, LEGACY_TABLE})


class MigrationError(SharppowerError):
    """The store's migration record does not match the revisions shipped."""


def config(db=None, target_metadata: sa.MetaData | None = None) -> Config:
    """An Alembic Config for this package's revisions, bound to `db` (a Database)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(rev)s")
    cfg.attributes["database"] = db
    cfg.attributes["target_metadata"] = target_metadata
    return cfg


@cache
def script() -> ScriptDirectory:
    """The revisions shipped (read once per process: they do not change while it runs)."""
    return ScriptDirectory.from_config(config())


def revisions() -> list[str]:
    """Every revision id, base first."""
    return [s.revision for s in reversed(list(script().walk_revisions()))]


def applied(db) -> list[str]:
    """Revision ids applied to the store, base first (empty for a new store)."""
    heads = _current_heads(db)
    if not heads:
        return []
    done = {s.revision for s in script().iterate_revisions(heads, "base")}
    return [r for r in revisions() if r in done]


def upgrade(db) -> list[str]:
    """Adopt a store made by the former runner, apply pending revisions; return their ids."""
    adopt_legacy(db)
    before = set(applied(db))
    if before == set(revisions()):
        return []  # up to date: the common case of every command that opens a store
    _upgrade_to_heads(db)
    return [r for r in applied(db) if r not in before]


def _upgrade_to_heads(db) -> None:
    """What `alembic upgrade heads` does, with the revisions read once per process."""
    scripts = script()

    def steps(rev, _context):
        return scripts._upgrade_revs("heads", rev)

    with EnvironmentContext(config(db), scripts, fn=steps, destination_rev="heads"):
        scripts.run_env()


def _current_heads(db) -> tuple[str, ...]:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn, opts=_opts(db)).get_current_heads()


def _opts(db) -> dict:
    return {"version_table_schema": db.schema}


def adopt_legacy(db) -> str | None:
    """Stamp the revision matching `schema_migrations` and drop that table; the revision."""
    names = sa.inspect(db.engine).get_table_names(schema=db.schema)
    if LEGACY_TABLE not in names:
        return None
    with db.begin() as conn:
        done = [r[0] for r in conn.execute(sa.text(f"SELECT name FROM {LEGACY_TABLE}"))]
        revision = _legacy_revision(done)
        context = MigrationContext.configure(conn, opts=_opts(db))
        if revision and not context.get_current_heads():
            context.stamp(script(), revision)
        conn.execute(sa.text(f"DROP TABLE {LEGACY_TABLE}"))
    return revision


def _legacy_revision(done: list[str]) -> str | None:
    """The last revision of the chain when `done` is a prefix of it (the old runner's order)."""
    chain = revisions()
    ordered = sorted(done)
    if ordered != chain[: len(ordered)]:
        raise MigrationError(
            f"{LEGACY_TABLE} lists {', '.join(ordered) or 'nothing'}, which is not the start of "
            f"the known migrations {', '.join(chain)}; upgrade this store by hand")
    return ordered[-1] if ordered else None
