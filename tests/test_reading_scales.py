"""Issue 23, "Numbers without meaning": every score says its scale and which way is more
(`sharppower.index.scales`), on the profile, the map's tooltip and the data package; the
attraction pillar is told apart from the favourable share; vulnerability and the resilience
covariates say how to read them."""

from __future__ import annotations

import pandas as pd
import pytest
from test_web_support import add_index_inputs, add_opinion, client, make_app

from sharppower.analysis.datapackage import FIELDS, table, with_scale
from sharppower.index.scales import covariate_direction, pillar_of, scale_text
from sharppower.index.spec import load_spec

INFLUENCE = "0-100, higher = more influence"


def test_scale_follows_the_pillar_a_node_sits_under():
    nodes = load_spec().nodes()
    assert scale_text("index", "influence", nodes) == INFLUENCE
    assert scale_text("pillar", "exposure", nodes) == INFLUENCE
    assert scale_text("domain", "trade_dependence", nodes) == INFLUENCE
    assert scale_text("pillar", "resilience", nodes) == "0-100, higher = more resilient"
    assert scale_text("domain", "press_freedom", nodes) == "0-100, higher = more resilient"
    assert scale_text("domain", "public_opinion", nodes) == "0-100, higher = more attraction"
    assert pillar_of("domain", "un_alignment", nodes) == "effect"
    assert pillar_of("index", "influence", nodes) is None


def test_covariate_reading_follows_the_codebook_direction():
    assert covariate_direction("positive") == covariate_direction(1) == "higher = more resilient"
    assert covariate_direction("negative") == covariate_direction(-1) == "higher = less resilient"
    assert covariate_direction(None) == "" and covariate_direction(float("nan")) == ""


def test_data_package_scores_carry_their_scale_and_resilience_is_not_influence():
    nodes = load_spec().nodes()
    frame = pd.DataFrame({"actor": ["CHN"] * 3, "target": ["SWE"] * 3, "year": [2020] * 3,
                          "level": ["index", "pillar", "domain"],
                          "node": ["influence", "resilience", "public_opinion"],
                          "score": [12.5, 80.0, 40.0], "rank": [3, 1, 2]})
    out = with_scale(frame, nodes)
    assert list(out.columns).index("scale") == list(out.columns).index("score") + 1
    assert out["scale"].tolist() == [INFLUENCE, "0-100, higher = more resilient",
                                     "0-100, higher = more attraction"]
    assert "more resilient" in FIELDS["score"][1] and "more resilient" in FIELDS["scale"][1]


@pytest.fixture
def indexed(demo_db, conf):
    from sharppower.index.build import build_index

    add_opinion(demo_db)
    add_index_inputs(demo_db)
    build_index(demo_db, runs=20, seed=1)
    return client(make_app(conf, demo_db))


def test_profile_map_and_download_say_the_scale(indexed, demo_db):
    profile = indexed.get("/country/KEN.json?year=2021").json()
    chn = next(b for b in profile["by_actor"] if b["actor"] == "CHN")
    scored = [s for s in chn["scores"] if s["value"] is not None]
    assert scored, "KEN has CHN scores in 2021"
    assert all(s["scale"] == INFLUENCE for s in scored if s["node"] in ("influence", "exposure"))
    assert {s["scale"] for s in chn["scores"] if s["node"] == "resilience"} == {
        "0-100, higher = more resilient"}
    html = indexed.get("/country/KEN?year=2021").text
    assert INFLUENCE in html and "0-100, higher = more resilient" in html
    assert "percentage of adults with a favourable view, a different number" in html
    assert "Vulnerability runs 0-1" in html
    assert {r["reading"] for r in profile["resilience"]} <= {
        "higher = more resilient", "higher = less resilient"}
    assert "higher = more resilient" in {r["reading"] for r in profile["resilience"]}

    shown = indexed.get("/map.json?actor=CHN&measure=index:index:influence&year=2021").json()
    assert shown["scale"] == INFLUENCE and shown["values"]
    assert all(f"({INFLUENCE})" in r["hover"] for r in shown["values"])
    indicator = indexed.get("/map.json?actor=CHN&measure=exp_trade_share&year=2021").json()
    assert indicator["scale"] == "" and "higher = more" not in indicator["values"][0]["hover"]

    scores = table(demo_db, "index_scores")
    assert not scores.empty
    assert set(scores.loc[scores["node"] == "influence", "scale"]) == {INFLUENCE}
