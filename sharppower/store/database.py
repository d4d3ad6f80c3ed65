"""The one database wrapper: SQLite (WAL) by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL, foreign keys, normal sync. A file this process may only read keeps its journal
    mode (switching it is a write), so reading commands work on a read-only store; its
    writes then fail with SQLite's "readonly database" (store/failures.py words it)."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _read_only_uri(path: Path) -> str | None:
    """The URI to open an SQLite file this process may read but not write (read-only, and
    immutable when its folder is read-only too and holds no write-ahead log: SQLite could
    not create the WAL index a reader needs), or None for a file it may write."""
    if not path.is_file() or (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return None
    wal = path.with_name(path.name + "-wal")
    immutable = not os.access(path.parent, os.W_OK) and not wal.exists()
    return f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    """Engine plus helpers; every other module reaches the database through this."""

    def __init__(self, url: str, schema: str | None = None):
        self.url = normalise_url(url)
        self.schema = schema
        kwargs: dict[str, Any] = {}
        self.read_only = False
        if self.url.startswith("sqlite"):
            path = sa.engine.make_url(self.url).database
            if path and path != ":memory:" and not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                uri = _read_only_uri(Path(path))
                if uri:
                    self.read_only = True
                    kwargs["creator"] = lambda: sqlite3.connect(
                        uri, uri=True, timeout=30, check_same_thread=False)
            kwargs["connect_args"] = {"timeout": 30}
        elif schema:
            kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back on any exception."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def read(self, sql: str | sa.sql.Executable, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run a query and return a DataFrame (column names as the query gives them)."""
        stmt = sa.text(sql) if isinstance(sql, str) else sql
        with self.engine.connect() as conn:
            result = conn.execute(stmt, dict(params or {}))
            columns = list(result.keys())
            rows = _plain_rows(result)
            return pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), dict(params or {})).scalar()

    def upgrade(self) -> list[str]:
        """Apply pending Alembic revisions in order; return the revision ids applied."""
        if self.at_head():
            return []  # the common case of every command that opens a store
        from sharppower.store.migrations import upgrade

        return upgrade(self)

    def at_head(self) -> bool:
        """Whether the store's version table holds exactly the shipped head revision
        (`store.revision.HEAD`), read without Alembic; False when it has no such table."""
        from sharppower.store.revision import HEAD

        version = sa.table("alembic_version", sa.column("version_num"), schema=self.schema)
        try:
            with self.engine.connect() as conn:
                found = [r[0] for r in conn.execute(sa.select(version.c.version_num))]
        except sa.exc.DBAPIError:
            return False  # a new store, or one of the former runner: Alembic decides
        return found == [HEAD]

    def dispose(self) -> None:
        self.engine.dispose()


COPY_MIN_ROWS = 200  # PostgreSQL: from this many rows on, COPY instead of an executemany


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Bulk insert plain dicts (all with the same keys); returns the count. Set-based: one
    executemany (SQLite), or one COPY ... FROM STDIN on PostgreSQL for many rows (the
    columns' own bind conversions applied first, so values land as an insert would store
    them)."""
    if not rows:
        return 0
    keys = list(rows[0].keys())
    if len(rows) < COPY_MIN_ROWS:
        conn.execute(table.insert(), list(rows))
        return len(rows)
    return insert_tuples(conn, table, keys, [tuple(row[k] for k in keys) for row in rows])


def _plain_rows(result: sa.CursorResult) -> list[tuple]:
    """A result's rows as plain tuples. Where no column has a result processor (text
    queries, and selects of strings, numbers and text on both backends), the driver's
    own rows, as SQLAlchemy would return them: its Row objects and their conversion to
    tuples were 40% of a large read. Plain tuples either way: pandas probes each Row for
    namedtuple fields, a failed key lookup per row in SQLAlchemy (10x slower)."""
    processors = getattr(result._metadata, "_processors", None)
    if result.cursor is not None and processors is not None and not any(processors):
        rows = result.cursor.fetchall()
        result.close()
        return rows
    return [tuple(r) for r in result.fetchall()]


def insert_frame(conn: Connection, table: sa.Table, df: pd.DataFrame) -> int:
    """Bulk insert a DataFrame's rows (its columns named as the table's; NaN/NA -> NULL),
    as `insert_rows` does, without a dict per row."""
    keys = [str(k) for k in df.columns]
    rows = frame_tuples(df)
    if len(rows) < COPY_MIN_ROWS:
        return insert_rows(conn, table, [dict(zip(keys, row)) for row in rows])
    floats = {k for k, dtype in zip(keys, df.dtypes) if dtype.kind == "f"}
    return insert_tuples(conn, table, keys, rows, floats)


def insert_tuples(conn: Connection, table: sa.Table, keys: list[str],
                  rows: Sequence[tuple], floats: set[str] | frozenset = frozenset()) -> int:
    """Bulk insert tuples of the columns `keys` (the set-based paths of `insert_rows`);
    `floats`: keys whose values are Python floats or None already (a Float column's
    conversion to float is skipped for them)."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, keys, rows)
    elif conn.dialect.name == "sqlite":
        _sqlite_rows(conn, table, keys, rows, floats)
    else:
        conn.execute(table.insert(), [dict(zip(keys, row)) for row in rows])
    return len(rows)


