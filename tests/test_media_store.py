"""Media reuse in the store, on SQLite and PostgreSQL: a corpus import (values, coverage,
pairs as evidence, replace on re-import, nothing stored on bad input) and the Doublethink
Lab pilot loaded from the mirror (GHA, KEN, UGA 2022)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import require_mirror

from sharppower.build import load_snapshot
from sharppower.codebook import load_codebook
from sharppower.errors import InputError
from sharppower.measures import media
from sharppower.measures.media.params import MatchParams
from sharppower.sources.load import LoadContext
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull

FIX = Path(__file__).parent / "fixtures" / "media"
OBS = ("SELECT actor, target, year, value, n, ci_low, ci_high, source, source_file FROM observations "
       "WHERE indicator = 'sp_state_media_reuse' AND source = :s ORDER BY target, actor")


@pytest.fixture
def match_file(tmp_path):
    out = tmp_path / "m.jsonl"
    media.match(FIX / "wire.jsonl", FIX / "local.jsonl", out, params=MatchParams(min_shingles=5),
                workers=1)
    return out


def test_import_stores_rates_coverage_and_pairs(db, match_file):
    _rep, n = media.import_matches(db, match_file, FIX / "local.jsonl", run="fixture")
    obs = db.read(OBS, {"s": "media-reuse"})
    assert n == 4 and obs["target"].tolist() == ["GHA", "GHA", "KEN", "KEN"]
    ken = obs[obs["target"] == "KEN"].set_index("actor")
    assert ken.loc["CHN", "value"] == pytest.approx(2 / 4) and ken.loc["CHN", "n"] == 4
    assert ken.loc["RUS", "value"] == pytest.approx(1 / 4)
    assert 0 < ken.loc["CHN", "ci_low"] < 0.5 < ken.loc["CHN", "ci_high"] < 1
    assert obs[obs["target"] == "GHA"]["value"].tolist() == [0.0, 0.0]  # covered, no reuse
    assert not len(obs[obs["target"] == "UGA"])                          # no corpus: missing
    pairs = db.read("SELECT local_id, wire_id, actor, country, year, attribution FROM media_pairs "
                    "WHERE run = 'fixture' ORDER BY local_id")
    assert pairs.values.tolist() == [["k1", "x1", "CHN", "KEN", 2022, "attributed"],
                                     ["k2", "c1", "CHN", "KEN", 2022, "reattributed"],
                                     ["k3", "r1", "RUS", "KEN", 2022, "unattributed"]]
    outlets = db.read("SELECT outlet, actor, articles, reused FROM media_outlets "
                      "WHERE country = 'KEN' ORDER BY outlet, actor")
    assert outlets.values.tolist() == [["nation.example", "CHN", 2, 2], ["nation.example", "RUS", 2, 0],
                                       ["star.example", "CHN", 2, 0], ["star.example", "RUS", 2, 1]]
    media.import_matches(db, match_file, FIX / "local.jsonl", run="fixture")  # replaces
    assert db.scalar("SELECT COUNT(*) FROM media_pairs") == 3
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = 'media-reuse'") == 4
    assert db.scalar("SELECT rows FROM sources WHERE name = 'media-reuse'") == 4


def test_equal_weighting_is_the_mean_of_outlet_rates(match_file):
    rep = media.report(match_file, FIX / "local.jsonl", weighting="equal")
    ken = rep.countries.set_index(["country", "actor"]).loc[("KEN", "RUS")]
    assert ken["rate"] == pytest.approx((0 / 2 + 1 / 2) / 2)
    assert ken["n_eff"] == pytest.approx(4) and ken["weighting"] == "equal"


def test_a_bad_match_file_stores_nothing(db, match_file, tmp_path):
    lines = match_file.read_text("utf-8").splitlines()
    bad = json.loads(lines[0]) | {"local_id": "nope"}
    (tmp_path / "bad.jsonl").write_text("\n".join([*lines, json.dumps(bad)]) + "\n", "utf-8")
    with pytest.raises(InputError, match="not in .*local.jsonl"):
        media.import_matches(db, tmp_path / "bad.jsonl", FIX / "local.jsonl", run="bad")
    assert db.scalar("SELECT COUNT(*) FROM media_runs") == 0
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = 'media-reuse'") == 0


def test_pilot_gives_ghana_kenya_uganda_2022_with_evidence(db, conf):
    require_mirror()
    source = SOURCES["embedded-propaganda"]
    snapshot, _ = pull(conf, source)
    result = load_snapshot(LoadContext(db, load_codebook()), source, snapshot)
    assert (result.rows, result.countries, result.years) == (3, 3, (2022, 2022))
    obs = db.read(OBS, {"s": "embedded-propaganda"}).set_index("target")
    assert obs.loc["UGA", "value"] == pytest.approx((534 + 2 + 5) / (7402 + 2257 + 2865))
    assert obs.loc["GHA", "n"] == 37836 + 8985 + 4302 and obs.loc["KEN", "actor"] == "CHN"
    assert obs.loc["UGA", "ci_low"] < obs.loc["UGA", "value"] < obs.loc["UGA", "ci_high"]
    sites = db.read("SELECT outlet, reused, attributed, reattributed FROM media_outlets "
                    "WHERE run = 'embedded-propaganda' AND outlet = 'independent.co.ug'")
    assert sites.values.tolist() == [["independent.co.ug", 534, 532, 2]]
    pairs = db.read("SELECT country, COUNT(*) AS n FROM media_pairs WHERE run = 'embedded-propaganda' "
                    "GROUP BY country ORDER BY country")
    assert pairs.values.tolist() == [["GHA", 623], ["KEN", 36], ["UGA", 537]]  # 7 "self" rows left out
    note = db.scalar("SELECT note FROM observations WHERE source = 'embedded-propaganda' "
                     "AND target = 'KEN'")
    assert "embedding similarity, not MinHash" in note


def test_country_profile_shows_reuse_with_outlets_and_pairs(demo_db, conf, match_file):
    from test_web_support import client, make_app

    media.import_matches(demo_db, match_file, FIX / "local.jsonl", run="fixture")
    web = client(make_app(conf, demo_db))
    data = web.get("/country/KEN.json").json()["media"]
    chn = next(v for v in data if v["actor"] == "CHN")
    assert chn["value"] == pytest.approx(0.5) and chn["run"] == "fixture"
    assert [o["outlet"] for o in chn["outlets"]] == ["nation.example", "star.example"]
    assert {p["local_url"] for p in chn["pairs"]} == {"https://nation.example/k1",
                                                      "https://nation.example/k2"}
    html = web.get("/country/KEN").text
    assert "State-media content republished locally" in html
    assert "https://wire.example/x1" in html and "reattributed: staff" in html
    assert web.get("/country/UGA.json").json()["media"] == []  # no corpus: nothing shown
