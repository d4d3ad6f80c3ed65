"""Write transactions that serialise writers, and the one-build-at-a-time lock.

- `write_transaction(db)`: a transaction that takes the write lock first. SQLite: `BEGIN
  IMMEDIATE` (writers queue on the database's RESERVED lock, readers go on). PostgreSQL:
  a normal transaction; lock the rows you read with `lock_rows` (`SELECT ... FOR UPDATE`).
  Read, decide and write inside it: nothing another writer commits meanwhile is lost.
- `build_lock(db)`: an advisory lock per store held for a whole build (PostgreSQL
  `pg_try_advisory_lock`, SQLite an exclusive `flock` on `<database>.build.lock`). A
  second build waits up to `wait` seconds, then raises BuildBusy with a clear message.
"""

from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.errors import SharppowerError


class BuildBusy(SharppowerError):
    """Another build holds this store's build lock."""


@contextmanager
def write_transaction(db) -> Iterator[Connection]:
    """A transaction holding the write lock (SQLite) from its first statement; committed
    when the block ends, rolled back on any exception."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def lock_rows(conn: Connection, table: sa.Table, where: sa.ColumnElement) -> list:
    """Lock the matching rows until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
    `BEGIN IMMEDIATE` already locks the whole database); returns their primary keys."""
    stmt = sa.select(*table.primary_key.columns).where(where)
    if conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return list(conn.execute(stmt))


def _key(db, conn=None) -> int:
    """The advisory-lock key of a store: its database and schema (the schema the
    connection really uses, also when a URL sets it through search_path)."""
    schema = getattr(db, "schema", None) or ""
    if conn is not None:
        database, current = conn.execute(
            sa.text("SELECT current_database(), current_schema()")).one()
        schema = f"{database}.{schema or current}"
        conn.rollback()
    return zlib.crc32(f"sharppower-build:{schema}".encode()) & 0x7FFFFFFF


def _sqlite_lock_path(db) -> Path | None:
    path = sa.engine.make_url(db.url).database
    if not path or path == ":memory:":
        return None
    return Path(f"{path}.build.lock")


BUSY = ("another build is running on this store ({where}); wait for it to finish "
        "and run `sharppower build` again")


@contextmanager
def build_lock(db, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's build lock for the block; BuildBusy if another build keeps it
    for longer than `wait` seconds."""
    if db.is_sqlite:
        with _file_lock(db, wait):
            yield
        return
    with db.engine.connect() as conn:
        key = _key(db, conn)
        deadline = time.monotonic() + wait
        while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise BuildBusy(BUSY.format(where=f"PostgreSQL advisory lock {key}"))
            time.sleep(0.2)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


@contextmanager
def _file_lock(db, wait: float) -> Iterator[None]:
    path = _sqlite_lock_path(db)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(path, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildBusy(BUSY.format(where=f"lock file {path}")) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
