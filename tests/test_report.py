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
