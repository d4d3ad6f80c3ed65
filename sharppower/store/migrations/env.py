"""Alembic environment: runs the revisions in `versions/` on the store's connection.

The caller (`sharppower.store.migrations`) puts the Database in
`config.attributes["database"]`; `scripts/new_migration.py` adds the models as
`config.attributes["target_metadata"]` for autogenerate. Without a database the store
named by the settings (SHARPPOWER_DATABASE_URL) is used, so `alembic -c ...` works too.
"""

from __future__ import annotations

from alembic import context

from sharppower.store.database import Database


def _database() -> Database:
    db = context.config.attributes.get("database")
    if db is None:
        from sharppower.settings import Settings

        db = Database(Settings.from_env().database_url)
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
