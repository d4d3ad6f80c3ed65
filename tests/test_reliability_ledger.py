"""Issue 12, findings 1 and 2 in the library (both backends): concurrent edits of one
record lose nothing and the history records the value each edit replaced; a stale version
is refused; a substantive change sends an accepted record back to review."""

from __future__ import annotations

import threading

import pytest

from sharppower.errors import StaleVersion, ValidationError
from sharppower.measures import evidence as ev

RECORD = {
    "id": "ev-race", "actors": ["CHN"], "target": "SWE", "start_date": "2021-03",
    "title": "Content-sharing deal", "narrative": "first narrative",
    "sources": [{"url": "https://example.org/r", "publisher": "Monitor"}],
    "indicators": ["sp_media_capture"], "confidence": "medium",
}
# each writer owns one field and writes these values in order
WRITERS = {
    "title": [f"title {i}" for i in range(6)],
    "narrative": [f"narrative {i}" for i in range(6)],
    "notes": [f"note {i}" for i in range(6)],
    "categories": [[f"cat {i}"] for i in range(6)],
    "confidence": ["high", "low", "medium", "high", "low", "high"],
}


def _run_threads(targets) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            start.wait()
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def check_history_chain(rec: dict, first: dict) -> None:
    """Per field, each history row's old value is the previous row's new value."""
    last = dict(first)
    for h in rec["history"]:
        if h["action"] in ("update", "review") and h["field"] in last:
            assert h["old_value"] == last[h["field"]], h
            last[h["field"]] = h["new_value"]
    for field in WRITERS:
        assert rec[field] == last[field]


def test_concurrent_field_edits_lose_nothing(db):
    created = ev.add_evidence(db, RECORD, coder="ana")

    def writer(field):
        def run():
            for value in WRITERS[field]:
                ev.update_evidence(db, "ev-race", {field: value}, coder=f"coder-{field}")
        return run

    assert _run_threads([writer(f) for f in WRITERS]) == []
    rec = ev.get_evidence(db, "ev-race")
    for field, values in WRITERS.items():
        assert rec[field] == values[-1], field
    updates = [h for h in rec["history"] if h["action"] == "update"]
    assert len(updates) == sum(len(v) for v in WRITERS.values())
    check_history_chain(rec, {f: created[f] for f in WRITERS})


def test_a_review_racing_edits_is_never_reverted(db):
    ev.add_evidence(db, RECORD, coder="ana")

    def edit():
        for i in range(4):
            ev.update_evidence(db, "ev-race", {"notes": f"n{i}"}, coder="cleo")

    def accept():
        ev.review(db, "ev-race", "accept", reviewer="rita")

    assert _run_threads([edit, edit, accept]) == []
    rec = ev.get_evidence(db, "ev-race")
    assert rec["status"] == "accepted" and rec["reviewed_by"] == "rita"


def test_a_stale_version_is_refused_and_changes_nothing(db):
    first = ev.add_evidence(db, RECORD, coder="ana")
    ev.update_evidence(db, "ev-race", {"notes": "x"}, coder="cleo",
                       expected_version=first["version"])
    with pytest.raises(StaleVersion):
        ev.update_evidence(db, "ev-race", {"title": "late"}, coder="cody",
                           expected_version=first["version"])
    with pytest.raises(StaleVersion):
        ev.review(db, "ev-race", "accept", reviewer="rita", expected_version=first["version"])
    rec = ev.get_evidence(db, "ev-race")
    assert rec["title"] == RECORD["title"] and rec["status"] == "proposed"
    assert rec["version"] != first["version"]


@pytest.mark.parametrize("change", [
    {"title": "Renamed"}, {"target": "NOR"}, {"actors": ["CHN", "RUS"]},
    {"indicators": ["sp_info_manipulation"]}, {"withdrawn_from_source": True},
    {"start_date": "2020"},
])
def test_a_substantive_change_sends_an_accepted_record_back_to_review(db, change):
    ev.add_evidence(db, RECORD, coder="ana")
    ev.review(db, "ev-race", "accept", reviewer="rita")
    rec = ev.update_evidence(db, "ev-race", change, coder="mallory")
    assert rec["status"] == "proposed" and rec["reviewed_by"] is None
    reopen = [h for h in rec["history"] if h["action"] == "reopen"]
    assert (reopen[0]["field"], reopen[0]["old_value"], reopen[0]["new_value"]) == (
        "status", "accepted", "proposed")
    assert next(iter(change)) in reopen[1]["new_value"] and "rita" in reopen[1]["new_value"]


def test_notes_keep_the_review(db):
    ev.add_evidence(db, RECORD, coder="ana")
    ev.review(db, "ev-race", "accept", reviewer="rita")
    rec = ev.update_evidence(db, "ev-race", {"notes": "typo fixed"}, coder="cleo")
    assert rec["status"] == "accepted" and rec["reviewed_by"] == "rita"


def test_review_fields_cannot_be_edited(db):
    ev.add_evidence(db, RECORD, coder="ana")
    for field in ("reviewed_by", "status", "coder"):
        with pytest.raises(ValidationError) as err:
            ev.update_evidence(db, "ev-race", {field: "mallory"}, coder="mallory")
        assert err.value.field == field
    assert ev.get_evidence(db, "ev-race")["status"] == "proposed"


def test_two_writers_adding_one_id_get_a_clear_error(db):
    errors = _run_threads([lambda: ev.add_evidence(db, RECORD, coder="ana"),
                           lambda: ev.add_evidence(db, RECORD, coder="bob")])
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert errors[0].field == "id"
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 1
