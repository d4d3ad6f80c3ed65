"""`sharppower evidence ...` end to end through the command line, on both backends; the
done-when check: `evidence list --actor RUS --target EST --json` lists exactly the
mirror's incidents for that pair, each with its link."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from sharppower.build import load_snapshot
from sharppower.cli import app
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.settings import Settings
from sharppower.sources.load import LoadContext
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull

runner = CliRunner()


def url_of(db) -> str:
    """A URL the CLI can open for the test's store (PostgreSQL: its own schema)."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.schema:
        url += "?options=" + quote(f"-csearch_path={db.schema}")
    return url


def run(db, *args, ok=True):
    result = runner.invoke(app, ["evidence", *args, "--db", url_of(db)])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def add_args(**over):
    args = {"--id": "cli-1", "--actor": "RUS", "--target": "EST", "--start": "2019-04",
            "--title": "Fake news site cluster", "--source-url": "https://example.org/r",
            "--publisher": "Example Monitor", "--indicator": "sp_info_manipulation",
            "--narrative": "<p>Sites<script>alert(1)</script><img src=x onerror=alert(2)></p>"}
    args.update(over)
    out = []
    for k, v in args.items():
        out += [k, v] if v is not None else []
    return out


def test_add_show_review_code_agreement(db):
    run(db, "add", *add_args(), "--coder", "alice")
    shown = json.loads(run(db, "show", "cli-1", "--json").stdout)
    assert shown["status"] == "proposed" and shown["start_precision"] == "month"
    assert shown["sources"] == [{"url": "https://example.org/r", "publisher": "Example Monitor"}]
    assert "<script" not in shown["narrative_html"] and "onerror" not in shown["narrative_html"]
    bad = run(db, "review", "cli-1", "--accept", "--coder", "alice", ok=False)
    assert bad.exit_code == 1 and "reviewer" in bad.output
    run(db, "review", "cli-1", "--accept", "--coder", "bob")
    run(db, "code", "cli-1", "--coder", "bob", "--indicator", "sp_info_manipulation",
        "--indicator", "sp_media_capture")
    report = json.loads(run(db, "agreement", "--json").stdout)
    assert report["overall"]["records"] == 1
    assert report["disagreements"] == [{
        "evidence_id": "cli-1", "title": "Fake news site cluster", "indicator": "sp_media_capture",
        "coded_by": ["bob"], "not_coded_by": ["alice"]}]
    run(db, "edit", "cli-1", "--indicator", "sp_info_manipulation", "--indicator",
        "sp_media_capture", "--coder", "carol")
    shown = json.loads(run(db, "show", "cli-1", "--json").stdout)
    assert shown["indicators"] == ["sp_info_manipulation", "sp_media_capture"]
    # adjudicating an accepted record's indicators sends it back to review (issue 12)
    assert [h["action"] for h in shown["history"]] == ["create", "review", "code", "update",
                                                       "reopen", "reopen"]
    assert shown["status"] == "proposed" and shown["reviewed_by"] is None
    assert "cli-1" in run(db, "show", "cli-1").stdout


def test_add_from_file_and_validation_errors(db, tmp_path):
    path = tmp_path / "rec.yaml"
    path.write_text("id: cli-2\nactors: [CHN]\ntarget: Canada\nstart_date: '2021'\n"
                    "ongoing: true\ntitle: Police station abroad\n"
                    "sources: [https://example.org/p]\nindicators: [sp_civil_society_subversion]\n")
    run(db, "add", "--file", str(path), "--coder", "alice", "--confidence", "high")
    rec = json.loads(run(db, "show", "cli-2", "--json").stdout)
    assert rec["target"] == "CAN" and rec["ongoing"] and rec["confidence"] == "high"
    for over, field in [({"--target": "Atlantis"}, "target"),
                        ({"--indicator": "sp_nope"}, "indicators"),
                        ({"--end": "2018"}, "end_date"),
                        ({"--source-url": "nonsense"}, "sources[0].url"),
                        ({"--title": " "}, "title")]:
        result = run(db, "add", *add_args(**{"--id": "cli-x", **over}), "--coder", "a", ok=False)
        assert result.exit_code == 1 and f"'{field}'" in result.output
    assert "cli-x" not in run(db, "list", "--json").stdout


def test_export_import_through_the_cli(db, tmp_path):
    run(db, "add", *add_args(), "--coder", "alice")
    for fmt in ("csv", "json"):
        out = tmp_path / f"e.{fmt}"
        run(db, "export", "--format", fmt, "--out", str(out))
        counts = json.loads(run(db, "import", str(out), "--json").stdout)
        assert counts == {"inserted": 0, "updated": 0, "unchanged": 1}
    printed = run(db, "export", "--format", "json").stdout
    assert json.loads(printed)["records"][0]["id"] == "cli-1"


def test_list_filters_through_the_cli(db):
    run(db, "add", *add_args(), "--coder", "alice")
    run(db, "add", *add_args(**{"--id": "cli-3", "--target": "LVA", "--start": "2012"}),
        "--coder", "alice")
    listed = json.loads(run(db, "list", "--target", "EST", "--year", "2019", "--json").stdout)
    assert [r["id"] for r in listed] == ["cli-1"]
    assert json.loads(run(db, "list", "--status", "accepted", "--json").stdout) == []
    assert "cli-3" in run(db, "list").stdout


@pytest.fixture
def asd_db(db, mirror, tmp_path):
    conf = Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)
    snap, _ = pull(conf, SOURCES["asd-interference-tracker"])
    load_snapshot(LoadContext(db, load_codebook(), resolver()), SOURCES["asd-interference-tracker"],
                snap)
    return db


def test_done_when_list_rus_est_is_exactly_the_mirror_incidents(asd_db, mirror: Path):
    data = json.loads((mirror / "asd_interference_tracker" / "incidents.json").read_text("utf-8"))
    expected = {
        f"asd-{inc['post_id']}": inc["link"]
        for feat in data["features"] if feat["properties"]["country"] == "Estonia"
        for inc in feat["properties"]["incidents"]
        if "Russia" in [a["name"] for a in inc["actors"]]
    }
    listed = json.loads(run(asd_db, "list", "--actor", "RUS", "--target", "EST", "--json").stdout)
    assert {r["id"]: r["link"] for r in listed} == expected
    assert len(listed) == len(expected) > 0
    for r in listed:
        assert r["actors"] == ["RUS"] and r["target"] == "EST" and r["link"].startswith("https://")
        assert "<script" not in r["narrative_html"] and "narrative" not in r
