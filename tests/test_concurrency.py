"""Issue 12, finding 1 end to end: coder threads PATCH different fields of one record
through a live uvicorn server on 127.0.0.1 (SQLite and PostgreSQL) while a reviewer
accepts it. Fails on any lost update, any history row whose old value is not the value it
replaced, or a reverted review."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import httpx
import pytest
import uvicorn

from sharppower.web.app import create_app

ADMIN = {"Authorization": "Bearer admin-secret"}
RECORD = {"title": "Content deal", "actors": ["CHN"], "target": "SWE", "start_date": "2021-03",
          "narrative": "n", "sources": [{"url": "https://example.org/r", "publisher": "M"}],
          "indicators": ["sp_media_capture"]}
FIELDS = ["title", "narrative", "notes", "confidence", "categories"]
ROUNDS = 5


def _value(field: str, i: int):
    if field == "confidence":
        return ["low", "medium", "high"][i % 3]
    return [f"cat {i}"] if field == "categories" else f"{field} {i}"


@pytest.fixture
def server(db, conf):
    app = create_app(replace(conf, admin_token="admin-secret"), db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def _token(base: str, name: str, role: str) -> dict:
    r = httpx.post(f"{base}/api/users", json={"name": name, "role": role}, headers=ADMIN)
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _parallel(jobs) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job):
        start.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def test_no_lost_update_and_no_reverted_review_on_a_live_server(server):
    base = server
    coders = {f: _token(base, f"coder-{f}", "coder") for f in FIELDS}
    rita = _token(base, "rita", "reviewer")
    rid = httpx.post(f"{base}/api/evidence", json=RECORD, headers=coders["title"]).json()["id"]
    first = httpx.get(f"{base}/api/evidence/{rid}").json()

    def editor(field):
        def job():
            with httpx.Client(base_url=base, headers=coders[field], timeout=60) as c:
                for i in range(ROUNDS):
                    r = c.patch(f"/api/evidence/{rid}", json={field: _value(field, i)})
                    assert r.status_code == 200, r.text
        return job

    def reviewer():
        time.sleep(0.05)
        r = httpx.post(f"{base}/api/evidence/{rid}/review", json={"decision": "accept"},
                       headers=rita, timeout=60)
        assert r.status_code == 200, r.text

    # notes are the one minor field: editing them never reopens a review
    _parallel([editor(f) for f in FIELDS])
    rec = httpx.get(f"{base}/api/evidence/{rid}").json()
    for field in FIELDS:
        assert rec[field] == _value(field, ROUNDS - 1), field
    last = {f: first[f] for f in FIELDS}
    updates = [h for h in rec["history"] if h["action"] == "update"]
    assert len(updates) <= len(FIELDS) * ROUNDS
    for h in updates:
        assert h["old_value"] == last[h["field"]], h  # the value actually replaced
        last[h["field"]] = h["new_value"]

    _parallel([editor("notes"), editor("notes"), reviewer])
    rec = httpx.get(f"{base}/api/evidence/{rid}").json()
    assert rec["status"] == "accepted" and rec["reviewed_by"] == "rita"
