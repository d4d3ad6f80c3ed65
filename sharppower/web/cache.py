"""Per-store-version memo of page computations.

The store's version is the latest row of the build log, of the index runs (`sharppower index
build` stores a run without a build), of the observations and survey estimates (imports
outside a build add rows) and of the successful writes by known users in the audit log
(every write through the API or the CLI leaves an audit row), so a rebuild, a new index
run, an import or an accepted record empties the cache and nothing stale is served, while
an anonymous or refused request (audited too) leaves it alone. `data_version` is every part but the audit log: what
the profiles stored by the build are stamped with. The version is read at most once per `check_every`
seconds (a build in another process shows within that time); writes through this app
call `clear()` at once. Bounded LRU; safe across threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.store import Database

MAX_ENTRIES = 1024


VERSION_QUERIES = (  # cheap: primary-key lookups, and a table of a few rows
    "SELECT MAX(id) FROM build_log",
    "SELECT MAX(created_at) FROM index_runs",  # a new run may reuse a replaced run's id
    "SELECT MAX(id) FROM observations",
    "SELECT MAX(id) FROM opinion_estimates",
    # last, not part of the data version: the latest successful write by a known user (an
    # anonymous or refused request leaves an audit row too, and must not empty the cache);
    # read backwards along the primary key, it stops at the first such row
    ("SELECT id FROM web_audit_log WHERE outcome = 'ok' AND user_name IS NOT NULL "
     "ORDER BY id DESC LIMIT 1"),
)


def store_version(db: Database) -> tuple[Any, ...]:
    """The answers of VERSION_QUERIES: the latest build, index run, observation, survey
    estimate and successful write by a known user."""
    with db.connect() as conn:
        return tuple(conn.execute(sa.text(q)).scalar() for q in VERSION_QUERIES)


def data_version(version: tuple[Any, ...]) -> str:
    """A store version without its audit-log part, as text ('12:3:998731:5120')."""
    return ":".join(str(v) for v in version[:-1])


class ReadOnce(Database):
    """`db` for one pass over a store that nothing changes while the pass reads it (the
    build's stored pages and profiles, `pages.country.store_profiles`): each distinct
    query sent to `read` is answered by the store once and every caller gets its own copy
    of the frame (the stored run's scores of an actor serve the year rule twice and its
    index measure once); everything else is `db`'s own (the same engine)."""

    def __init__(self, db: Database):  # the wrapped store's engine, not a second one
        self.__dict__.update(db.__dict__)
        self._frames: dict[tuple[str, str], pd.DataFrame] = {}

    def read(self, sql, params=None) -> pd.DataFrame:
        stmt = sa.text(sql) if isinstance(sql, str) else sql
        compiled = stmt.compile(self.engine)
        key = (str(compiled), repr({**compiled.params, **dict(params or {})}))
        if key not in self._frames:
            self._frames[key] = super().read(stmt, params)
        return self._frames[key].copy()


class StoreCache:
    def __init__(self, db: Database, max_entries: int = MAX_ENTRIES, check_every: float = 1.0):
        self.db, self.max_entries, self.check_every = db, max_entries, check_every
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._checked = 0.0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def _sync(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        version = store_version(self.db)
        with self._lock:
            self._checked = now
            if version != self._version:
                self._items.clear()
                self._version = version

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for `key` at the current store version, computing it if needed."""
        self._sync()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def version(self) -> tuple[Any, ...]:
        """The store version the cached values belong to."""
        self._sync()
        with self._lock:
            if self._version is None:
                self._version = store_version(self.db)
            return self._version

    def peek(self, key: Hashable) -> Any:
        """The cached value for `key` at the current store version, or None (no compute)."""
        self._sync()
        with self._lock:
            return self._items.get(key)

    def clear(self) -> None:
        """Forget everything and re-read the version on the next use (after a write)."""
        with self._lock:
            self._items.clear()
            self._version = None
            self._checked = 0.0
