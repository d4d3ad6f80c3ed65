"""The default index on the store built from the whole mirror (the `built_store` fixture)."""

from __future__ import annotations

import pandas as pd

from sharppower.index import indicator_summary, latest_run, scores, screening


def test_default_spec_scores_influence_and_the_four_pillars_for_both_actors(built_store):
    _, db = built_store
    stored = scores(db, level=None)
    nodes = stored[stored["level"] != "domain"].groupby("actor")["node"].unique().apply(set)
    assert nodes["CHN"] == {"influence", "attraction", "reach", "sharp_power", "resilience"}
    assert nodes["RUS"] == {"influence", "attraction", "sharp_power", "resilience"}  # no reach data
    influence = stored[stored["node"] == "influence"]
    assert influence.groupby("actor")["year"].min().max() <= 2000
    assert influence.groupby("actor")["year"].max().min() >= 2024  # evidence runs to 2025
    assert (stored["rank_low"] <= stored["rank"]).all() and (stored["rank"] <= stored["rank_high"]).all()
    # resilience covers the targets WGI, V-Dem and Freedom House cover: well over 150
    res = stored[(stored["node"] == "resilience") & (stored["year"] == 2015)]
    assert res.groupby("actor")["target"].nunique().min() > 150


def test_the_suspect_pew_wave_is_left_out(built_store):
    _, db = built_store
    attraction = scores(db, "CHN", level="pillar")
    years = set(attraction.loc[attraction["node"] == "attraction", "year"])
    assert {2012, 2014} <= years and 2013 not in years  # CHN 2013 tracks the USA column
    assert latest_run(db)["summary"]["inputs"]["skipped_flagged"] > 0


def test_directions_and_screening_report_on_real_data(built_store):
    _, db = built_store
    ind = indicator_summary(db).set_index(["actor", "indicator"])
    # a negative-direction indicator enters reversed: it moves with its pillar
    assert ind.loc[("CHN", "res_vdem_corruption"), "correlation"] > 0.5
    assert ind.loc[("RUS", "att_unfavorable"), "correlation"] > 0.5
    dropped = screening(db)
    assert {"pillar", "unit"} <= set(dropped["kind"])
    assert dropped["reason"].str.contains("<").all()
    assert isinstance(dropped, pd.DataFrame) and (dropped["coverage"] < dropped["threshold"]).all()
