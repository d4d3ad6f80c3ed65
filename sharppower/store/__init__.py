"""The store: one database wrapper (SQLite or PostgreSQL), ordered named migrations."""

from sharppower.store.database import Database

__all__ = ["Database"]
