"""The default index (influence v2) on the store built from the whole mirror (the
`built_store` fixture): coverage, comparability, uncertainty and believability."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sharppower import analysis
from sharppower.index import indicator_summary, latest_run, scores, screening
from sharppower.index.nodes import default_year

YEARS = range(2010, 2024)


@pytest.fixture(scope="module")
def stored(built_store):
    _, db = built_store
    return scores(db, level=None)


def test_exposure_pressure_effect_for_both_actors(stored):
    nodes = stored[stored["level"] != "domain"].groupby("actor")["node"].unique().apply(set)
    pillars = {"attraction", "exposure", "pressure", "effect", "resilience"}
    assert nodes["CHN"] == {"influence"} | pillars
    assert nodes["RUS"] == {"influence"} | pillars
    rus = set(stored[(stored["actor"] == "RUS") & (stored["level"] == "domain")]["node"])
    assert {"trade_dependence", "arms_dependence", "un_alignment"} <= rus
    assert "institutes" not in rus and "bri_alignment" not in rus  # China-only sources


def test_every_year_2010_2023_scores_the_world_with_intervals_and_coverage(stored):
    index = stored[stored["node"] == "influence"]
    for actor in ("CHN", "RUS"):
        counts = index[index["actor"] == actor].groupby("year")["target"].nunique()
        assert all(counts.get(y, 0) >= 150 for y in YEARS), counts.loc[list(YEARS)].to_dict()
    chn21 = index[(index["actor"] == "CHN") & (index["year"] == 2021)]
    assert len(chn21) >= 150
    assert {"AUS", "JPN", "KOR", "IND", "VNM", "NZL"} <= set(chn21["target"])
    years = index[index["year"].between(2010, 2023)]
    assert years[["score_low", "score_high", "rank_low", "rank_high"]].notna().all().all()
    assert (years["score_low"] <= years["score"]).all() and (years["score"] <= years["score_high"]).all()
    assert (years["rank_low"] <= years["rank"]).all() and (years["rank"] <= years["rank_high"]).all()
    assert years["components"].str.len().gt(0).all()
    stale = years[years["year"] == 2022]
    assert stale["max_stale_age"].max() <= 5 and stale["stale_components"].str.len().gt(0).any()


def _components(text: str) -> set[str]:
    return {c for c in str(text or "").split(";") if c}


def test_no_ranking_compares_disjoint_component_sets(stored):
    for (actor, year, node), group in stored[stored["level"] != "domain"].groupby(
            ["actor", "year", "node"]):
        sets = [frozenset(_components(c)) for c in group["components"]]
        for a, b in itertools.combinations(set(sets), 2):
            assert a & b, (actor, year, node, sorted(a), sorted(b))


def test_believable_top_and_bottom(stored):
    """A regional expert's sanity check: China's most exposed and aligned targets are its
    neighbours and debtors; Russia's are Belarus, Central Asia and the Caucasus; Western
    democracies are at the bottom for both."""
    index = stored[(stored["node"] == "influence") & (stored["year"] == 2021)]
    rank = {a: dict(zip(g["target"], g["rank"])) for a, g in index.groupby("actor")}
    top_chn = {t for t, r in rank["CHN"].items() if r <= 25}
    assert {"KHM", "PAK", "LAO"} <= top_chn
    assert rank["RUS"]["BLR"] <= 3
    assert sum(rank["RUS"][t] <= 20 for t in ("KAZ", "KGZ", "TJK", "ARM", "UZB")) >= 4
    assert not {"HKG", "MAC"} & set(rank["CHN"])  # China's own territories, never its targets
    n = len(rank["RUS"])
    for t in ("USA", "CAN", "AUS", "SWE"):
        assert rank["RUS"][t] > 0.75 * n and rank["CHN"][t] > rank["CHN"]["KHM"]


def test_data_assumptions_widen_the_intervals_of_stale_scores(stored):
    index = stored[(stored["node"] == "influence") & (stored["actor"] == "CHN")]
    width = (index["score_high"] - index["score_low"]).groupby(index["year"]).median()
    assert width.loc[2022] > width.loc[2017]  # more inputs stale in 2022 than in 2017


def test_default_year_is_complete_and_not_mostly_stale(built_store):
    _, db = built_store
    for actor in ("CHN", "RUS"):
        year = default_year(db, actor)
        assert 2018 <= year <= 2023, year


def test_disconnect_places_the_essay_publics_for_china_2022(built_store):
    _, db = built_store
    q = analysis.quadrants(db, "CHN", 2022).set_index("target")
    for t in ("AUS", "KOR", "SWE", "CAN"):
        assert q.loc[t, ["attraction", "influence"]].notna().all(), t
        assert pd.notna(q.loc[t, "quadrant"])
        assert q.loc[t, "attraction"] < 50  # they dislike China (Pew 2022)


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
    assert "unit" in set(dropped["kind"])
    assert dropped["reason"].str.contains("<").all()
    assert (dropped["coverage"] < dropped["threshold"]).all()
    assert np.isfinite(dropped["coverage"]).all()
