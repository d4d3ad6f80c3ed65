"""Country profiles stored by the build (sharppower.web.profiles): one per country, equal
to the profile computed on demand, served while current, never once the store changed;
and the profile's evidence section (newest records, counts per origin and status).
Both backends, on the demo store (starter data)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sqlalchemy as sa
from test_web_support import add_opinion, client, make_app

from sharppower.build import build
from sharppower.measures.evidence import count_evidence, list_evidence
from sharppower.web.pages.country import EVIDENCE_SHOWN, profile_core
from sharppower.web.render import clean
from sharppower.web.tables import profile_pages

MARKER = "stored by the build (marker written by the test)"


@pytest.fixture
def demo_db(backend, tmp_path, tmp_path_factory, conf, demo_templates):
    """The demo store built with its profiles stored (the tests' `conf` skips them)."""
    from conftest import starter_store

    database, cleanup = starter_store(backend, tmp_path, tmp_path_factory,
                                      replace(conf, store_profiles=True), demo_templates)
    yield database
    cleanup()


def _stored(db) -> dict[str, dict]:
    rows = db.read(sa.select(profile_pages.c.target, profile_pages.c.payload))
    return {t: json.loads(p) for t, p in zip(rows["target"], rows["payload"])}


def _mark(db, target: str) -> None:
    """Change one stored profile so that the test can tell it was served."""
    payload = _stored(db)[target]
    payload["year_reason"] = MARKER
    with db.begin() as conn:
        conn.execute(profile_pages.update().where(profile_pages.c.target == target)
                     .values(payload=json.dumps(payload)))


def test_the_build_stores_every_countrys_profile_as_computed(demo_db):
    stored = _stored(demo_db)
    observed = set(demo_db.read("SELECT DISTINCT target FROM observations")["target"])
    assert set(stored) == observed and len(observed) >= 4
    for code in sorted(observed)[:6]:
        assert stored[code] == json.loads(json.dumps(clean(profile_core(demo_db, code))))
    assert stored["AUS"]["country"]["name"] == "Australia"
    assert "evidence" not in stored["AUS"]  # read live on every request


def test_the_page_serves_the_stored_profile_with_live_evidence(demo_db, conf):
    _mark(demo_db, "AUS")
    web = client(make_app(conf, demo_db))
    data = web.get("/country/AUS.json").json()
    assert data["year_reason"] == MARKER
    assert any(r["id"] == "starter-aus-barley-tariffs" for r in data["evidence"])
    assert MARKER in web.get("/country/AUS").text  # the HTML page too
    other = web.get("/country/AUS.json", params={"year": 2022}).json()
    assert other["year_reason"] != MARKER and other["year"] == 2022


def test_a_rebuild_with_the_same_inputs_restamps_the_stored_profiles(demo_db, conf):
    _mark(demo_db, "SWE")
    results = build(replace(conf, mirror=None, store_profiles=True), demo_db)
    assert {r.source: r.status for r in results}["profiles"] == "unchanged"
    web = client(make_app(conf, demo_db))
    assert web.get("/country/SWE.json").json()["year_reason"] == MARKER


def test_a_rebuild_with_the_same_inputs_restamps_the_stored_pages(demo_db, conf):
    """A no-change build re-stamps the stored page data (map, weights, downloads, ...) as
    it does the profiles: each stays current, and its first visitor is served it."""
    from sharppower.web.cache import store_version
    from sharppower.web.profiles import WHOLE_VERSION, stored_page
    from sharppower.web.tables import page_data

    keys = demo_db.read(sa.select(page_data.c.key))["key"].tolist()
    assert any(k.startswith("map:") for k in keys) and WHOLE_VERSION & set(keys)
    with demo_db.begin() as conn:  # mark the stored map of China
        payload = json.loads(conn.execute(sa.select(page_data.c.payload).where(
            page_data.c.key == "map:CHN")).scalar())
        payload["marker"] = MARKER
        conn.execute(page_data.update().where(page_data.c.key == "map:CHN")
                     .values(payload=json.dumps(payload)))
    before = store_version(demo_db)
    results = build(replace(conf, mirror=None, store_profiles=True), demo_db)
    assert {r.source: r.status for r in results}["profiles"] == "unchanged"
    version = store_version(demo_db)
    assert version != before  # the build's log row: a new version
    for key in keys:
        assert stored_page(demo_db, key, version, key in WHOLE_VERSION) is not None, key
    assert stored_page(demo_db, "map:CHN", version)["marker"] == MARKER


def test_a_stored_profile_is_not_served_once_the_store_changed(demo_db, conf):
    _mark(demo_db, "SWE")
    add_opinion(demo_db)  # an import outside a build
    web = client(make_app(conf, demo_db))
    data = web.get("/country/SWE.json").json()
    assert data["year_reason"] != MARKER
    chn = next(s for s in data["attraction"]
               if s["actor"] == "CHN" and s["indicator"] == "att_favorable")
    assert {p["year"]: p["value"] for p in chn["points"]}[2021] == 18.0  # the new row shows


def test_a_new_index_run_outdates_the_stored_profiles(demo_db, conf):
    from sharppower.index import build_index, load_spec

    _mark(demo_db, "AUS")
    build_index(demo_db, load_spec(), runs=20)  # the new run may take the replaced one's id
    web = client(make_app(conf, demo_db))
    assert web.get("/country/AUS.json").json()["year_reason"] != MARKER
    results = build(replace(conf, mirror=None, store_profiles=True), demo_db)  # the next build stores them anew
    assert {r.source: r.status for r in results}["profiles"] == "loaded"
    assert client(make_app(conf, demo_db)).get("/country/AUS.json").json()["year_reason"] != MARKER
    assert MARKER not in str(_stored(demo_db)["AUS"])


def test_newest_evidence_and_counts(demo_db):
    every = list_evidence(demo_db)
    assert len(every) >= 3
    newest = list_evidence(demo_db, newest=2)
    expected = every.sort_values(["start_date", "id"], ascending=False).head(2)
    assert list(newest["id"]) == list(expected["id"])
    assert list(newest.columns) == list(every.columns)
    target = every["target"].value_counts().index[0]
    counts = count_evidence(demo_db, target=target)
    assert int(counts["records"].sum()) == int((every["target"] == target).sum())
    assert set(counts["origin"]) == set(every.loc[every["target"] == target, "origin"])
    assert count_evidence(demo_db, target="ATA").empty


def test_the_profile_lists_the_newest_records_and_counts_them_all(demo_db, conf):
    from sharppower.measures.evidence import add_evidence, review

    for i in range(EVIDENCE_SHOWN + 3):
        rec = add_evidence(demo_db, {
            "id": f"test-nzl-{i}", "actors": ["CHN"], "target": "NZL",
            "start_date": f"{2015 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"Test incident {i}", "narrative": "<p>An incident written by the test.</p>",
            "sources": [{"url": f"https://example.org/{i}", "publisher": "Example Monitor"}],
            "categories": ["Information Manipulation"], "indicators": ["sp_info_manipulation"],
            "confidence": "medium"}, coder="tester")
        if i % 2:
            review(demo_db, rec["id"], "accept", "reviewer")
    web = client(make_app(conf, demo_db))
    data = web.get("/country/NZL.json").json()
    total = data["evidence_summary"]["total"]
    assert total == len(list_evidence(demo_db, target="NZL")) >= EVIDENCE_SHOWN + 3
    assert len(data["evidence"]) == EVIDENCE_SHOWN
    dates = [r["start_date"] for r in data["evidence"]]
    assert dates == sorted(dates, reverse=True)
    by_status = {(c["origin"], c["status"]): c["records"] for c in data["evidence_summary"]["counts"]}
    assert sum(by_status.values()) == total and any(s == "proposed" for _, s in by_status)
    html = web.get("/country/NZL").text
    assert f"all {total} in the evidence browser" in html
    assert 'href="/evidence?target=NZL"' in html


def test_a_country_without_data_is_computed_on_demand(demo_db, conf):
    observed = set(demo_db.read("SELECT DISTINCT target FROM observations")["target"])
    assert "ISL" not in observed and "ISL" not in _stored(demo_db)
    data = client(make_app(conf, demo_db)).get("/country/ISL.json").json()
    assert data["country"]["name"] == "Iceland" and not data["has_scores"]


def test_a_build_can_skip_storing_the_profiles(backend, tmp_path, conf, monkeypatch):
    from conftest import new_database

    from sharppower.settings import Settings

    monkeypatch.setenv("SHARPPOWER_STORE_PROFILES", "0")
    assert Settings.from_env().store_profiles is False
    monkeypatch.setenv("SHARPPOWER_STORE_PROFILES", "1")
    assert Settings.from_env().store_profiles is True
    database, cleanup = new_database(backend, tmp_path)
    try:
        results = build(replace(conf, mirror=None, store_profiles=False), database)
        assert {r.source: r.status for r in results}["profiles"] == "skipped"
        assert not _stored(database)
        web = client(make_app(conf, database))
        assert web.get("/country/AUS.json").json()["country"]["iso3"] == "AUS"  # computed
    finally:
        cleanup()


def _recompute(db, monkeypatch, forks: bool) -> dict[str, dict]:
    from sharppower import forking
    from sharppower.web.pages.country import store_profiles

    with db.begin() as conn:
        conn.execute(sa.delete(profile_pages))
    monkeypatch.setattr(forking, "platform_forks", lambda: forks)
    result = store_profiles(db)
    assert not result["reused"] and result["profiles"] > 0
    return _stored(db)


def test_cores_computed_in_a_forked_worker_equal_those_computed_here(demo_db, monkeypatch):
    """The build computes the cores in a forked worker with its own store connection while
    it stores the pages (issue 26); the stored profiles are the same as computed here, and
    the build's connections still work afterwards (the worker never touched them)."""
    from sharppower import forking

    if not forking.platform_forks() or forking.cores() < 2:
        pytest.skip("no fork or one core: the cores are computed here")
    here = _recompute(demo_db, monkeypatch, forks=False)
    forked = _recompute(demo_db, monkeypatch, forks=True)
    assert forked == here and len(here) > 0
    assert demo_db.scalar("SELECT COUNT(*) FROM web_profile_pages") == len(here)


def test_a_failed_worker_leaves_the_cores_to_this_process(demo_db, monkeypatch):
    from sharppower.web.pages import country

    here = _recompute(demo_db, monkeypatch, forks=False)

    def broken(*_):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(country, "_cores_in_worker", broken)
    assert _recompute(demo_db, monkeypatch, forks=True) == here
