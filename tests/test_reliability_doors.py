"""Issue 24: no door around review. Every door to the evidence ledger (API, CLI, CSV/JSON
and STIX import, source loads) goes through the same write rules (measures/evidence/
rules.py), on both backends: findings 1-3 (imports that kept or created `accepted`,
fixed and unknown fields, four eyes), 4 (public downloads), the import part of 7
(tracebacks) and 9 (audit gaps, the revoked admin token, LIKE wildcards)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import new_database
from test_web_support import client, make_app
from typer.testing import CliRunner

from sharppower.analysis import datapackage
from sharppower.cli import app as cli_app
from sharppower.codebook import load_codebook
from sharppower.errors import InputError, ValidationError
from sharppower.measures import evidence as ev
from sharppower.measures.evidence.build import starter_records
from sharppower.measures.evidence.records import evidence_indicators, normalise
from sharppower.measures.evidence.stix import EXTENSION_ID, export_stix, import_stix
from sharppower.measures.evidence.sync import sync_source
from sharppower.web import accounts

ADMIN = {"Authorization": "Bearer admin-secret"}
RECORD = {"id": "ev-x", "title": "Content deal", "actors": ["CHN"], "target": "SWE",
          "start_date": "2021-03", "narrative": "A deal with a broadcaster.",
          "sources": [{"url": "https://example.org/r", "publisher": "Monitor"}],
          "indicators": ["sp_media_capture"]}
runner = CliRunner()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def snapshot(db) -> dict:
    """Everything the ledger holds, to show a refused write changed nothing."""
    return {t: db.read(f"SELECT * FROM {t}").astype(str).to_dict("records")
            for t in ("evidence", "evidence_actors", "evidence_indicators", "evidence_codings",
                      "evidence_history")}


def accepted(db, rid="ev-x", coder="alice", reviewer="rita", **over) -> dict:
    ev.add_evidence(db, {**RECORD, "id": rid, **over}, coder=coder)
    return ev.review(db, rid, "accept", reviewer)


def load_starter(db) -> None:
    cb = load_codebook()
    with db.begin() as conn:
        sync_source(conn, "starter-evidence", starter_records(cb), "starter",
                    evidence_indicators(cb))


@pytest.fixture
def other_db(backend, tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    database, cleanup = new_database(backend, folder)
    yield database
    cleanup()


@pytest.fixture
def api(db, conf):
    return client(make_app(conf, db))


@pytest.fixture
def tokens(api):
    return {name: api.post("/api/users", json={"name": name, "role": role},
                           headers=ADMIN).json()["token"]
            for name, role in [("vera", "viewer"), ("cody", "coder"), ("rita", "reviewer"),
                               ("rex", "reviewer")]}


# --- finding 1: STIX import ----------------------------------------------------------------

def test_stix_import_of_an_edited_accepted_incident_reopens_it(db, tmp_path):
    accepted(db)
    bundle = json.loads(export_stix(db))
    incident = next(o for o in bundle["objects"] if o["type"] == "incident")
    incident["name"] = "Rewritten"
    incident["extensions"][EXTENSION_ID]["target"] = "DEU"
    path = tmp_path / "tamper.json"
    path.write_text(json.dumps(bundle))
    assert import_stix(db, path, coder="mallory")["updated"] == 1
    rec = ev.get_evidence(db, "ev-x")
    assert (rec["title"], rec["target"]) == ("Rewritten", "DEU")
    assert (rec["status"], rec["reviewed_by"], rec["coder"]) == ("proposed", None, "alice")
    assert rec["history"][-1]["action"] == "reopen"


def test_reimporting_our_own_stix_export_changes_nothing(db, tmp_path):
    """Notes are never exported and ASD narratives are withheld: the re-import keeps both
    (it used to blank them) and so leaves accepted records accepted."""
    accepted(db, notes="analyst note")
    cb = load_codebook()
    asd = normalise({**RECORD, "id": "asd-1", "origin": "asd-interference-tracker",
                                "origin_key": "1", "coder": "source:asd",
                                "status": "accepted", "notes": "ASD date"}, cb)
    with db.begin() as conn:
        sync_source(conn, "asd-interference-tracker", [asd], "source:asd",
                    evidence_indicators(cb))
    path = tmp_path / "ours.json"
    path.write_text(export_stix(db))
    assert "A deal with a broadcaster" in path.read_text()  # ours is exported, ASD's not
    before = snapshot(db)
    counts = import_stix(db, path, coder="mallory")
    assert (counts["updated"], counts["unchanged"]) == (0, 2)
    assert snapshot(db) == before


def test_stix_import_cannot_change_a_records_origin(db, tmp_path):
    load_starter(db)
    rid = ev.list_evidence(db)["id"].iloc[0]
    bundle = json.loads(export_stix(db, ids=[rid]))
    incident = next(o for o in bundle["objects"] if o["type"] == "incident")
    incident["name"] = "Rewritten"
    incident["extensions"][EXTENSION_ID]["origin"] = "manual"
    path = tmp_path / "tamper.json"
    path.write_text(json.dumps(bundle))
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        import_stix(db, path, coder="mallory")
    assert err.value.field == "origin" and "tamper.json" in str(err.value)
    assert snapshot(db) == before


# --- finding 2: CSV/JSON import ------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_import_cannot_create_an_accepted_record_without_a_reviewer(db, tmp_path, fmt):
    row = {**RECORD, "status": "accepted", "coder": "starter", "origin": "anything"}
    path = tmp_path / f"rows.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps([row]))
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(row))
        writer.writeheader()
        writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()})
        path.write_text(buf.getvalue())
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert (err.value.field, err.value.row) == ("reviewed_by", 1 if fmt == "json" else 2)
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0


def test_a_reimport_never_accepts_a_record_or_rewrites_its_coder(db, tmp_path):
    ev.add_evidence(db, RECORD, coder="alice")
    data = json.loads(ev.export_text(db, "json"))
    data["records"][0] |= {"status": "accepted", "reviewed_by": "bob"}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(data))
    ev.import_file(db, path, coder="starter")
    rec = ev.get_evidence(db, "ev-x")
    assert (rec["status"], rec["reviewed_by"], rec["coder"]) == ("proposed", None, "alice")
    data["records"][0]["coder"] = "starter"
    path.write_text(json.dumps(data))
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        ev.import_file(db, path, coder="starter")
    assert err.value.field == "coder" and err.value.row == 1
    assert snapshot(db) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_reimporting_an_accepted_record_with_a_new_narrative_reopens_it(db, tmp_path, fmt):
    accepted(db)
    text = ev.export_text(db, fmt).replace("A deal with a broadcaster.", "A rewritten story.")
    path = tmp_path / f"e.{fmt}"
    path.write_text(text, "utf-8")
    assert ev.import_file(db, path, coder="mallory")["updated"] == 1
    rec = ev.get_evidence(db, "ev-x")
    assert (rec["narrative"], rec["status"], rec["reviewed_by"]) == (
        "A rewritten story.", "proposed", None)


def test_a_source_import_still_accepts_by_its_declared_policy(db, other_db, tmp_path):
    load_starter(db)
    assert set(ev.list_evidence(db)["status"]) == {"accepted"}
    path = tmp_path / "starter.json"
    path.write_text(ev.export_text(db, "json"), "utf-8")
    counts = ev.import_file(other_db, path)
    assert counts["inserted"] == len(ev.list_evidence(db))
    assert set(ev.list_evidence(other_db)["status"]) == {"accepted"}


# --- finding 3: fixed, unknown and mistyped fields; four eyes ------------------------------

@pytest.mark.parametrize("body, named", [
    ({"origin": None}, "origin"), ({"origin_key": "x"}, "origin_key"), ({"id": "ev-y"}, "id"),
    ({"coder": "cody"}, "coder"), ({"created_at": "2020-01-01T00:00:00+00:00"}, "created_at"),
    ({"Title": "New", "STATUS": "accepted"}, "Title, STATUS"),
    ({"title": "New", "reviewed_by": "cody"}, "reviewed_by"),
])
def test_patch_of_a_fixed_or_unknown_field_is_a_422_naming_it(api, tokens, db, body, named):
    ev.add_evidence(db, RECORD, coder="alice")
    before = snapshot(db)
    answer = api.patch("/api/evidence/ev-x", json=body, headers=bearer(tokens["cody"]))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == named
    assert snapshot(db) == before


@pytest.mark.parametrize("extra, named", [
    ({"Title": "x"}, "Title"), ({"origin": "asd-interference-tracker"}, "origin"),
    ({"coder": "someone-else"}, "coder"), ({"reviewed_by": "rita"}, "reviewed_by")])
def test_propose_with_a_fixed_or_unknown_field_is_a_422_naming_it(api, tokens, db, extra, named):
    answer = api.post("/api/evidence", json={**RECORD, **extra}, headers=bearer(tokens["cody"]))
    assert answer.status_code == 422 and answer.json()["field"] == named
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0


def test_a_refused_origin_patch_leaves_the_next_source_load_working(api, tokens, db):
    load_starter(db)
    rid = ev.list_evidence(db)["id"].iloc[0]
    answer = api.patch(f"/api/evidence/{rid}", json={"origin": None},
                       headers=bearer(tokens["cody"]))
    assert answer.status_code == 422
    load_starter(db)  # today: UNIQUE constraint failed: evidence.id
    assert ev.get_evidence(db, rid)["origin"] == "starter-evidence"


def test_a_source_load_over_a_record_that_lost_its_origin_is_a_clear_error(db):
    load_starter(db)
    rid = ev.list_evidence(db)["id"].iloc[0]
    with db.begin() as conn:  # a store damaged before fixed fields were refused
        conn.exec_driver_sql(f"UPDATE evidence SET origin = 'manual' WHERE id = '{rid}'")
    with pytest.raises(InputError) as err:
        load_starter(db)
    assert (err.value.row, err.value.field) == (rid, "id") and "'manual'" in str(err.value)


def test_a_reviewer_who_edited_a_record_cannot_accept_it(api, tokens, db):
    cody, rita, rex = (bearer(tokens[n]) for n in ("cody", "rita", "rex"))
    rid = api.post("/api/evidence", json=RECORD, headers=cody).json()["id"]
    assert api.patch(f"/api/evidence/{rid}", json={"title": "Rita's version"},
                     headers=rita).status_code == 200
    refused = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"}, headers=rita)
    assert refused.status_code == 403 and "last edited" in refused.json()["message"]
    assert ev.get_evidence(db, rid)["status"] == "proposed"
    # a notes-only edit is not authorship; another reviewer may accept
    assert api.patch(f"/api/evidence/{rid}", json={"notes": "checked"},
                     headers=rex).status_code == 200
    ok = api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"}, headers=rex)
    assert ok.status_code == 200 and ok.json()["reviewed_by"] == "rex"


def test_cli_review_after_cli_edit_is_refused_for_the_editor(db):
    ev.add_evidence(db, RECORD, coder="alice")
    ev.update_evidence(db, "ev-x", {"confidence": "high"}, coder="rita")
    with pytest.raises(ev.SelfReviewError) as err:
        ev.review(db, "ev-x", "accept", "rita")
    assert err.value.field == "reviewer"
    assert ev.review(db, "ev-x", "accept", "bob")["status"] == "accepted"


# --- finding 4: public downloads -----------------------------------------------------------

FORMULAS = {"title": "=HYPERLINK(\"https://evil.example\",\"x\")", "narrative": "+cmd|' /C calc'!A0"}


def test_public_evidence_csv_is_escaped_accepted_only_and_without_names(api, tokens, db):
    accepted(db, **FORMULAS, notes="reviewer-only note")
    ev.add_evidence(db, {**RECORD, "id": "ev-proposed", "title": "Unreviewed"}, coder="alice")
    public = api.get("/downloads/evidence.csv")
    assert public.status_code == 200
    rows = list(csv.DictReader(io.StringIO(public.text)))
    assert [r["id"] for r in rows] == ["ev-x"]
    assert rows[0]["title"] == "'" + FORMULAS["title"]
    assert rows[0]["narrative"] == "'" + FORMULAS["narrative"]
    assert not {"coder", "reviewed_by", "notes"} & set(rows[0])
    assert "alice" not in public.text and "rita" not in public.text
    children = api.get("/downloads/evidence_actors.csv").text
    assert "ev-proposed" not in children and "ev-x" in children
    for who in ("vera", "cody"):  # a viewer's or coder's token sees the public table
        assert api.get("/downloads/evidence.csv", headers=bearer(tokens[who])).text == public.text
    private = api.get("/downloads/evidence.csv", headers=bearer(tokens["rita"]))
    assert private.headers["cache-control"] == "private, no-store"
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(private.text))}
    assert set(rows) == {"ev-x", "ev-proposed"}
    assert (rows["ev-x"]["coder"], rows["ev-x"]["reviewed_by"]) == ("alice", "rita")
    assert rows["ev-x"]["title"].startswith("'=")
    assert api.get("/downloads/evidence.csv").text == public.text  # not cached across roles


def test_the_static_package_is_escaped_and_public(db, tmp_path):
    accepted(db, **FORMULAS)
    ev.add_evidence(db, {**RECORD, "id": "ev-proposed"}, coder="alice")
    datapackage.write_package(db, tmp_path / "pkg")
    rows = list(csv.DictReader((tmp_path / "pkg" / "evidence.csv").open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["ev-x"] and rows[0]["title"].startswith("'=")
    assert "coder" not in rows[0]


# --- finding 7: import formats never traceback ---------------------------------------------

def stix_file(tmp_path, incident: dict | None = None, **bundle) -> object:
    inc = {"type": "incident", "spec_version": "2.1",
           "id": "incident--8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0db4", "name": "Deepfake",
           "created": "2023-05-02T00:00:00.000Z", "modified": "2023-05-02T00:00:00.000Z",
           "external_references": [{"source_name": "x", "url": "https://example.org/a"}],
           "extensions": {EXTENSION_ID: {"extension_type": "property-extension",
                                         "actors": ["RUS"], "target": "LVA",
                                         "start_date": "2023-05-02", "origin": "stix"}}}
    if incident is not None:
        inc = {k: v for k, v in (inc | incident).items() if v is not ...}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": [inc]} | bundle))
    return path


@pytest.mark.parametrize("change, field", [
    ({"id": ...}, "id"),
    ({"external_references": "https://example.org/a"}, "external_references"),
    ({"labels": "notalist"}, "labels"),
    ({"spec_version": "9.9"}, "spec_version"),
    ({"spec_version": "2.0"}, "spec_version"),
    ({"name": "NUL \x00 inside"}, "title"),
    ({"created": "yesterday"}, "created"),
])
def test_a_bad_stix_incident_names_the_object_and_field(db, tmp_path, change, field):
    path = stix_file(tmp_path, change)
    with pytest.raises(InputError) as err:
        import_stix(db, path, coder="dana")
    assert err.value.field == field and "bundle.json" in str(err.value)
    assert err.value.row is not None
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0


def test_stix_2_0_bundles_and_deep_nesting_are_errors(db, tmp_path):
    with pytest.raises(InputError) as err:
        import_stix(db, stix_file(tmp_path, spec_version="2.0"), coder="dana")
    assert err.value.field == "spec_version"
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for read in (lambda: import_stix(db, deep, coder="dana"), lambda: ev.import_file(db, deep)):
        with pytest.raises(InputError) as err:
            read()
        assert "deep.json" in str(err.value) and "nested" in str(err.value)
    assert import_stix(db, stix_file(tmp_path), coder="dana")["inserted"] == 1


def test_a_csv_row_with_extra_fields_or_a_nul_names_row_and_field(db, tmp_path):
    ev.add_evidence(db, RECORD, coder="alice")
    lines = ev.export_text(db, "csv").splitlines()
    path = tmp_path / "extra.csv"
    path.write_text("\n".join([lines[0], lines[1] + ",surplus,more"]) + "\n")
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert (err.value.row, err.value.field) == (2, "(extra fields)")
    path.write_text("\n".join([lines[0], lines[1].replace("Content deal", "Content\x00deal")]))
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert (err.value.row, err.value.field) == (2, "title") and "NUL" in str(err.value)
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([{**RECORD, "id": "ev-n", "coder": "a", "notes": "a\x00b"}]))
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert (err.value.row, err.value.field) == (1, "notes")
    assert snapshot(db) == before


def test_unknown_import_columns_are_named(db, tmp_path):
    path = tmp_path / "typo.json"
    path.write_text(json.dumps([{**RECORD, "coder": "a", "Title": "x", "STATUS": "accepted"}]))
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert (err.value.row, err.value.field) == (1, "Title, STATUS")


def test_a_nul_in_a_new_record_is_a_validation_error(db):
    with pytest.raises(ValidationError) as err:
        ev.add_evidence(db, {**RECORD, "narrative": "a\x00b"}, coder="alice")
    assert err.value.field == "narrative"


# --- finding 9: audit gaps, the admin token, LIKE wildcards --------------------------------

def cli(db, *args):
    from test_evidence_cli import url_of

    return runner.invoke(cli_app, ["evidence", *args, "--db", url_of(db)])


def audit_rows(db) -> list[dict]:
    return db.read("SELECT user_name, action, object, outcome FROM web_audit_log "
                   "WHERE action LIKE 'evidence.%' ORDER BY id").to_dict("records")


def test_a_cli_edit_of_a_missing_id_is_audited(db):
    result = cli(db, "edit", "no-such-id", "--title", "x", "--coder", "eve")
    assert result.exit_code == 1 and "no-such-id" in result.output
    assert audit_rows(db) == [{"user_name": "eve", "action": "evidence.edit",
                               "object": "no-such-id", "outcome": "error"}]


class Crash(BaseException):
    """The process dying right after the write commits (before any later audit call)."""


def test_a_cli_write_is_audited_in_its_own_transaction(db, monkeypatch):
    ev.add_evidence(db, RECORD, coder="alice")

    def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(accounts, "audit", crash)
    for args in (("edit", "ev-x", "--title", "New", "--coder", "bob"),
                 ("review", "ev-x", "--accept", "--coder", "carol"),
                 ("code", "ev-x", "--indicator", "sp_media_capture", "--coder", "dan")):
        result = cli(db, *args)
        assert result.exit_code == 0, result.output
    assert [(r["user_name"], r["action"], r["outcome"]) for r in audit_rows(db)] == [
        ("bob", "evidence.edit", "ok"), ("carol", "evidence.review", "ok"),
        ("dan", "evidence.code", "ok")]
    assert ev.get_evidence(db, "ev-x")["status"] == "accepted"


def test_an_api_write_is_audited_in_its_own_transaction(api, tokens, db, monkeypatch):
    monkeypatch.setattr(accounts, "audit", lambda *a, **k: None)  # the guard's row never comes
    rid = api.post("/api/evidence", json=RECORD, headers=bearer(tokens["cody"])).json()["id"]
    api.post(f"/api/evidence/{rid}/review", json={"decision": "accept"},
             headers=bearer(tokens["rita"]))
    assert audit_rows(db) == [
        {"user_name": "cody", "action": "evidence.propose", "object": rid, "outcome": "ok"},
        {"user_name": "rita", "action": "evidence.review", "object": rid, "outcome": "ok"}]


def test_restarting_with_a_revoked_admin_token_keeps_the_current_one(db, conf):
    first = client(make_app(conf, db, "token-one"))
    assert first.post("/api/users", json={"name": "a1", "role": "coder"},
                      headers=bearer("token-one")).status_code == 201
    second = client(make_app(conf, db, "token-two"))  # rotation: token-one revoked
    assert second.post("/api/users", json={"name": "a2", "role": "coder"},
                       headers=bearer("token-one")).status_code == 401
    assert accounts.ensure_admin(db, "token-one") == accounts.REVOKED_ADMIN
    third = client(make_app(conf, db, "token-one"))  # the old value back in the environment
    assert third.post("/api/users", json={"name": "a3", "role": "coder"},
                      headers=bearer("token-two")).status_code == 201
    assert third.post("/api/users", json={"name": "a4", "role": "coder"},
                      headers=bearer("token-one")).status_code == 401
    refused = db.read("SELECT outcome, detail FROM web_audit_log WHERE action = "
                      "'token.bootstrap' AND outcome = 'refused'")
    assert len(refused) == 2 and "revoked" in refused["detail"].iloc[0]


def test_search_wildcards_are_literal(db):
    ev.add_evidence(db, {**RECORD, "id": "ev-pct", "title": "A 100% fake poll"}, coder="a")
    ev.add_evidence(db, {**RECORD, "id": "ev-und", "title": "The snake_case bot"}, coder="a")
    ev.add_evidence(db, {**RECORD, "id": "ev-esc", "title": "Back\\slash story"}, coder="a")
    assert list(ev.list_evidence(db, q="%")["id"]) == ["ev-pct"]
    assert list(ev.list_evidence(db, q="_")["id"]) == ["ev-und"]
    assert list(ev.list_evidence(db, q="\\")["id"]) == ["ev-esc"]
    assert len(ev.list_evidence(db, q="a")) == 3
