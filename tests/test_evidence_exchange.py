"""Export and import: CSV and JSON round trips are lossless (history aside), re-import is
field-by-field with history, and a bad row names file, row and field with nothing stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import new_database

from sharppower.errors import InputError
from sharppower.measures import evidence as ev

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"


def fill(db):
    ev.add_evidence(db, {
        "id": "ev-a", "actors": ["CHN", "RUS"], "target": "SRB", "start_date": "2019-03-05",
        "end_date": "2020-07", "title": 'Joint "media" campaign, with commas',
        "narrative": "<p>Line one,\nline two; \"quoted\" – ünïcödé <script>x()</script></p>",
        "sources": [{"url": "https://example.org/a?x=1&y=2", "publisher": "Example, Inc."},
                    {"url": "https://example.net/b"}],
        "categories": ["Information Manipulation", "Malign Finance"],
        "indicators": ["sp_info_manipulation", "sp_malign_finance"], "confidence": "low",
        "notes": "multi\nline"}, coder="alice")
    ev.add_evidence(db, {
        "id": "ev-b", "actors": ["RUS"], "target": "MDA", "start_date": "2014",
        "ongoing": True, "title": "Ongoing subsidies", "sources": ["https://example.org/b"],
        "indicators": []}, coder="bob")
    ev.add_evidence(db, {
        "id": "ev-c", "actors": ["CHN"], "target": "AUS", "start_date": "2020-05-18",
        "start_precision": "month", "end_date": "2020-06-01", "end_precision": "year",
        "title": "Precision kept", "sources": ["https://example.org/c"],
        "indicators": ["sp_economic_coercion"]}, coder="alice")
    ev.code(db, "ev-a", "carol", ["sp_info_manipulation"])
    ev.review(db, "ev-a", "accept", "bob")
    ev.review(db, "ev-c", "reject", "bob")
    ev.update_evidence(db, "ev-b", {"withdrawn_from_source": True}, coder="carol")


@pytest.fixture
def other_db(backend, tmp_path):
    database, cleanup = new_database(backend, tmp_path / "other")
    yield database
    cleanup()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_round_trip_is_lossless(db, other_db, tmp_path, fmt):
    fill(db)
    text = ev.export_text(db, fmt)
    path = tmp_path / f"evidence.{fmt}"
    path.write_text(text, "utf-8")
    assert ev.import_file(other_db, path) == {"inserted": 3, "updated": 0, "unchanged": 0}
    assert ev.export_text(other_db, fmt) == text
    assert ev.export_records(other_db) == ev.export_records(db)
    a = ev.get_evidence(other_db, "ev-a")
    assert a["narrative"] == ev.get_evidence(db, "ev-a")["narrative"]
    assert a["codings"] == {"alice": ["sp_info_manipulation", "sp_malign_finance"],
                            "carol": ["sp_info_manipulation"]}
    assert (a["status"], a["reviewed_by"]) == ("accepted", "bob")
    c = ev.get_evidence(other_db, "ev-c")
    assert (c["start_date"], c["start_precision"], c["end_date"], c["end_precision"]) == (
        "2020-05-18", "month", "2020-06-01", "year")
    b = ev.get_evidence(other_db, "ev-b")
    assert b["ongoing"] and b["end_date"] is None and b["withdrawn_from_source"]
    # importing the same file again changes nothing
    assert ev.import_file(other_db, path) == {"inserted": 0, "updated": 0, "unchanged": 3}
    assert ev.export_text(other_db, fmt) == text


def test_json_and_csv_carry_the_same_records(db, other_db, tmp_path):
    fill(db)
    path = tmp_path / "e.csv"
    path.write_text(ev.export_text(db, "csv"), "utf-8")
    ev.import_file(other_db, path)
    assert ev.export_text(other_db, "json") == ev.export_text(db, "json")
    exported = json.loads(ev.export_text(db, "json"))
    assert exported["format"] == "sharppower-evidence"
    assert [r["id"] for r in exported["records"]] == ["ev-a", "ev-b", "ev-c"]


def test_import_updates_changed_fields_with_history(db, tmp_path):
    fill(db)
    data = json.loads(ev.export_text(db, "json"))
    data["records"][0]["title"] = "Joint campaign (corrected)"
    data["records"][1]["codings"]["dave"] = ["sp_malign_finance"]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data), "utf-8")
    before = {r["id"]: r["updated_at"] for r in ev.export_records(db)}
    assert ev.import_file(db, path, coder="erin") == {"inserted": 0, "updated": 2, "unchanged": 1}
    after = {r["id"]: r["updated_at"] for r in ev.export_records(db)}
    assert after["ev-c"] == before["ev-c"] and after["ev-a"] != before["ev-a"]
    a = ev.get_evidence(db, "ev-a")
    last = [h for h in a["history"] if h["action"] == "import"][-1]
    assert (last["field"], last["old_value"], last["new_value"], last["changed_by"]) == (
        "title", 'Joint "media" campaign, with commas', "Joint campaign (corrected)", "erin")
    # ev-a was accepted: the import's substantive change reopens it, as an edit does
    assert (a["status"], a["reviewed_by"], a["history"][-1]["action"]) == (
        "proposed", None, "reopen")
    assert ev.get_evidence(db, "ev-b")["codings"]["dave"] == ["sp_malign_finance"]


def test_import_yaml_in_the_starter_shape(db, tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(
        "records:\n"
        "  - id: y-1\n    actors: [RUS]\n    target: Latvia\n    start_date: '2016'\n"
        "    ongoing: true\n    title: Compatriot policy grants\n"
        "    sources:\n      - url: https://example.org/lv\n        publisher: Example\n"
        "    indicators: [sp_civil_society_subversion]\n", "utf-8")
    assert ev.import_file(db, path, coder="alice")["inserted"] == 1
    rec = ev.get_evidence(db, "y-1")
    assert rec["target"] == "LVA" and rec["status"] == "proposed" and rec["coder"] == "alice"


@pytest.mark.parametrize("column, bad, field", [
    ("target", "Atlantis", "target"),
    ("indicators", '["sp_nope"]', "indicators"),
    ("end_date", "2001-01-01", "end_date"),
    ("sources", "[]", "sources"),
    ("sources", '[{"url": "htp:/bad"}]', "sources[0].url"),
    ("title", "", "title"),
    ("created_at", "yesterday", "created_at"),
])
def test_bad_row_names_file_row_and_field_and_stores_nothing(db, other_db, tmp_path, column, bad,
                                                              field):
    fill(db)
    rows = list(csv.DictReader(io.StringIO(ev.export_text(db, "csv"))))
    rows[2][column] = bad
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError) as err:
        ev.import_file(other_db, path)
    assert (err.value.row, err.value.field) == (4, field)
    assert str(path) in str(err.value)
    assert other_db.scalar("SELECT COUNT(*) FROM evidence") == 0


def test_unknown_format_and_unreadable_file(db, tmp_path):
    with pytest.raises(Exception) as err:
        ev.export_text(db, "xml")
    assert "format" in str(err.value)
    path = tmp_path / "broken.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert "broken.json" in str(err.value)