def _sqlite_rows(conn: Connection, table: sa.Table, keys: list[str],
                 rows: Sequence[tuple], floats: set[str] | frozenset = frozenset()) -> None:
    """One executemany of plain tuples on the driver's cursor (the columns' bind
    conversions applied), without a per-row pass through SQLAlchemy's parameter handling."""
    prep = conn.dialect.identifier_preparer
    procs = [None if k in floats and isinstance(table.c[k].type, sa.Float)
             else table.c[k].type._cached_bind_processor(conn.dialect) for k in keys]
    sql = (f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.quote(k) for k in keys)}) "
           f"VALUES ({', '.join('?' * len(keys))})")
    params = rows if all(p is None for p in procs) else [
        tuple(v if p is None or v is None else p(v) for v, p in zip(row, procs))
        for row in rows]
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _copy_rows(conn: Connection, table: sa.Table, keys: list[str],
               rows: Sequence[tuple]) -> None:
    prep = conn.dialect.identifier_preparer
    procs = [_copy_processor(table.c[k].type, conn.dialect) for k in keys]
    sql = (f"COPY {prep.format_table(table)} ({', '.join(prep.quote(k) for k in keys)}) "
           "FROM STDIN")
    converted = [(i, p) for i, p in enumerate(procs) if p is not None]
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                if converted:
                    row = list(row)
                    for i, p in converted:
                        if row[i] is not None:
                            row[i] = p(row[i])
                copy.write_row(row)
    finally:
        cursor.close()


def _copy_processor(type_: sa.types.TypeEngine, dialect) -> Any:
    """The column's bind conversion, and for integer columns a float holding an integer
    made an int (an INSERT casts 4.0 to 4; COPY's text input would refuse "4.0")."""
    proc = type_._cached_bind_processor(dialect)
    if not isinstance(type_, sa.Integer):
        return proc
    to_int = lambda v: round(v) if isinstance(v, float) else v
    return to_int if proc is None else (lambda v: proc(to_int(v)))


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame -> list of dicts with NaN/NaT/NA turned into None and numpy scalars into
    Python (column by column: `tolist` converts numeric columns in one call)."""
    keys = list(df.columns)
    return [dict(zip(keys, row)) for row in frame_tuples(df)]


def frame_tuples(df: pd.DataFrame) -> list[tuple]:
    """DataFrame -> list of row tuples, converted as `frame_records` converts values."""
    if df.empty:
        return []
    columns = []
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        values = col.tolist()
        if col.dtype == object:
            values = [v.item() if hasattr(v, "item") else v for v in values]
        missing = col.isna().to_numpy()
        if missing.any():
            for j in np.flatnonzero(missing):
                values[j] = None
        columns.append(values)
    return list(zip(*columns))
