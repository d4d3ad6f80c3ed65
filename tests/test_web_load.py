"""Issue 24, finding 5: load from anonymous clients is bounded. A per-client request budget
(429 with Retry-After, exports cost more), the page cache is emptied only by a successful
write of a known user (never by an anonymous POST), audit rows stay small whatever the
path, and a large STIX export needs a token. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from test_web_support import make_app

from sharppower.measures.evidence.ledger import add_evidence
from sharppower.web import accounts
from sharppower.web.budget import ClientBudget
from sharppower.web.pages import evidence as evidence_page

ADMIN = {"Authorization": "Bearer admin-secret"}


def _record(rid: str) -> dict:
    return {"id": rid, "actors": ["RUS"], "target": "EST", "start_date": "2022", "title": rid,
            "sources": [{"url": "https://example.org/" + rid}]}


def test_budget_refills_with_time_and_says_how_long_to_wait():
    now = [0.0]
    budget = ClientBudget(60, clock=lambda: now[0])  # one a second, 60 at most
    assert [budget.take("a") for _ in range(60)] == [None] * 60
    assert budget.take("a") == 1 and budget.take("b") is None  # b has its own bucket
    assert budget.take("a", cost=10) == 10  # nothing taken by a refusal
    now[0] = 5.0
    assert budget.take("a", cost=5) is None and budget.take("a") == 1
    now[0] = 1000.0
    assert [budget.take("a") for _ in range(60)] == [None] * 60  # never more than a full bucket
    assert budget.take("a") == 1


def test_a_client_over_its_budget_gets_429_and_others_do_not(db, conf):
    app = make_app(replace(conf, client_budget=30), db)
    first, other = TestClient(app), TestClient(app, client=("192.0.2.7", 4000))
    answers = [first.get("/evidence.json").status_code for _ in range(30)]
    assert answers == [200] * 30
    refused = first.get("/evidence.json")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"] == "TooManyRequests"
    assert refused.headers["x-frame-options"] == "DENY"
    before = len(accounts.read_audit(db))
    assert first.post("/api/evidence", json=_record("ev-x")).status_code == 429
    assert len(accounts.read_audit(db)) == before  # a refused request writes nothing
    assert other.get("/evidence.json").status_code == 200
    exports = [other.get("/evidence.stix").status_code for _ in range(3)]
    assert exports[:2] == [200, 200] and exports[2] == 429  # an export takes 10


def test_an_anonymous_post_leaves_the_page_cache_and_a_write_empties_it(db, conf):
    add_evidence(db, _record("ev-one"), coder="ana")
    app = make_app(conf, db)
    web, cache = TestClient(app), app.state.cache
    cache.check_every = 0.0  # read the store version on every use
    cached = cache.get("probe", object)
    for body in ({"id": "ev-anon", "title": "x"}, {"oops": True}):
        assert web.post("/api/evidence", json=body).status_code == 401
    assert web.patch("/api/evidence/ev-one", json={"title": "y"}).status_code == 401
    assert web.post("/api/evidence", json=_record("ev-2"), headers={
        "Authorization": "Bearer wrong"}).status_code == 401
    assert cache.get("probe", object) is cached
    refused = web.post("/api/evidence/ev-missing/review", json={"decision": "accept"},
                       headers=ADMIN)
    assert refused.status_code == 404 and cache.get("probe", object) is cached
    done = web.post("/api/evidence", json=_record("ev-new"), headers=ADMIN)
    assert done.status_code == 201 and cache.get("probe", object) is not cached


def test_audit_rows_stay_small_whatever_the_path(db, conf):
    web = TestClient(make_app(conf, db))
    path = "/api/evidence/" + "a" * 30_000
    assert web.post(path + "/review", json={"decision": "accept"}).status_code == 401
    assert web.post("/nowhere/" + "b" * 30_000, content=b"{}").status_code in (404, 405)
    found = web.post(path + "/review", json={"decision": "accept"}, headers=ADMIN)
    assert found.status_code == 404 and len(found.json()["message"]) > 30_000
    rows = accounts.read_audit(db).head(3)
    for row in rows.itertuples():
        assert len(row.detail) < 2000 and len(row.action) <= 60
        assert "more characters cut]" in json.loads(row.detail)["path"]
    assert json.loads(rows["detail"].iloc[0])["message"].endswith("more characters cut]")


def test_a_large_stix_export_needs_a_token(db, conf, monkeypatch):
    for rid in ("ev-a", "ev-b", "ev-c"):
        add_evidence(db, _record(rid), coder="ana")
    monkeypatch.setattr(evidence_page, "ANONYMOUS_EXPORT", 2)
    web = TestClient(make_app(conf, db))
    anonymous = web.get("/evidence.stix")
    assert anonymous.status_code == 401 and "needs a token" in anonymous.json()["message"]
    narrowed = web.get("/evidence.stix", params={"q": "ev-a"})
    assert narrowed.status_code == 200
    assert [o["name"] for o in narrowed.json()["objects"] if o["type"] == "incident"] == ["ev-a"]
    full = web.get("/evidence.stix", headers=ADMIN)
    assert sum(o["type"] == "incident" for o in full.json()["objects"]) == 3


def test_the_budget_setting_is_read_and_checked(monkeypatch, tmp_path):
    from sharppower.errors import SharppowerError
    from sharppower.settings import Settings

    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHARPPOWER_CLIENT_BUDGET", "42")
    assert Settings.from_env().client_budget == 42
    monkeypatch.delenv("SHARPPOWER_CLIENT_BUDGET")
    assert Settings.from_env().client_budget == 600
    monkeypatch.setenv("SHARPPOWER_CLIENT_BUDGET", "-3")
    with pytest.raises(SharppowerError, match="SHARPPOWER_CLIENT_BUDGET"):
        Settings.from_env()
