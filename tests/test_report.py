"""The static report: `sharppower report --out DIR` writes a site whose pages link each
other by relative paths, embed their data, and load nothing from a server or the network."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from test_web_support import add_opinion
from typer.testing import CliRunner


@pytest.fixture
def site(demo_db, tmp_path) -> Path:
    from sharppower.report import write_report

    add_opinion(demo_db)
    write_report(demo_db, tmp_path / "site")
    return tmp_path / "site"


def test_pages_profiles_and_tables_are_written(site, demo_db):
    for page in ("index.html", "map.html", "quadrant.html", "methodology.html",
                 "downloads.html", "sources.html", "countries.html", "map-RUS.html"):
        assert (site / page).is_file(), page
    targets = set(demo_db.read("SELECT DISTINCT target FROM observations")["target"])
    profiles = {p.stem for p in (site / "country").glob("*.html")}
    assert targets <= profiles
    stored = demo_db.read("SELECT * FROM observations ORDER BY id")
    written = pd.read_parquet(site / "downloads" / "observations.parquet")
    assert list(written["value"]) == list(stored["value"])
    csv = pd.read_csv(io.StringIO((site / "downloads" / "evidence.csv").read_text()))
    # accepted records only, without account names (issue 24)
    assert set(csv["id"]) == set(demo_db.read(
        "SELECT id FROM evidence WHERE status = 'accepted'")["id"])
    assert "coder" not in csv.columns and "reviewed_by" not in csv.columns
    assert (site / "static" / "vendor" / "plotly.min.js").stat().st_size > 1_000_000


def test_every_link_is_relative_and_resolves(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "https://cdn" not in html and "//cdn." not in html
        for ref in re.findall(r'(?:src|href)="([^"#?]+)"', html):
            if ref.startswith(("http://", "https://", "mailto:")):
                assert not re.search(r"<(script|link)[^>]+" + re.escape(ref), html), ref
                continue  # outbound citation links are plain anchors
            if "{code}" in ref:
                continue
            assert not ref.startswith("/"), (page, ref)
            assert (page.parent / ref).resolve().exists(), (page, ref)


def test_profile_embeds_its_data(site, demo_db):
    html = (site / "country" / "SWE.html").read_text(encoding="utf-8")
    assert 'id="fig-att_favorable"' in html
    swe = demo_db.read("SELECT value FROM observations WHERE indicator = 'att_favorable' "
                       "AND actor = 'CHN' AND target = 'SWE' ORDER BY year")
    for value in swe["value"]:
        assert f"{value}" in html
    assert 'id="PlotlyGeoAssets"' in (site / "index.html").read_text(encoding="utf-8")


def test_report_command(demo_db, tmp_path, monkeypatch):
    from sharppower.cli import app

    url = demo_db.engine.url.render_as_string(hide_password=False)
    if not demo_db.is_sqlite:  # the test store lives in its own schema: say so in the URL
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{demo_db.schema}"
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out"), "--db", url])
    assert result.exit_code == 0, result.output
    assert "country profiles" in result.output
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.fixture
def asd_site(demo_db, mirror, tmp_path) -> tuple[Path, object]:
    """A report written from the demo store with the ASD tracker's records (the mirror)."""
    from sharppower.build import load_snapshot
    from sharppower.codebook import load_codebook
    from sharppower.countries import resolver
    from sharppower.report import write_report
    from sharppower.settings import Settings
    from sharppower.sources.load import LoadContext
    from sharppower.sources.registry import SOURCES
    from sharppower.sources.snapshot import pull

    conf = Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)
    snap, _ = pull(conf, SOURCES["asd-interference-tracker"])
    load_snapshot(LoadContext(demo_db, load_codebook(), resolver()),
                  SOURCES["asd-interference-tracker"], snap)
    write_report(demo_db, tmp_path / "site")
    return tmp_path / "site", demo_db


def test_report_publishes_no_asd_narrative(asd_site):
    """The ASD tracker's narratives are not cleared for redistribution: the report keeps
    what the allow-list names (title, dates, the publisher's link) and leaves them out."""
    from sharppower.measures.evidence import ledger
    from sharppower.measures.evidence.sanitise import narrative_text

    site, db = asd_site
    est = ledger.list_evidence(db, target="EST")
    assert len(est) > 10
    raw = db.read("SELECT id, title, narrative FROM evidence "
                  "WHERE origin = 'asd-interference-tracker'")
    titles = " | ".join(" ".join(str(t).split()) for t in raw["title"])
    pieces = []
    for text in raw["narrative"]:
        plain = " ".join(narrative_text(text or "").split())
        piece = plain[150:200]  # a stretch of the narrative's own words, in no title
        if len(piece) == 50 and piece not in titles:
            pieces.append(piece)
    assert len(pieces) > 50
    pages = {p: " ".join(p.read_text("utf-8").split()) for p in site.rglob("*.html")}
    html = pages[site / "country" / "EST.html"]
    leaked = [(p.name, piece) for p, text in pages.items() for piece in pieces if piece in text]
    assert not leaked, leaked[:3]
    shown = [r for r in est.to_dict("records") if r["id"] in html]
    assert shown, "the EST profile lists ASD records"
    for r in shown:  # what the allow-list publishes is there
        assert r["link"] in html
    assert "narrative is not republished" in html
    for path in (site / "downloads").glob("*.csv"):  # the tables hold no narrative either
        text = " ".join(path.read_text("utf-8").split())
        assert not [p for p in pieces if p in text], path.name
