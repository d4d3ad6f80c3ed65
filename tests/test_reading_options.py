"""Issue 23: the map offers, per actor, only the measures with data (no empty maps)."""

from __future__ import annotations

from test_web_support import add_index_inputs, add_opinion, client, make_app

from sharppower.analysis.common import measure
from sharppower.web.catalogue import measure_options


def test_map_offers_only_measures_with_data_for_the_actor(demo_db, conf):
    from sharppower.index.build import build_index

    add_opinion(demo_db)
    add_index_inputs(demo_db)
    build_index(demo_db, runs=10, seed=1)
    web = client(make_app(conf, demo_db))
    for actor in ("CHN", "RUS"):
        offered = {o["code"] for o in web.get(f"/map.json?actor={actor}").json()["options"]}
        for option in measure_options(demo_db):
            has = not measure(demo_db, actor, option["code"]).dropna(subset=["value"]).empty
            assert (option["code"] in offered) == has, (actor, option["code"], has)
    chn = {o["code"] for o in web.get("/map.json?actor=CHN").json()["options"]}
    assert {"index:index:influence", "exp_trade_share", "att_favorable"} <= chn


def test_quadrant_offers_no_retired_v1_axes(demo_db, conf):
    web = client(make_app(conf, demo_db))
    axes = web.get("/quadrant.json").json()["influence_axes"]
    assert {"influence", "exposure", "pressure", "effect"} <= set(axes)
    assert not {"reach", "sharp_power"} & set(axes)
    assert "reach" in web.get("/quadrant.json?influence=reach").json()["influence_axes"]
