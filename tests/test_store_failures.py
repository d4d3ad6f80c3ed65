"""Issue 24, finding 7 (store part): a store that is read-only or on a full disk is a
one-line error, never a traceback, and is left unchanged. Reading commands and pages keep
working on a read-only SQLite file; writes through the CLI exit 1 with one line, through
the API answer 503 saying why. A full disk is simulated with SQLite's max_page_count
(SQLITE_FULL), PostgreSQL's read-only state with default_transaction_read_only."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_web_support import make_app
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.measures.evidence.ledger import add_evidence
from sharppower.store import Database, database
from sharppower.store.failures import explain

ROOT = Path(__file__).resolve().parents[1]
ADMIN = {"Authorization": "Bearer admin-secret"}
runner = CliRunner()
ADD = ["evidence", "add", "--actor", "CHN", "--target", "KEN", "--start", "2022", "--title",
       "Port deal", "--source-url", "https://example.org/new", "--coder", "bob"]


def _record(rid: str) -> dict:
    return {"id": rid, "actors": ["CHN"], "target": "KEN", "start_date": "2022", "title": rid,
            "sources": [{"url": "https://example.org/" + rid}]}


@pytest.fixture
def read_only_store():
    """An SQLite store with one record, its file and folder readable but not writable by
    the user the CLI runs as (nobody when the tests run as root: root may write anyway)."""
    folder = Path(tempfile.mkdtemp(prefix="sharppower-ro-"))
    path = folder / "store.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    add_evidence(db, _record("ev-kept"), coder="ana")
    db.dispose()
    path.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)
    shutil.rmtree(folder)


def _cli_as_reader(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(path.parent),
           "SHARPPOWER_DATA_DIR": str(path.parent), "SHARPPOWER_DATABASE_URL": f"sqlite:///{path}"}
    drop = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            if os.geteuid() == 0 else [])
    return subprocess.run([*drop, sys.executable, "-c", "from sharppower.cli import app; app()",
                           *args], capture_output=True, text=True, env=env, timeout=300,
                          check=False)


def test_a_read_only_sqlite_store_reads_and_refuses_writes_in_one_line(read_only_store):
    before = hashlib.sha256(read_only_store.read_bytes()).hexdigest()
    listed = _cli_as_reader(read_only_store, "evidence", "list", "--json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert [r["id"] for r in json.loads(listed.stdout)] == ["ev-kept"]
    added = _cli_as_reader(read_only_store, *ADD)
    assert added.returncode == 1 and "Traceback" not in added.stderr + added.stdout
    assert "read-only" in added.stderr and len(added.stderr.strip().splitlines()) <= 3
    assert hashlib.sha256(read_only_store.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in read_only_store.parent.iterdir()) == ["store.db"]


def test_the_server_reads_a_read_only_store_and_answers_writes_503(tmp_path, conf, caplog):
    path = tmp_path / "store.db"
    writable = Database(f"sqlite:///{path}")
    make_app(conf, writable)  # the admin exists
    add_evidence(writable, _record("ev-kept"), coder="ana")
    writable.dispose()
    reader = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    web = TestClient(make_app(conf, reader))
    assert [r["id"] for r in web.get("/evidence.json").json()["records"]] == ["ev-kept"]
    refused = web.post("/api/evidence", json=_record("ev-new"), headers=ADMIN)
    assert refused.status_code == 503 and "read-only" in refused.json()["message"]
    assert refused.headers["x-frame-options"] == "DENY"
    anonymous = web.post("/api/evidence", json=_record("ev-anon"))
    assert anonymous.status_code == 401  # answered; its audit row is logged as not written
    assert any("audit row" in r.getMessage() and "read-only" in r.getMessage()
               for r in caplog.records)
    assert reader.scalar("SELECT COUNT(*) FROM evidence") == 1


def fill_the_disk(monkeypatch) -> None:
    """From now on every new SQLite connection may not grow the file past its current size (SQLite
    answers SQLITE_FULL, "database or disk is full", as on a full disk)."""
    plain = database._sqlite_pragmas

    def pragmas(conn, record):
        plain(conn, record)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")

    monkeypatch.setattr(database, "_sqlite_pragmas", pragmas)


def test_a_full_disk_is_one_line_in_the_cli_and_stores_nothing(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Database(url).upgrade()
    add_evidence(Database(url), _record("ev-kept"), coder="ana")
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path))
    fill_the_disk(monkeypatch)
    narrative = ["--narrative", "x" * 150_000]  # more pages than the file may grow by
    result = runner.invoke(app, [*ADD, *narrative, "--db", url])
    assert result.exit_code == 1 and "full disk" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    listed = runner.invoke(app, ["evidence", "list", "--json", "--db", url])
    assert listed.exit_code == 0 and [r["id"] for r in json.loads(listed.output)] == ["ev-kept"]


def test_a_full_disk_answers_503_through_the_api(tmp_path, conf, monkeypatch):
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    app_ = make_app(conf, db)
    fill_the_disk(monkeypatch)
    db = Database(db.url)  # its connections meet the full disk
    app_.state.db = db
    big = {**_record("ev-big"), "narrative": "x" * 150_000}
    answer = TestClient(app_).post("/api/evidence", json=big, headers=ADMIN)
    assert answer.status_code == 503 and "full disk" in answer.json()["message"]
    assert db.scalar("SELECT COUNT(*) FROM evidence WHERE id = 'ev-big'") == 0


@pytest.mark.postgres
def test_a_read_only_postgres_store_answers_503(pg_db, conf):
    make_app(conf, pg_db)
    add_evidence(pg_db, _record("ev-kept"), coder="ana")
    pg_db.dispose()
    sa.event.listen(pg_db.engine, "connect", lambda conn, _record: _read_only(conn))
    web = TestClient(make_app(conf, pg_db))
    assert [r["id"] for r in web.get("/evidence.json").json()["records"]] == ["ev-kept"]
    refused = web.post("/api/evidence", json=_record("ev-new"), headers=ADMIN)
    assert refused.status_code == 503 and "read-only" in refused.json()["message"]
    assert pg_db.scalar("SELECT COUNT(*) FROM evidence") == 1


def _read_only(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("SET default_transaction_read_only = on")
    conn.commit()


def test_explain_names_the_cause_and_leaves_other_errors_alone():
    full = sa.exc.OperationalError("INSERT", {}, psycopg.errors.DiskFull("could not extend file"))
    assert explain(full).startswith("the store is on a full disk")
    locked = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert explain(locked) is None
    assert explain(ValueError("a bug")) is None
    try:
        try:
            raise sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError(
                "attempt to write a readonly database"))
        except sa.exc.OperationalError:
            raise RuntimeError("the audit row after it") from None
    except RuntimeError as chained:
        assert explain(chained) is None  # `from None`: not the cause
