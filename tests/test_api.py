"""The JSON API: authentication, roles, writing evidence, the audit log, downloads and the
OpenAPI description, on both backends; malformed input answers 4xx, never 500."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from test_web_support import client, make_app

ADMIN = {"Authorization": "Bearer admin-secret"}
RECORD = {
    "title": "State broadcaster content-sharing deal", "actors": ["CHN"], "target": "SWE",
    "start_date": "2021-03", "narrative": "<p>A content-sharing agreement.</p>",
    "sources": [{"url": "https://example.org/report", "publisher": "Example Monitor"}],
    "indicators": ["sp_media_capture"], "confidence": "medium",
}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(demo_db, conf):
    return client(make_app(conf, demo_db))


@pytest.fixture
def tokens(api):
    out = {}
    for name, role in [("vera", "viewer"), ("cody", "coder"), ("cleo", "coder"),
                       ("rita", "reviewer")]:
        r = api.post("/api/users", json={"name": name, "role": role}, headers=ADMIN)
        assert r.status_code == 201, r.text
        out[name] = r.json()["token"]
    return out


def test_without_a_token_nothing_can_be_written(api, demo_db):
    before = demo_db.scalar("SELECT COUNT(*) FROM evidence")
    assert api.post("/api/evidence", json=RECORD).status_code == 401
    assert api.post("/api/evidence", json=RECORD, headers=bearer("guess")).status_code == 401
    r = api.post("/api/evidence/starter-aus-barley-tariffs/review", json={"decision": "reject"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert api.post("/api/users", json={"name": "x", "role": "admin"}).status_code == 401
    assert api.patch("/api/evidence/starter-aus-barley-tariffs", json={"title": "x"}).status_code == 401
    assert demo_db.scalar("SELECT COUNT(*) FROM evidence") == before


def test_me_reports_the_role(api, tokens):
    assert api.get("/api/me", headers=bearer(tokens["rita"])).json() == {"name": "rita",
                                                                         "role": "reviewer"}
    assert api.get("/api/me").status_code == 401


def test_roles_propose_review_and_the_self_review_rule(api, tokens, demo_db):
    assert api.post("/api/evidence", json=RECORD, headers=bearer(tokens["vera"])).status_code == 403
    made = api.post("/api/evidence", json=RECORD, headers=bearer(tokens["cody"]))
    assert made.status_code == 201
    rec = made.json()
    assert rec["status"] == "proposed" and rec["coder"] == "cody" and rec["target"] == "SWE"
    rid = rec["id"]
    # a coder may not review at all; a reviewer may, but never their own record
    r = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"},
                 headers=bearer(tokens["cleo"]))
    assert r.status_code == 403 and "reviewer" in r.json()["message"]
    own = api.post("/api/evidence", json={**RECORD, "title": "Another"},
                   headers=bearer(tokens["rita"])).json()["id"]
    r = api.post(f"/api/evidence/{own}/review", json={"decision": "accept"},
                 headers=bearer(tokens["rita"]))
    assert r.status_code == 403 and "cannot review" in r.json()["message"]
    r = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept", "note": "checked"},
                 headers=bearer(tokens["rita"]))
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    stored = demo_db.read("SELECT status, reviewed_by FROM evidence WHERE id = :i", {"i": rid})
    assert stored.iloc[0].to_dict() == {"status": "accepted", "reviewed_by": "rita"}
    listed = api.get("/evidence.json", params={"target": "SWE", "status": "accepted"}).json()
    assert rid in [x["id"] for x in listed["records"]]


def test_edit_and_coding_need_a_coder(api, tokens):
    rid = api.post("/api/evidence", json=RECORD, headers=bearer(tokens["cody"])).json()["id"]
    r = api.patch(f"/api/evidence/{rid}", json={"title": "Renamed deal"},
                  headers=bearer(tokens["cleo"]))
    assert r.status_code == 200 and r.json()["title"] == "Renamed deal"
    assert api.patch(f"/api/evidence/{rid}", json={"title": "x"},
                     headers=bearer(tokens["vera"])).status_code == 403
    r = api.post(f"/api/evidence/{rid}/coding", json={"indicators": ["sp_info_manipulation"]},
                 headers=bearer(tokens["cleo"]))
    assert r.status_code == 200 and r.json()["codings"]["cleo"] == ["sp_info_manipulation"]


def test_audit_log_keeps_writes_and_denials(api, tokens):
    api.post("/api/evidence", json=RECORD, headers=bearer(tokens["vera"]))
    rid = api.post("/api/evidence", json=RECORD, headers=bearer(tokens["cody"])).json()["id"]
    api.post(f"/api/evidence/{rid}/review", json={"decision": "reject"}, headers=bearer(tokens["rita"]))
    assert api.get("/audit.json", headers=bearer(tokens["cody"])).status_code == 403
    log = api.get("/audit.json", headers=bearer(tokens["rita"])).json()["audit"]
    seen = [(a["user_name"], a["action"], a["outcome"]) for a in log]
    assert ("vera", "evidence.propose", "denied") in seen
    assert ("cody", "evidence.propose", "ok") in seen
    assert ("rita", "evidence.review", "ok") in seen
    assert seen.count(("admin", "user.create", "ok")) == 4
    assert next(a for a in log if a["action"] == "evidence.review")["object"] == rid


def test_admin_manages_users_and_tokens(api, tokens):
    assert api.get("/api/users", headers=bearer(tokens["rita"])).status_code == 403
    users = api.get("/api/users", headers=ADMIN).json()["users"]
    assert {u["name"]: u["role"] for u in users}["cody"] == "coder"
    new = api.post("/api/users/cody/tokens", headers=ADMIN).json()["token"]
    assert api.get("/api/me", headers=bearer(new)).json()["name"] == "cody"
    assert api.post("/api/users/nobody/tokens", headers=ADMIN).status_code == 404
    promoted = api.post("/api/users", json={"name": "cody", "role": "reviewer"}, headers=ADMIN)
    assert api.get("/api/me", headers=bearer(promoted.json()["token"])).json()["role"] == "reviewer"


def test_tokens_are_stored_hashed(api, tokens, demo_db):
    stored = set(demo_db.read("SELECT token_sha256 FROM web_api_tokens")["token_sha256"])
    assert not stored & set(tokens.values())
    assert all(len(h) == 64 for h in stored)


@pytest.mark.parametrize("body, words", [
    (b"{not json", "malformed JSON"),
    (b"[1, 2]", "dict"),
    (b'{"title": "no actors"}', "actors"),
    ((b'{"title": "t", "actors": ["CHN"], "target": "Narnia", "start_date": "2020", '
     b'"sources": [{"url": "https://example.org"}], "indicators": ["sp_media_capture"]}'), "target"),
    ((b'{"title": "t", "actors": ["CHN"], "target": "SWE", "start_date": "2020-13-45", '
     b'"sources": [{"url": "https://example.org"}], "indicators": ["sp_media_capture"]}'), "start_date"),
    ((b'{"title": "t", "actors": ["CHN"], "target": "SWE", "start_date": "2020", '
     b'"sources": [{"url": "https://example.org"}], "indicators": ["no_such_code"]}'), "indicators"),
])
def test_malformed_bodies_are_422_with_the_field(api, tokens, body, words):
    r = api.post("/api/evidence", content=body, headers={**bearer(tokens["cody"]),
                                                         "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert words in r.json()["message"]


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {}, {"decision": "accept", "x": 1}])
def test_bad_review_bodies(api, tokens, body):
    r = api.post("/api/evidence/starter-aus-barley-tariffs/review", json=body,
                 headers=bearer(tokens["rita"]))
    assert r.status_code == 422 and r.json()["message"]


def test_review_of_unknown_record_is_404(api, tokens):
    r = api.post("/api/evidence/nope/review", json={"decision": "accept"}, headers=bearer(tokens["rita"]))
    assert r.status_code == 404 and "nope" in r.json()["message"]


def test_bad_user_bodies(api):
    assert api.post("/api/users", json={"name": "x", "role": "king"}, headers=ADMIN).status_code == 422
    assert api.post("/api/users", json={"role": "coder"}, headers=ADMIN).status_code == 422


def test_downloads_every_public_table_as_csv_and_parquet(api, demo_db):
    listing = api.get("/downloads.json").json()
    names = [t["name"] for t in listing["tables"]]
    assert {"observations", "evidence", "countries", "sources"} <= set(names)
    assert not {"web_users", "web_api_tokens", "web_audit_log", "alembic_version"} & set(names)
    stored = demo_db.read("SELECT * FROM observations ORDER BY id")
    csv = pd.read_csv(io.BytesIO(api.get("/downloads/observations.csv").content))
    parquet = pd.read_parquet(io.BytesIO(api.get("/downloads/observations.parquet").content))
    for frame in (csv, parquet):
        assert len(frame) == len(stored)
        assert list(frame["value"]) == list(stored["value"])
        assert list(frame["target"]) == list(stored["target"])
    counts = {t["name"]: t["rows"] for t in listing["tables"]}
    assert counts["observations"] == len(stored)


def test_openapi_describes_every_json_route(api):
    spec = api.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in ["/map.json", "/country/{code}.json", "/countries.json", "/quadrant.json",
                 "/evidence.json", "/evidence/{rid}.json", "/methodology.json", "/downloads.json",
                 "/sources.json", "/api/evidence", "/api/evidence/{rid}/review", "/api/users",
                 "/api/me", "/audit.json", "/downloads/{name}.{fmt}"]:
        assert path in paths, path
    assert api.get("/docs").status_code == 404  # its page would load scripts from a CDN


def test_every_listed_get_route_answers_json(api, tokens):
    spec = api.get("/openapi.json").json()
    examples = {"code": "AUS", "rid": "starter-aus-barley-tariffs", "name": "countries",
                "fmt": "csv"}
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        url = path.format(**examples)
        r = api.get(url, headers=ADMIN)
        assert r.status_code == 200, (url, r.text[:200])
        if url.endswith(".json") or url.startswith("/api/"):
            assert r.headers["content-type"].startswith("application/json"), url
