"""Alembic environment: runs the revisions in `versions/` on the store's connection.

The caller (`sharppower.store.migrations.config`) puts the Database in
`config.attributes["database"]`; `scripts/new_migration.py` adds the models as
`config.attributes["target_metadata"]` for autogenerate. Run migrations through
`sharppower db upgrade` (or `Database.upgrade()`), not the `alembic` command.
"""

from __future__ import annotations

from alembic import context


def _database():
    db = context.config.attributes.get("database")
    if db is None:
        raise RuntimeError("no store given: run `sharppower db upgrade`")
    return db


def run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported; run them on a store")
    db = _database()
    with db.engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=context.config.attributes.get("target_metadata"),
            version_table_schema=db.schema,
            transaction_per_migration=True,
            render_as_batch=db.is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run()
