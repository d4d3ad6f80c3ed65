"""The analysis on index-engine scores (a stored run with rank intervals), both backends.

The run is written into the index engine's own tables with hand-chosen scores and rank
intervals, so every quadrant, certainty and vulnerability value below is computed by hand.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from scipy import stats

from sharppower import analysis
from sharppower.analysis.common import measure
from sharppower.index import tables as index_tables

# target: (influence score, rank, rank_low, rank_high); six ranked -> median rank 3.5
INFLUENCE = {"AUS": (0.80, 1, 1, 2), "KEN": (0.70, 2, 1, 4), "NGA": (0.60, 3, 2, 3),
             "SWE": (0.40, 4, 4, 6), "HUN": (0.30, 5, 3, 6), "PAK": (0.10, 6, 5, 6)}
SHARP = {"AUS": 0.2, "KEN": 0.6, "SWE": 0.3}
RESILIENCE = {"AUS": 0.9, "KEN": 0.3, "SWE": 0.95}


def _score(target, level, node, score, rank=None, low=None, high=None, n=None):
    return {"run_id": 1, "actor": "CHN", "target": target, "year": 2021, "level": level,
            "node": node, "score": score, "rank": rank, "n_ranked": n, "rank_low": low,
            "rank_high": high}


@pytest.fixture
def store(db, put, fav):
    rows = [_score(t, "index", "influence", s, r, lo, hi, len(INFLUENCE))
            for t, (s, r, lo, hi) in INFLUENCE.items()]
    rows += [_score(t, "pillar", "pressure", s, r, n=3) for t, s, r in zip(SHARP, SHARP.values(), (3, 1, 2))]
    rows += [_score(t, "pillar", "resilience", s, r, n=3)
             for t, s, r in zip(RESILIENCE, RESILIENCE.values(), (2, 3, 1))]
    with db.begin() as conn:
        conn.execute(index_tables.index_runs.insert(), {
            "id": 1, "spec": "influence", "created_at": datetime.now(UTC), "log": "{}", "summary": "{}"})
        conn.execute(index_tables.index_scores.insert(), rows)
    put(db, [fav("AUS", 2021, 20.0, 1.5), fav("KEN", 2021, 60.0, 1.5), fav("NGA", 2021, 75.0, 1.5),
             fav("SWE", 2021, 15.0, 1.0), fav("HUN", 2021, 48.0, 1.5), fav("GRC", 2021, 30.0, 1.5)]
        + [{"target": t, "year": 2021, "indicator": "res_fh_total", "value": v}
           for t, v in [("AUS", 95.0), ("KEN", 48.0), ("NGA", 43.0), ("SWE", 100.0), ("HUN", 66.0),
                        ("PAK", 37.0)]])
    return db


def test_index_measure_reads_the_stored_run(store):
    m = measure(store, "CHN", "index:index:influence", 2021).set_index("target")
    assert m.loc["KEN", "value"] == 0.70 and m.loc["KEN", "rank_high"] == 4
    assert math.isnan(m.loc["KEN", "ci_low"])  # the engine gives rank intervals, not score intervals
    assert measure(store, "CHN", "index:index:influence", 2020).empty
    assert measure(store, "RUS", "index:index:influence", 2021).empty
    with pytest.raises(ValueError, match="expected index"):
        measure(store, "CHN", "index:country:influence")


def test_quadrants_on_index_with_rank_certainty(store):
    q = analysis.quadrants(store, "CHN", 2021).set_index("target")
    assert q["influence_measure"].unique().tolist() == ["index:index:influence"]
    assert q["influence_threshold"].unique().tolist() == [pytest.approx(0.5)]  # (0.6 + 0.4) / 2
    assert set(q["influence_interval"].dropna()) == {"rank", "none"}
    assert dict(q["quadrant"].dropna()) == {
        "AUS": "influence_without_attraction", "KEN": "both", "NGA": "both", "SWE": "neither",
        "HUN": "neither"}
    # rank interval wholly better than 3.5 (AUS [1, 2], NGA [2, 3]) or worse (SWE [4, 6])
    assert dict(q["influence_certain"].dropna()) == {
        "AUS": True, "KEN": False, "NGA": True, "SWE": True, "HUN": False, "PAK": True}
    # HUN's poll straddles 50 too; KEN's influence interval straddles the median rank
    assert dict(q["quadrant_certain"].dropna()) == {
        "AUS": True, "KEN": False, "NGA": True, "SWE": True, "HUN": False}
    assert q.loc["PAK", "quadrant"] is None and "no attraction" in q.loc["PAK", "missing"]
    assert q.loc["GRC", "missing"] == "no influence (index:index:influence) for 2021"
    assert q.loc["GRC", "influence_interval"] == "none"


def test_vulnerability_from_pillars(store):
    v = analysis.vulnerability(store, "CHN", 2021).set_index("target")
    # P min-max over 0.2..0.6, R over 0.3..0.95; V = P (1 - R)
    assert v.loc["KEN", "vulnerability"] == pytest.approx(1.0)
    assert v.loc["SWE", "pressure_scaled"] == pytest.approx(0.25)
    assert v.loc["AUS", "resilience_scaled"] == pytest.approx(0.6 / 0.65)
    assert v.loc["AUS", "vulnerability"] == 0.0 and v.loc["SWE", "vulnerability"] == 0.0
    assert v.loc["KEN", "vulnerability_interval"] == "none"
    assert (v.loc["KEN", "vulnerability_ci_low"], v.loc["KEN", "vulnerability_ci_high"]) == (1.0, 1.0)
    assert list(v["pressure_measure"].unique()) == ["index:pillar:pressure"]


def test_correlation_of_influence_with_freedom(store):
    c = analysis.covariate_correlations(store, "CHN", 2021, measures=["index:index:influence"],
                                        covariates=["res_fh_total"], methods=["spearman"]).iloc[0]
    fh = {"AUS": 95.0, "KEN": 48.0, "NGA": 43.0, "SWE": 100.0, "HUN": 66.0, "PAK": 37.0}
    targets = sorted(INFLUENCE)
    ref = stats.spearmanr([INFLUENCE[t][0] for t in targets], [fh[t] for t in targets])
    assert c["n"] == 6 and c["r"] == pytest.approx(ref.statistic)
    z, se = math.atanh(ref.statistic), math.sqrt(1.06 / 3)
    assert c["ci_high"] == pytest.approx(math.tanh(z + 1.959964 * se), abs=1e-6)


def test_no_index_run_means_missing_influence(db, put, fav):
    put(db, [fav("AUS", 2021, 20.0, 1.5)])
    q = analysis.quadrants(db, "CHN", 2021)
    assert q["quadrant"].tolist() == [None]
    assert q["missing"].tolist() == ["no influence (index:index:influence) for 2021"]
