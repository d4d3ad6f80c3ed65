"""The analysis on the whole mirror (`built_store`), checked against independent SQL reads.

Without a mirror (SHARPPOWER_MIRROR unset) `built_store` skips the module; with one, data a
test needs that the built store lacks is a failure naming what is missing (a data
regression must not turn into a skip).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from sharppower import analysis
from sharppower.analysis.vulnerability import incident_indicators


@pytest.fixture(scope="module")
def store(built_store):
    return built_store[1]


def _obs(db, indicator, actor=None, year=None):
    sql = "SELECT actor, target, year, value, se, evidence_ids, flags FROM observations WHERE indicator = :i"
    params = {"i": indicator}
    if actor:
        sql += " AND actor = :a"
        params["a"] = actor
    if year:
        sql += " AND year = :y"
        params["y"] = year
    rows = db.read(sql, params)
    if rows.empty:
        pytest.fail(f"no {indicator} observations in the built store")
    return rows


def test_essay_publics_dislike_china_surely(store):
    """Pew 2022: 83% (SWE), 74% (CAN), 86% (AUS), 80% (KOR) unfavourable to China, so the
    favourable share is far below 50% and the attraction side of the quadrant is certain."""
    raw = _obs(store, "att_favorable", "CHN", 2022).set_index("target")
    q = analysis.quadrants(store, "CHN", 2022, influence="exp_import_share").set_index("target")
    for t in ("SWE", "CAN", "AUS", "KOR"):
        assert q.loc[t, "attraction"] == pytest.approx(raw.loc[t, "value"])
        assert q.loc[t, "attraction"] < 30 and q.loc[t, "attraction_ci_high"] < 50
        assert not q.loc[t, "attraction_high"] and bool(q.loc[t, "attraction_certain"])
    assert set(raw.index) <= set(q.index)  # every public polled appears
    _missing_is_explained(q)


def _missing_is_explained(q):
    """An axis is NaN exactly when `missing` names it; a quadrant exactly when both exist."""
    for axis in ("attraction", "influence"):
        said = q["missing"].fillna("").str.contains(f"{axis} (", regex=False)
        assert (q[axis].isna() == said).all()
    assert (q["quadrant"].notna() == (q["attraction"].notna() & q["influence"].notna())).all()


def test_movement_matches_raw_observations(store):
    raw = _obs(store, "att_favorable", "CHN")
    m = analysis.movement(store, "CHN", 2019, 2023, influence="exp_import_share").set_index("target")
    a = raw[raw["year"] == 2019].set_index("target")
    b = raw[raw["year"] == 2023].set_index("target")
    both = sorted(set(a.index) & set(b.index))
    assert len(both) >= 10
    for t in both:
        assert m.loc[t, "attraction_delta"] == pytest.approx(b.loc[t, "value"] - a.loc[t, "value"])
        se = math.hypot(a.loc[t, "se"], b.loc[t, "se"])
        assert m.loc[t, "attraction_delta_ci_high"] == pytest.approx(b.loc[t, "value"] - a.loc[t, "value"] + 1.959964 * se, abs=1e-4)
    only_one = sorted(set(a.index) ^ set(b.index))
    for t in only_one:
        assert math.isnan(m.loc[t, "attraction_delta"]) and isinstance(m.loc[t, "missing"], str)


def test_suspect_2013_wave_is_missing_not_used(store):
    raw = _obs(store, "att_favorable", "CHN", 2013)
    flagged = raw[raw["flags"].fillna("").str.contains("suspect")]
    if flagged.empty:
        pytest.fail("the opinion engine has not flagged the 2013 China wave in this store")
    q = analysis.quadrants(store, "CHN", 2013, influence="exp_import_share").set_index("target")
    for t in flagged["target"]:
        assert math.isnan(q.loc[t, "attraction"]) and "flagged" in q.loc[t, "missing"]


def test_covariate_correlation_matches_scipy(store):
    fav = _obs(store, "att_favorable", "CHN", 2019)
    fh = _obs(store, "res_fh_total", None, 2019)
    fh = fh[fh["actor"].isna()]
    pairs = fav.merge(fh, on="target", suffixes=("_a", "_c")).dropna(subset=["value_a", "value_c"])
    c = analysis.covariate_correlations(store, "CHN", 2019, measures=["att_favorable"],
                                        covariates=["res_fh_total"])
    row = c[c["method"] == "pearson"].iloc[0]
    ref = stats.pearsonr(pairs["value_a"], pairs["value_c"])
    ci = ref.confidence_interval(0.95)
    assert row["n"] == len(pairs) >= 20
    assert row["r"] == pytest.approx(ref.statistic)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    sp = c[c["method"] == "spearman"].iloc[0]
    assert sp["r"] == pytest.approx(stats.spearmanr(pairs["value_a"], pairs["value_c"]).statistic)


def test_return_on_reach_matches_raw_finance(store):
    fin = _obs(store, "reach_devfin", "CHN")
    r = analysis.return_on_reach(store, "CHN", (2007, 2010), (2013, 2016)).set_index("target")
    for t, g in list(fin.groupby("target"))[:25]:
        before = g[g["year"].between(2007, 2010)]["value"]
        expected = before.mean() if len(before) else np.nan
        got = r.loc[t, "reach_before"]
        assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
    s = analysis.reach_slope(r.reset_index()).iloc[0]
    ok = r.dropna(subset=["attraction_change", "reach_change"])
    assert s["n"] == len(ok) >= 10
    assert s["slope"] == pytest.approx(np.polyfit(ok["reach_change"], ok["attraction_change"], 1)[0])
    assert s["ci_low"] < s["slope"] < s["ci_high"]


def test_incident_pressure_counts_distinct_evidence(store):
    codes = incident_indicators()
    rows = store.read("SELECT target, evidence_ids FROM observations WHERE actor = 'RUS' AND year = 2019 "
                      f"AND indicator IN ({', '.join(repr(c) for c in codes)})")
    if rows.empty:
        pytest.fail("no evidence-ledger incident counts in the built store")
    expected = rows.groupby("target")["evidence_ids"].agg(
        lambda s: float(len(set().union(*[set(json.loads(x)) for x in s]))))
    v = analysis.vulnerability(store, "RUS", 2019, pressure="incidents", resilience="covariates")
    v = v.set_index("target")
    got = v["pressure"].dropna()
    assert got.to_dict() == expected.to_dict()
    assert (got > 0).sum() >= 10
    uncovered = v[v["pressure"].isna()]  # targets the ledger does not cover: missing, not 0
    assert len(uncovered) and uncovered["missing"].str.contains("no pressure").all()
    hit = v.dropna(subset=["vulnerability"])
    assert (hit["vulnerability_ci_low"] <= hit["vulnerability"] + 1e-12).all()
    assert (hit["vulnerability"] <= hit["vulnerability_ci_high"] + 1e-12).all()


def _copy_of(store, tmp_path):
    """A private SQLite copy of the shared built store (so a test may write to it)."""
    import sqlite3

    from sharppower.store import Database

    copy = tmp_path / "copy.db"
    src, dst = sqlite3.connect(store.engine.url.database), sqlite3.connect(copy)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return Database(f"sqlite:///{copy}")


def test_perceived_influence_where_toplines_exist(store, tmp_path):
    """The mirror has no "influence getting stronger" toplines, so import the synthetic
    fixture into a copy of the real store: the real Pew favourability meets the toplines."""
    from pathlib import Path

    from sharppower.measures.opinion import import_toplines

    db = _copy_of(store, tmp_path)
    import_toplines(db, Path(__file__).parent / "fixtures" / "opinion" / "toplines_influence.csv")
    top = _obs(db, "att_influence_stronger", "CHN")
    fav = _obs(db, "att_favorable", "CHN", 2022).set_index("target")["value"]
    p = analysis.perceived_influence(db, "CHN")
    assert set(p["year"]) == set(top["year"]) == {2022}
    both = p.dropna(subset=["influence_stronger", "favorable"]).set_index("target")
    assert set(both.index) == {"SWE", "CAN"}
    assert both.loc["SWE", "influence_stronger"] == 71
    assert both.loc["SWE", "favorable"] == pytest.approx(fav["SWE"])
    assert (both["gap"] == both["influence_stronger"] - both["favorable"]).all()


def _index_scores(db, actor, level):
    from sharppower.errors import NotFound
    from sharppower.index import scores

    try:
        s = scores(db, actor, None, level)
    except NotFound:
        pytest.fail("the built store holds no index run")
    if s.empty:
        pytest.fail(f"the index run has no {level} scores for {actor}")
    return s


def test_quadrants_on_the_influence_index(store):
    s = _index_scores(store, "CHN", "index")
    s = s[s["node"] == "influence"]
    fav = _obs(store, "att_favorable", "CHN")
    years = sorted(set(s["year"]) & set(fav["year"]))
    if not years:
        pytest.fail("no year has both an influence score and a China poll")
    year = years[-1]
    q = analysis.quadrants(store, "CHN", year).set_index("target")
    sy = s[s["year"] == year].set_index("target")
    scored = sy[sy["score"].notna()]
    assert q.loc[scored.index, "influence"].to_numpy() == pytest.approx(scored["score"].to_numpy())
    assert q["influence_threshold"].dropna().unique() == pytest.approx([scored["score"].median()])
    median = scored["score"].median()
    assert (q.loc[scored.index, "influence_interval"] == "score").all()  # v2 stores them
    for t, row in scored.iterrows():
        sure_high = row["score_low"] > median and row["score"] >= median
        sure_low = row["score_high"] < median and row["score"] < median
        assert bool(q.loc[t, "influence_certain"]) == (sure_high or sure_low), t
    _missing_is_explained(q)
    assert q["quadrant"].notna().sum() >= 10
