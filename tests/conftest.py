"""Shared builders for every test.

- `db`: a fresh, migrated store, once on SQLite and once on PostgreSQL (a throw-away
  schema on SHARPPOWER_TEST_POSTGRES_URL). With SHARPPOWER_REQUIRE_POSTGRES=1 (CI) an
  unreachable server fails the run instead of skipping.
- `conf`: Settings pointing at a temporary data folder and the mirror (if any).
- `mirror`: the local mirror of the public sources (SHARPPOWER_MIRROR); tests that need
  it skip only when the variable is unset outside CI, and fail when it is set but missing.
- `demo_db`: a store built from the starter data, as `sharppower serve --demo` uses.
- `built_store`: one store per test run built from the whole mirror (SQLite), shared by
  the xdist workers: built in the background from collection on (tests/mirror_store.py),
  behind a file lock; the tests that use it run last.
- `run_dir`: a folder shared by the xdist workers of a run (`mirror_store.once` makes
  something there once per run: the triage tests' ledger and models).
- `put`, `fav`: builders of synthetic observations: `put(db, rows, source="synthetic")`
  inserts rows given as dicts; `fav(target, year, value, se=None, actor="CHN")` is one
  att_favorable row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.store.database import insert_rows, normalise_url
from sharppower.store.tables import observations

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


def require_mirror() -> Path:
    """The mirror; skip when SHARPPOWER_MIRROR is unset (outside CI), fail when it is set
    but missing (or unset in CI): missing data must not turn into a skip."""
    if not MIRROR:
        if os.environ.get("CI"):
            pytest.fail("SHARPPOWER_MIRROR must point at the mirror in CI")
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    if not Path(MIRROR).is_dir():
        pytest.fail(f"SHARPPOWER_MIRROR={MIRROR} is not a folder")
    return Path(MIRROR)


@pytest.fixture
def mirror() -> Path:
    return require_mirror()


@pytest.fixture
def conf(tmp_path) -> Settings:
    mirror = Path(MIRROR) if MIRROR and Path(MIRROR).is_dir() else None
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'store.db'}",
                    mirror=mirror, store_profiles=False,  # stored profiles: test_profiles_stored
                    client_budget=0)  # no request budget: test_web_load sets one


def _demo_key(backend: str, conf: Settings) -> tuple:
    """What a starter-data build depends on besides its folders: the backend, the other
    settings and every SHARPPOWER_ variable (a test that sets the codebook gets its own)."""
    rest = replace(conf, data_dir=Path("."), database_url="", mirror=None)
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SHARPPOWER_")))
    return backend, repr(rest), env


@pytest.fixture(scope="session")
def demo_templates():
    """Starter-data stores built once per worker (key: `_demo_key`), copied for each test
    that asks for `demo_db`; the PostgreSQL schemas are dropped when the run ends."""
    templates: dict[tuple, Database] = {}
    cleanups = []
    yield templates, cleanups
    for cleanup in cleanups:
        cleanup()


def _copy_sqlite(template: Database, target: Path) -> None:
    import sqlite3

    src = sqlite3.connect(sa.engine.make_url(template.url).database)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _copy_postgres(template: Database, database: Database) -> None:
    """Every row of the template's schema into the fresh schema of `database` (both made
    by the same migrations), foreign keys' triggers off while copying (the test server's
    role is a superuser, as on this machine kind and in CI), sequences moved on."""
    src, dst = template.schema, database.schema
    with database.begin() as conn:
        columns = conn.execute(sa.text(
            "SELECT table_name, column_name, column_default, is_identity FROM "
            "information_schema.columns WHERE table_schema = :s AND table_name IN (SELECT "
            "table_name FROM information_schema.tables WHERE table_schema = :s AND "
            "table_type = 'BASE TABLE') ORDER BY table_name, ordinal_position"),
            {"s": dst}).all()
        tables: dict[str, list[str]] = {}
        for table, column, _, _ in columns:
            tables.setdefault(table, []).append(f'"{column}"')
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table, cols in tables.items():
            if table == "alembic_version":
                continue
            names = ", ".join(cols)
            conn.execute(sa.text(f'INSERT INTO "{dst}"."{table}" ({names}) '
                                 f'SELECT {names} FROM "{src}"."{table}"'))
        for table, column, default, identity in columns:
            if identity == "YES" or (default or "").startswith("nextval("):
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{dst}\".\"{table}\"', "
                    f"'{column}'), COALESCE(MAX(\"{column}\"), 0) + 1, false) "
                    f'FROM "{dst}"."{table}"'))


def starter_store(backend: str, tmp_path: Path, tmp_path_factory, conf: Settings,
                  demo_templates) -> tuple[Database, object]:
    """A store built from the starter data with `conf` (mirror off): a copy of the one
    built once per worker with the same settings and environment, so a test may write to
    it. Returns (Database, cleanup). The copy is keyed on settings and environment only:
    a test that patches the build's code before it asks for the store builds its own
    (`new_database` and `build`)."""
    from sharppower.build import build

    templates, cleanups = demo_templates
    conf = replace(conf, mirror=None)
    key = _demo_key(backend, conf)
    if key not in templates:
        template, cleanup = new_database(backend, tmp_path_factory.mktemp("demo"))
        build(conf, template)
        if backend == "sqlite":
            template.dispose()
        templates[key] = template
        cleanups.append(cleanup)
    template = templates[key]
    if backend == "sqlite":
        _copy_sqlite(template, tmp_path / "store.db")
    database, cleanup = new_database(backend, tmp_path)
    if backend == "postgres":
        _copy_postgres(template, database)
    return database, cleanup


@pytest.fixture
def demo_db(backend, tmp_path, tmp_path_factory, conf, demo_templates):
    """A store built from the starter data (`starter_store`)."""
    database, cleanup = starter_store(backend, tmp_path, tmp_path_factory, conf, demo_templates)
    yield database
    cleanup()


def _shared_root(config) -> Path:
    """The folder every xdist worker of this run shares (the controller's base temp)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def pytest_collection_modifyitems(config, items):
    """Tests on the mirror-built store run last, and the store is built in the background
    from the start of the run (by the first worker), so no worker waits for it."""
    mirror_tests = [i for i in items if "built_store" in getattr(i, "fixturenames", ())]
    if not mirror_tests or not MIRROR:
        return
    last = set(mirror_tests)
    items[:] = [i for i in items if i not in last] + mirror_tests
    worker = getattr(config, "workerinput", {}).get("workerid", "master")
    if worker in ("master", "gw0") and len(items) > len(mirror_tests):
        root = _shared_root(config) / "built_mirror"
        root.mkdir(exist_ok=True)
        log = open(root / "build.log", "w")  # noqa: SIM115 - the child writes it
        subprocess.Popen([sys.executable, str(Path(__file__).parent / "mirror_store.py"),
                          str(root), MIRROR], stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture(scope="session")
def run_dir(request) -> Path:
    """A folder shared by every xdist worker of this run (for `mirror_store.once`)."""
    return _shared_root(request.config)


@pytest.fixture(scope="session")
def built_store(run_dir):
    """The whole mirror built into SQLite once per test run: (Settings, Database).

    Built by a background process started at collection (tests/mirror_store.py) or, if
    none did, by the first worker that asks; behind a file lock in the folder the xdist
    workers share, so there is one build. Tests only read it (a test that writes copies it)."""
    require_mirror()
    from mirror_store import build_once

    conf = build_once(run_dir / "built_mirror", MIRROR)
    return conf, Database(conf.database_url)


def insert_observations(db, rows, source="synthetic"):
    """Insert observations given as dicts (actor, target, year, indicator, value, ...)."""
    records = []
    for r in rows:
        rec = {"actor": None, "unit": None, "se": None, "ci_low": None, "ci_high": None, "n": None,
               "source": source, "evidence_ids": None, "flags": None, **r}
        for key in ("evidence_ids", "flags"):
            if isinstance(rec[key], list):
                rec[key] = json.dumps(rec[key])
        records.append(rec)
    with db.begin() as conn:
        insert_rows(conn, observations, records)


def favourable_row(target, year, value, se=None, actor="CHN", **kw):
    return {"actor": actor, "target": target, "year": year, "indicator": "att_favorable",
            "value": value, "se": se, **kw}


@pytest.fixture
def put():
    return insert_observations


@pytest.fixture
def fav():
    return favourable_row
