"""Shared builders for every test.

- `db`: a fresh, migrated store, once on SQLite and once on PostgreSQL (a throw-away
  schema on SHARPPOWER_TEST_POSTGRES_URL). With SHARPPOWER_REQUIRE_POSTGRES=1 (CI) an
  unreachable server fails the run instead of skipping.
- `conf`: Settings pointing at a temporary data folder and the mirror (if any).
- `mirror`: the local mirror of the public sources (SHARPPOWER_MIRROR); tests that need
  it skip only when it is absent and not required.
- `demo_db`: a store built from the starter data, as `sharppower serve --demo` uses.
- `built_store`: one store per test worker built from the whole mirror (SQLite).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.store.database import normalise_url

PG_URL = os.environ.get("SHARPPOWER_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("SHARPPOWER_REQUIRE_POSTGRES") == "1"
MIRROR = os.environ.get("SHARPPOWER_MIRROR")


def _pg_available() -> str | None:
    if not PG_URL:
        return "SHARPPOWER_TEST_POSTGRES_URL is not set"
    try:
        engine = sa.create_engine(normalise_url(PG_URL))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - report any connection failure
        return f"cannot connect to {PG_URL}: {exc}"


_PG_PROBLEM = _pg_available()


def pytest_sessionstart(session):
    if REQUIRE_PG and _PG_PROBLEM:
        raise pytest.UsageError(f"PostgreSQL is required for this run but {_PG_PROBLEM}")


def new_database(backend: str, tmp_path: Path):
    """A fresh, migrated Database and a cleanup function."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'store.db'}")
        db.upgrade()
        return db, db.dispose
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(PG_URL, schema=schema)
    db.upgrade()

    def cleanup():
        db.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return db, cleanup


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def pg_db(tmp_path):
    """A fresh, migrated store in a throw-away PostgreSQL schema only (mark the test `postgres`)."""
    database, cleanup = new_database("postgres", tmp_path)
    yield database
    cleanup()


@pytest.fixture
def db(backend, tmp_path):
    database, cleanup = new_database(backend, tmp_path)
    yield database
    cleanup()


@pytest.fixture
def mirror() -> Path:
    if not MIRROR or not Path(MIRROR).is_dir():
        if os.environ.get("CI"):
            pytest.fail("SHARPPOWER_MIRROR must point at the mirror in CI")
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    return Path(MIRROR)


@pytest.fixture
def conf(tmp_path) -> Settings:
    mirror = Path(MIRROR) if MIRROR and Path(MIRROR).is_dir() else None
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'store.db'}",
                    mirror=mirror)


@pytest.fixture
def demo_db(backend, tmp_path, conf):
    from sharppower.build import build

    database, cleanup = new_database(backend, tmp_path)
    build(replace(conf, mirror=None), database)
    yield database
    cleanup()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """The whole mirror built once per worker into SQLite: (Settings, Database)."""
    if not MIRROR:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    from sharppower.build import build

    root = tmp_path_factory.mktemp("built")
    conf = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'store.db'}",
                    mirror=Path(MIRROR))
    database = Database(conf.database_url)
    build(conf, database)
    return conf, database
