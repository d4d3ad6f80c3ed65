"""The evidence browser filters by DISARM tactic and technique, offers the filtered list as
a STIX 2.1 bundle, and the methodology page shows each indicator's DISARM mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_support import client, make_app

from sharppower.measures.evidence import disarm
from sharppower.measures.evidence.ledger import add_evidence
from sharppower.sources.connectors.disarm import BUNDLE, MASTER, parse_files

FIXTURES = Path(__file__).parent / "fixtures" / "fimi"


@pytest.fixture
def web(demo_db, conf):
    with demo_db.begin() as conn:
        disarm.load_framework(conn, parse_files(FIXTURES / BUNDLE, FIXTURES / MASTER))
    for rid, techniques in (("ev-deepfake", ["T0086.002"]), ("ev-flood", ["T0049"])):
        add_evidence(demo_db, {"id": rid, "actors": ["RUS"], "target": "EST", "start_date": "2022",
                               "title": rid, "sources": [{"url": "https://example.org/" + rid}],
                               "techniques": techniques}, coder="ana")
    return client(make_app(conf, demo_db))


def test_browser_filters_by_tactic_and_technique_and_exports_stix(web):
    by_tactic = web.get("/evidence.json", params={"tactic": "TA06"}).json()
    assert [r["id"] for r in by_tactic["records"]] == ["ev-deepfake"]
    assert {t["disarm_id"] for t in by_tactic["tactics"]} == {"TA06", "TA17"}
    by_parent = web.get("/evidence.json", params={"technique": "T0086"}).json()
    assert [r["id"] for r in by_parent["records"]] == ["ev-deepfake"]
    page = web.get("/evidence", params={"tactic": "TA17"}).text
    assert "ev-flood" in page and "ev-deepfake" not in page and "DISARM tactic" in page
    assert "<code>T0049</code>" in page and "/evidence.stix?" in page
    bundle = web.get("/evidence.stix", params={"tactic": "TA17"})
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("application/json")
    incidents = [o["name"] for o in bundle.json()["objects"] if o["type"] == "incident"]
    assert incidents == ["ev-flood"]
    everything = web.get("/evidence.stix").json()
    assert sum(o["type"] == "incident" for o in everything["objects"]) >= 5  # starter too
    bad = web.get("/evidence.json", params={"tactic": "TA99"})
    assert bad.status_code in (400, 422) and "tactic" in bad.text
    bad = web.get("/evidence.json", params={"technique": "deepfake"})
    assert bad.status_code in (400, 422) and "technique" in bad.text


def test_methodology_shows_the_disarm_mapping(web):
    data = web.get("/methodology.json").json()
    rows = {i["code"]: i for p in data["pillars"] for d in p["domains"] for i in d["indicators"]}
    info = rows["sp_info_manipulation"]["disarm"]
    assert [t["id"] for t in info["tactics"]] == ["TA06", "TA09", "TA14", "TA17"]
    named = {t["id"]: t["name"] for t in info["techniques"]}
    assert named["T0086"] == "Develop Image-Based Content" and named["T0002"] == ""  # not in fixture
    assert rows["sp_economic_coercion"]["disarm"] == {"tactics": [], "techniques": []}
    assert rows["res_fh_total"]["disarm"] is None
    page = web.get("/methodology").text
    assert 'title="Develop Image-Based Content">T0086</code>' in page and 'id="disarm"' in page
