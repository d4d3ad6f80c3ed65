"""The store: one database wrapper (SQLite or PostgreSQL) and its Alembic migrations."""

from sharppower.store.database import Database

__all__ = ["Database"]
