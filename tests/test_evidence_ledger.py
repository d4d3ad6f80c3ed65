"""Evidence records: validation (nothing stored), review rules, double coding, history and
sanitising, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from sharppower.errors import NotFound, ValidationError
from sharppower.measures import evidence as ev


def record(**over):
    base = {
        "id": "ev-test-1", "actors": ["RUS"], "target": "EST", "start_date": "2019-03",
        "end_date": "2019", "title": "Troll network amplifies a forged letter",
        "narrative": "<p>A forged letter was amplified by accounts linked to the actor.</p>",
        "sources": [{"url": "https://example.org/report", "publisher": "Example Monitor"}],
        "categories": ["Information Manipulation"], "indicators": ["sp_info_manipulation"],
        "confidence": "high",
    }
    return base | over


def counts(db):
    return {t: db.scalar(f"SELECT COUNT(*) FROM {t}")
            for t in ("evidence", "evidence_actors", "evidence_indicators", "evidence_codings",
                      "evidence_history")}


EMPTY = {"evidence": 0, "evidence_actors": 0, "evidence_indicators": 0, "evidence_codings": 0,
         "evidence_history": 0}


@pytest.mark.parametrize("change, field", [
    ({"target": "Atlantis"}, "target"),
    ({"target": "XYZ"}, "target"),
    ({"indicators": ["sp_not_a_code"]}, "indicators"),
    ({"indicators": ["att_favorable"]}, "indicators"),  # a codebook code, but not evidence
    ({"start_date": "2019-05-01", "end_date": "2019-04-30"}, "end_date"),
    ({"start_date": "2020", "end_date": "2019"}, "end_date"),
    ({"sources": []}, "sources"),
    ({"sources": [{"publisher": "No URL"}]}, "sources[0].url"),
    ({"sources": [{"url": "not a url"}]}, "sources[0].url"),
    ({"sources": [{"url": "ftp://example.org/x"}]}, "sources[0].url"),
    ({"sources": [{"url": "https://"}]}, "sources[0].url"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"actors": ["FRA"]}, "actors"),
    ({"actors": []}, "actors"),
    ({"start_date": "2019-13"}, "start_date"),
    ({"start_date": None}, "start_date"),
    ({"confidence": "certain"}, "confidence"),
    ({"start_precision": "week"}, "start_date"),
    ({"ongoing": True}, "end_date"),
    ({"status": "accepted"}, "status"),
    ({"id": "bad id with spaces"}, "id"),
])
def test_invalid_records_name_the_field_and_store_nothing(db, change, field):
    with pytest.raises(ValidationError) as err:
        ev.add_evidence(db, record(**change), coder="alice")
    assert err.value.field == field
    assert field in str(err.value)
    assert counts(db) == EMPTY


def test_add_stores_every_field_and_a_create_history(db):
    rec = ev.add_evidence(db, record(), coder="alice")  # an origin given is a 422 (issue 24)
    assert rec["status"] == "proposed" and rec["coder"] == "alice"
    assert rec["origin"] == "manual" and rec["withdrawn_from_source"] is False
    assert (rec["start_date"], rec["start_precision"]) == ("2019-03-01", "month")
    assert (rec["end_date"], rec["end_precision"]) == ("2019-12-31", "year")
    assert rec["period"] == "2019-03 - 2019"
    assert rec["sources"] == [{"url": "https://example.org/report", "publisher": "Example Monitor"}]
    assert rec["layers"] == ["pressure"]
    assert rec["codings"] == {"alice": ["sp_info_manipulation"]}
    assert [h["action"] for h in rec["history"]] == ["create"]
    assert rec["history"][0]["changed_by"] == "alice"
    assert rec["history"][0]["new_value"]["title"] == record()["title"]
    with pytest.raises(ValidationError) as err:
        ev.add_evidence(db, record(), coder="bob")
    assert err.value.field == "id"


def test_names_resolve_and_publisher_defaults_to_host(db):
    rec = ev.add_evidence(db, record(id="ev-2", target="Macedonia", actors=["China"],
                                     sources=["https://news.example.com/a"]), coder="alice")
    assert rec["target"] == "MKD" and rec["actors"] == ["CHN"]
    assert rec["publisher"] == "news.example.com"


def test_ongoing_incident_has_no_end(db):
    rec = ev.add_evidence(db, record(end_date="ongoing"), coder="alice")
    assert rec["ongoing"] is True and rec["end_date"] is None
    assert rec["period"] == "2019-03 - ongoing"


def test_coder_cannot_review_own_record(db):
    ev.add_evidence(db, record(), coder="alice")
    with pytest.raises(ev.SelfReviewError) as err:
        ev.review(db, "ev-test-1", "accept", "alice")
    assert err.value.field == "reviewer"
    assert ev.get_evidence(db, "ev-test-1")["status"] == "proposed"
    rec = ev.review(db, "ev-test-1", "accept", "bob", note="checked the source")
    assert rec["status"] == "accepted" and rec["reviewed_by"] == "bob"
    changes = [(h["action"], h["field"], h["old_value"], h["new_value"], h["changed_by"])
               for h in rec["history"][1:]]
    assert changes == [("review", "status", "proposed", "accepted", "bob"),
                       ("review", "note", None, "checked the source", "bob")]
    with pytest.raises(ValidationError):
        ev.review(db, "ev-test-1", "maybe", "carol")
    with pytest.raises(NotFound):
        ev.review(db, "ev-missing", "reject", "carol")


def test_update_writes_field_history_and_keeps_other_fields(db):
    ev.add_evidence(db, record(), coder="alice")
    before = ev.get_evidence(db, "ev-test-1")
    rec = ev.update_evidence(db, "ev-test-1", {"indicators": ["sp_info_manipulation",
                                                             "sp_media_capture"],
                                               "start_date": "2018"}, coder="carol")
    assert rec["indicators"] == ["sp_info_manipulation", "sp_media_capture"]
    assert (rec["start_date"], rec["start_precision"]) == ("2018-01-01", "year")
    assert rec["title"] == before["title"] and rec["end_date"] == before["end_date"]
    assert rec["updated_at"] > before["updated_at"]
    hist = ev.history(db, "ev-test-1")
    upd = hist[hist["action"] == "update"].set_index("field")
    assert upd.loc["indicators", "old_value"] == ["sp_info_manipulation"]
    assert upd.loc["indicators", "new_value"] == ["sp_info_manipulation", "sp_media_capture"]
    assert upd.loc["start_date", "old_value"] == "2019-03-01"
    assert set(upd["changed_by"]) == {"carol"}
    with pytest.raises(ValidationError) as err:
        ev.update_evidence(db, "ev-test-1", {"status": "accepted"}, coder="carol")
    assert err.value.field == "status"
    for name, value in (("origin", "asd-interference-tracker"), ("coder", "mallory"), ("id", "x")):
        with pytest.raises(ValidationError) as err:
            ev.update_evidence(db, "ev-test-1", {name: value}, coder="carol")
        assert err.value.field == name
    with pytest.raises(ValidationError) as err:
        ev.update_evidence(db, "ev-test-1", {"end_date": "2017"}, coder="carol")
    assert err.value.field == "end_date"
    assert ev.get_evidence(db, "ev-test-1")["indicators"] == rec["indicators"]


def test_second_coder_codes_independently(db):
    ev.add_evidence(db, record(), coder="alice")
    rec = ev.code(db, "ev-test-1", "bob", ["sp_info_manipulation", "sp_cyber_operations"])
    assert rec["codings"] == {"alice": ["sp_info_manipulation"],
                              "bob": ["sp_info_manipulation", "sp_cyber_operations"]}
    assert rec["indicators"] == ["sp_info_manipulation"]  # adopted codes unchanged
    assert rec["history"][-1]["field"] == "coding:bob"
    n = len(rec["history"])
    assert len(ev.code(db, "ev-test-1", "bob", ["sp_info_manipulation", "sp_cyber_operations"])
               ["history"]) == n  # same coding again: no change
    with pytest.raises(ValidationError) as err:
        ev.code(db, "ev-test-1", "bob", ["sp_bogus"])
    assert err.value.field == "indicators"


def test_list_filters(db):
    ev.add_evidence(db, record(), coder="alice")
    ev.add_evidence(db, record(id="ev-2", actors=["CHN"], target="CZE", start_date="2015",
                               end_date=None, ongoing=True, title="Think tank funding",
                               narrative="Money for a think tank",
                               indicators=["sp_elite_cooptation"]), coder="alice")
    ev.add_evidence(db, record(id="ev-3", start_date="2010-05-05", end_date=None,
                               title="One-day DDoS", indicators=["sp_cyber_operations"]),
                    coder="alice")
    ev.review(db, "ev-3", "reject", "bob")
    ids = lambda df: sorted(df["id"])
    assert ids(ev.list_evidence(db, actor="RUS", target="EST")) == ["ev-3", "ev-test-1"]
    assert ids(ev.list_evidence(db, year=2019)) == ["ev-2", "ev-test-1"]  # ongoing counts
    assert ids(ev.list_evidence(db, year=2011)) == []  # one-day incident of 2010
    assert ids(ev.list_evidence(db, year=2010)) == ["ev-3"]
    assert ids(ev.list_evidence(db, domain="politics_elites")) == ["ev-2"]
    assert ids(ev.list_evidence(db, status="rejected")) == ["ev-3"]
    assert ids(ev.list_evidence(db, q="THINK TANK")) == ["ev-2"]
    assert ids(ev.list_evidence(db, q="money")) == ["ev-2"]  # narrative text
    df = ev.list_evidence(db)
    assert "narrative" not in df.columns  # the raw narrative stays out of lists


HOSTILE = ('<p onclick="steal()">Report<script>alert("x")</script>'
           '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">link</a>'
           '<a href="https://example.org/r">source</a></p>')


def test_narratives_are_stored_as_given_and_sanitised_on_the_way_out(db):
    ev.add_evidence(db, record(narrative=HOSTILE), coder="alice")
    rec = ev.get_evidence(db, "ev-test-1")
    assert rec["narrative"] == HOSTILE  # stored as given
    html = rec["narrative_html"]
    for bad in ("<script", "onerror", "onclick", "javascript:", "alert("):
        assert bad not in html
    assert '<a href="https://example.org/r"' in html and "<p>" in html
    assert rec["narrative_text"] == "Reportlinksource"  # tags and script content gone
    listed = ev.list_evidence(db).iloc[0]
    as_json = json.dumps({k: listed[k] for k in ("narrative_html", "narrative_text")})
    assert "<script" not in as_json and "onerror" not in as_json
