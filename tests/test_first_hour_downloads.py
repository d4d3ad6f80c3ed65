"""Issue 11 point 7: downloads and the static report as a Frictionless Data Package that
`frictionless` validates; only what the sources' allow-lists permit; names beside ISO3
codes; rounded floats."""

from __future__ import annotations

import csv
import json

from frictionless import Package, validate
from test_web_support import add_opinion, client, make_app

from sharppower.analysis import datapackage
from sharppower.sources.registry import SOURCES
from sharppower.store.database import insert_rows
from sharppower.store.tables import observations


def test_allow_lists_keep_asd_and_euvsdisinfo_texts_out_and_their_links_in():
    for name in ("asd-interference-tracker", "euvsdisinfo"):
        assert not datapackage.allowed(name, "texts") and datapackage.allowed(name, "records")
    assert all(isinstance(s.redistribute, tuple) for s in SOURCES.values())
    assert datapackage.allowed("starter-evidence", "texts")  # the project's own records


def test_static_package_validates_with_names_and_rounded_floats(demo_db, tmp_path):
    add_opinion(demo_db)
    with demo_db.begin() as conn:  # float noise as arithmetic leaves it
        insert_rows(conn, observations, [{"actor": "CHN", "target": "KEN", "year": 2020,
                                          "indicator": "att_favorable", "value": 136.04999999999995,
                                          "source": "test-fixture", "source_file": "t",
                                          "source_row": "1"}])
    descriptor = datapackage.write_package(demo_db, tmp_path / "pkg")
    report = validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    package = Package(str(descriptor))
    obs = package.get_resource("observations")
    fields = {f.name: f for f in obs.schema.fields}
    assert fields["value"].description and fields["year"].type == "integer"
    assert obs.schema.primary_key == ["id"] and obs.schema.missing_values == [""]
    rows = list(csv.DictReader((tmp_path / "pkg" / "observations.csv").open(encoding="utf-8")))
    ken = [r for r in rows if r["target"] == "KEN" and r["year"] == "2020"]
    assert ken[0]["target_name"] == "Kenya" and ken[0]["value"] == "136.05"
    meta = json.loads(descriptor.read_text("utf-8"))
    assert meta["licenses"] and meta["sources"]


def test_web_downloads_and_report_publish_a_valid_package(demo_db, conf, tmp_path):
    from sharppower.report import write_report

    add_opinion(demo_db)
    api = client(make_app(conf, demo_db))
    meta = api.get("/downloads/datapackage.json").json()
    folder = tmp_path / "web"
    folder.mkdir()
    for res in meta["resources"]:
        (folder / res["path"]).write_bytes(api.get(f"/downloads/{res['path']}").content)
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    assert validate(str(folder / "datapackage.json")).valid
    write_report(demo_db, tmp_path / "site")
    assert validate(str(tmp_path / "site" / "downloads" / "datapackage.json")).valid
    assert "web_users" not in {r["name"] for r in meta["resources"]}
