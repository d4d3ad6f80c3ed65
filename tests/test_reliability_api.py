"""Issue 12 through the HTTP API, on both backends: every write attempt audited (finding 5),
ETag/If-Match (1), tokens revocable and the environment's admin token rotated (4), size
limits and NUL bytes (7, 8), security headers (10)."""

from __future__ import annotations

import json

import pytest
from test_web_support import client, make_app

from sharppower.measures.evidence import ledger

ADMIN = {"Authorization": "Bearer admin-secret"}
RECORD = {"title": "Content deal", "actors": ["CHN"], "target": "SWE", "start_date": "2021-03",
          "sources": [{"url": "https://example.org/r", "publisher": "Monitor"}],
          "indicators": ["sp_media_capture"]}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(db, conf):
    return client(make_app(conf, db))


@pytest.fixture
def tokens(api):
    return {name: api.post("/api/users", json={"name": name, "role": role},
                           headers=ADMIN).json()["token"]
            for name, role in [("vera", "viewer"), ("cody", "coder"), ("rita", "reviewer")]}


def audit_rows(db) -> list[dict]:
    rows = db.read("SELECT user_name, action, object, outcome, detail FROM web_audit_log "
                   "WHERE action LIKE 'evidence.%' ORDER BY id")
    return [dict(r, status=json.loads(r["detail"])["status"]) for r in rows.to_dict("records")]


def test_every_write_attempt_is_audited_whatever_its_outcome(api, tokens, db, monkeypatch):
    cody = bearer(tokens["cody"])
    rid = api.post("/api/evidence", json=RECORD, headers=cody).json()["id"]
    etag = api.get(f"/api/evidence/{rid}").headers["etag"]
    api.patch(f"/api/evidence/{rid}", json={"notes": "n"}, headers=cody)
    attempts = [
        (api.post("/api/evidence", json=RECORD), 401),
        (api.post("/api/evidence", json=RECORD, headers=bearer("guess")), 401),
        (api.post("/api/evidence", json=RECORD, headers=bearer(tokens["vera"])), 403),
        (api.post(f"/api/evidence/{rid}/review", content=b"{bad", headers=cody), 422),
        (api.post("/api/evidence", json={**RECORD, "target": "Narnia"}, headers=cody), 422),
        (api.patch(f"/api/evidence/{rid}", json={"title": "late"},
                   headers={**cody, "If-Match": etag}), 412),
        (api.patch("/api/evidence/nope", json={"title": "x"}, headers=cody), 404),
        (api.post("/api/evidence", content=b"{" + b" " * 1_200_000 + b"}",
                  headers={**cody, "Content-Type": "application/json"}), 413),
    ]
    monkeypatch.setattr(ledger, "add_evidence", lambda *a, **k: 1 / 0)
    attempts.append((api.post("/api/evidence", json=RECORD, headers=cody), 500))
    assert [r.status_code for r, _ in attempts] == [s for _, s in attempts]
    rows = audit_rows(db)
    assert [r["status"] for r in rows] == [201, 200] + [s for _, s in attempts]
    assert rows[0]["object"] == rid and rows[0]["outcome"] == "ok"
    by_status = {r["status"]: r for r in rows}
    assert not isinstance(by_status[401]["user_name"], str)  # anonymous
    assert by_status[401]["outcome"] == "denied"
    assert by_status[403]["user_name"] == "vera" and by_status[403]["outcome"] == "denied"
    assert by_status[412]["user_name"] == "cody" and by_status[412]["object"] == rid
    assert by_status[412]["action"] == "evidence.edit" and by_status[412]["outcome"] == "error"
    assert by_status[500]["outcome"] == "error"
    assert attempts[-1][0].json()["error"] == "InternalError"


def test_if_match_refuses_a_stale_version(api, tokens):
    cody, rita = bearer(tokens["cody"]), bearer(tokens["rita"])
    rid = api.post("/api/evidence", json=RECORD, headers=cody).json()["id"]
    first = api.get(f"/api/evidence/{rid}")
    assert first.headers["etag"] == f'"{first.json()["version"]}"'
    ok = api.patch(f"/api/evidence/{rid}", json={"notes": "x"},
                   headers={**cody, "If-Match": first.headers["etag"]})
    assert ok.status_code == 200 and ok.headers["etag"] != first.headers["etag"]
    stale = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"},
                     headers={**rita, "If-Match": first.headers["etag"]})
    assert stale.status_code == 412 and "changed" in stale.json()["message"]
    fresh = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"},
                     headers={**rita, "If-Match": ok.headers["etag"]})
    assert fresh.status_code == 200 and fresh.json()["status"] == "accepted"


