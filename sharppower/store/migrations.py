"""Ordered, named migrations recorded in the database.

Each migration is a module in `sharppower/store/versions/` named `NNNN_name.py` with a
function `upgrade(conn)`. They run in name order, each in its own transaction, and the
names applied are kept in the table `schema_migrations`. Stages own their migrations:
0001 core, 0010-0019 opinion, 0020-0029 evidence, 0030-0039 index, 0040-0049 web.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.store import versions

meta = sa.MetaData()
schema_migrations = sa.Table(
    "schema_migrations",
    meta,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    name: str
    upgrade: Callable[[Connection], None]


def discover() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules(versions.__path__):
        if info.name[:4].isdigit():
            module = importlib.import_module(f"{versions.__name__}.{info.name}")
            found.append(Migration(info.name, module.upgrade))
    return sorted(found, key=lambda m: m.name)


MIGRATIONS = discover()


def applied(db) -> list[str]:
    with db.begin() as conn:
        meta.create_all(conn, tables=[schema_migrations])
        return [r[0] for r in conn.execute(sa.select(schema_migrations.c.name))]


def pending(db) -> list[Migration]:
    done = set(applied(db))
    return [m for m in MIGRATIONS if m.name not in done]


def upgrade(db) -> list[str]:
    names = []
    for migration in pending(db):
        with db.begin() as conn:
            migration.upgrade(conn)
            conn.execute(
                schema_migrations.insert(),
                {"name": migration.name, "applied_at": datetime.now(UTC)},
            )
        names.append(migration.name)
    return names