def test_revoked_and_deactivated_tokens_stay_dead_across_restarts(api, tokens, db, conf):
    assert api.delete("/api/users/cody/tokens", headers=ADMIN).json()["revoked"] == 1
    assert api.post("/api/users/rita/deactivate", headers=ADMIN).status_code == 200
    restarted = client(make_app(conf, db))
    for name in ("cody", "rita"):
        assert restarted.get("/api/me", headers=bearer(tokens[name])).status_code == 401
    assert api.post("/api/tokens/revoke", json={"token": tokens["vera"]},
                    headers=bearer(tokens["vera"])).status_code == 403
    assert restarted.get("/api/me", headers=bearer(tokens["vera"])).status_code == 200


def test_the_environment_admin_token_is_bootstrapped_once_and_rotates(db, conf):
    first = client(make_app(conf, db, admin_token="first-secret"))
    assert first.get("/api/me", headers=bearer("first-secret")).json()["role"] == "admin"
    rotated = client(make_app(conf, db, admin_token="second-secret"))
    assert rotated.get("/api/me", headers=bearer("second-secret")).status_code == 200
    assert rotated.get("/api/me", headers=bearer("first-secret")).status_code == 401
    back = client(make_app(conf, db, admin_token="first-secret"))  # an old value never returns
    assert back.get("/api/me", headers=bearer("first-secret")).status_code == 401
    # ... nor revokes the current one (issue 24): the admin keeps working
    assert back.get("/api/me", headers=bearer("second-secret")).status_code == 200
    assert back.post("/api/tokens/revoke", json={"token": "second-secret"},
                     headers=bearer("second-secret")).status_code == 200
    again = client(make_app(conf, db, admin_token="second-secret"))
    assert again.get("/api/me", headers=bearer("second-secret")).status_code == 401
    notes = db.read("SELECT outcome, detail FROM web_audit_log WHERE action = 'token.bootstrap'")
    assert list(notes["outcome"]) == ["ok", "ok", "refused", "refused"]
    assert all("sha256" in d for d in notes["detail"])
    stored = set(db.read("SELECT token_sha256 FROM web_api_tokens")["token_sha256"])
    assert not stored & {"first-secret", "second-secret"}


@pytest.mark.parametrize("send, status", [
    (lambda a, h: a.get("/evidence.json", params={"q": "x" * 50_001}), 422),
    (lambda a, h: a.get("/evidence.json", params={"q": "a\x00b"}), 422),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "title": "t\x00"}, headers=h), 422),
    (lambda a, h: a.post("/api/users", json={"name": "n\x00", "role": "coder"}, headers=ADMIN), 422),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "title": "x" * 5_000_000}, headers=h), 413),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "narrative": "x" * 300_000}, headers=h), 422),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "title": "x" * 600}, headers=h), 422),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "start_date": "0001-01-01"}, headers=h), 422),
    (lambda a, h: a.post("/api/evidence", json={**RECORD, "start_date": "9999-12-31"}, headers=h), 422),
])
def test_limits_and_nul_bytes_answer_4xx_and_store_nothing(api, tokens, db, send, status):
    response = send(api, bearer(tokens["cody"]))
    assert response.status_code == status, response.text
    assert response.json()["message"]
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0


@pytest.mark.parametrize("path", ["/", "/evidence", "/evidence.json", "/nowhere",
                                  "/static/charts.js", "/openapi.json"])
def test_security_headers_on_every_response(api, path):
    response = api.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "default-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert api.post("/api/evidence", json=RECORD).headers["x-frame-options"] == "DENY"


def test_the_review_form_sends_the_version_it_shows(api, tokens):
    rid = api.post("/api/evidence", json=RECORD, headers=bearer(tokens["cody"])).json()["id"]
    version = api.get(f"/api/evidence/{rid}").json()["version"]
    assert f'data-version="{version}"' in api.get(f"/evidence/{rid}").text
    script = api.get("/static/write.js").text
    assert "If-Match" in script and "data-version" in script
