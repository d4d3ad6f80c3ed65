"""Return on reach: period aggregates, attraction-change intervals, slopes (both backends)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sharppower.analysis import reach_slope, reach_slopes, return_on_reach
from sharppower.analysis.stats import bootstrap_slope

Z = 1.959963985


def fin(target, year, value):
    return {"actor": "CHN", "target": target, "year": year, "indicator": "reach_devfin", "value": value}


def ci(target, year, value):
    return {"actor": "CHN", "target": target, "year": year, "indicator": "reach_confucius_institutes",
            "value": value}


@pytest.fixture
def store(db, put, fav):
    """Five African publics and Sweden, periods 2008-2010 and 2015-2017."""
    put(db, [
        fav("KEN", 2008, 70.0, 2.0), fav("KEN", 2010, 72.0, 2.0), fav("KEN", 2016, 64.0, 1.5),
        fav("NGA", 2009, 80.0, 1.8), fav("NGA", 2016, 83.0, 1.6), fav("NGA", 2017, 81.0, 1.6),
        fav("GHA", 2008, 75.0, 2.2), fav("GHA", 2016, 49.0, 2.0),
        fav("TZA", 2009, 71.0, 2.0), fav("TZA", 2015, 77.0, 2.0),
        fav("ZAF", 2010, 52.0, 1.9), fav("ZAF", 2016, 45.0),  # one wave without se
        fav("SWE", 2008, 40.0, 1.5), fav("SWE", 2016, 30.0, 1.5),  # no finance recorded
        fin("KEN", 2008, 100.0), fin("KEN", 2009, 300.0), fin("KEN", 2016, 1500.0), fin("KEN", 2017, 900.0),
        fin("NGA", 2010, 450.0), fin("NGA", 2015, 600.0),
        fin("GHA", 2009, 60.0), fin("GHA", 2015, 2400.0), fin("GHA", 2016, 300.0),
        fin("TZA", 2008, 30.0), fin("TZA", 2016, 120.0),
        fin("ZAF", 2016, 800.0),  # nothing in the first period
        ci("KEN", 2008, 1.0), ci("KEN", 2010, 1.0), ci("KEN", 2017, 2.0),
        ci("NGA", 2009, 2.0), ci("NGA", 2015, 2.0),
    ])
    return db


def test_period_aggregates_and_change_interval(store):
    r = return_on_reach(store, "CHN", (2008, 2010), (2015, 2017)).set_index("target")
    assert list(r.index) == ["GHA", "KEN", "NGA", "SWE", "TZA", "ZAF"]
    assert (r.loc["KEN", "before"], r.loc["KEN", "after"]) == ("2008-2010", "2015-2017")
    # KEN attraction: mean(70, 72) = 71, se sqrt(2^2 + 2^2) / 2 = 1.4142; after 64 (se 1.5)
    assert r.loc["KEN", "attraction_before"] == 71.0 and r.loc["KEN", "attraction_before_years"] == 2
    se = math.sqrt((math.sqrt(8) / 2) ** 2 + 1.5 ** 2)
    assert r.loc["KEN", "attraction_change"] == -7.0
    assert r.loc["KEN", "attraction_change_se"] == pytest.approx(se)
    assert r.loc["KEN", "attraction_change_ci_low"] == pytest.approx(-7 - Z * se)
    # finance is a flow: annual mean over the years present: (100 + 300) / 2 -> (1500 + 900) / 2
    assert (r.loc["KEN", "reach_before"], r.loc["KEN", "reach_after"]) == (200.0, 1200.0)
    assert r.loc["KEN", "reach_change"] == 1000.0 and r.loc["KEN", "reach_after_years"] == 2
    assert r.loc["NGA", "attraction_after"] == 82.0
    # ZAF: a wave without se leaves the change without interval; no finance before 2015
    assert r.loc["ZAF", "attraction_change"] == -7.0 and math.isnan(r.loc["ZAF", "attraction_change_se"])
    assert math.isnan(r.loc["ZAF", "reach_before"]) and r.loc["ZAF", "reach_before_years"] == 0
    assert r.loc["ZAF", "missing"] == "no reach_devfin in 2008-2010"
    # SWE: never filled with zero
    assert math.isnan(r.loc["SWE", "reach_change"])
    assert r.loc["SWE", "missing"] == "no reach_devfin in 2008-2010; no reach_devfin in 2015-2017"
    assert r.loc["KEN", "missing"] is None


def test_stock_reach_uses_last_year_and_other_actor_is_missing(store):
    r = return_on_reach(store, "CHN", (2008, 2010), (2015, 2017), reach="confucius_institutes")
    r = r.set_index("target")
    assert (r.loc["KEN", "reach_before"], r.loc["KEN", "reach_after"], r.loc["KEN", "reach_change"]) == (1, 2, 1)
    assert r.loc["NGA", "reach_change"] == 0.0  # a real zero change, both periods observed
    rus = return_on_reach(store, "RUS", 2008, 2016)
    assert rus.empty


def test_log_transform(store):
    r = return_on_reach(store, "CHN", (2008, 2010), (2015, 2017), transform="log1p").set_index("target")
    assert r.loc["KEN", "reach_change"] == pytest.approx(math.log1p(1200) - math.log1p(200))


def test_ols_slope_matches_polyfit_and_linregress(store):
    r = return_on_reach(store, "CHN", (2008, 2010), (2015, 2017))
    s = reach_slope(r).iloc[0]
    both = r.dropna(subset=["attraction_change", "reach_change"])
    assert sorted(both["target"]) == ["GHA", "KEN", "NGA", "TZA"]
    x, y = both["reach_change"].to_numpy(), both["attraction_change"].to_numpy()
    slope, intercept = np.polyfit(x, y, 1)
    assert s["slope"] == pytest.approx(slope) and s["intercept"] == pytest.approx(intercept)
    lr = stats.linregress(x, y)
    half = stats.t.ppf(0.975, len(x) - 2) * lr.stderr
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((lr.slope - half, lr.slope + half))
    assert (s["n"], s["excluded"], s["method"], s["reach"]) == (4, 2, "ols", "finance")
    assert s["missing"] is None


def test_bootstrap_slope_equals_a_loop_over_the_same_draws():
    rng = np.random.default_rng(11)
    x = rng.normal(500, 300, size=30)
    y = -0.01 * x + rng.normal(0, 4, size=30)
    got = bootstrap_slope(x, y, seed=5, replications=500)
    idx = np.random.default_rng(5).integers(0, 30, size=(500, 30))
    loop = [np.polyfit(x[i], y[i], 1)[0] for i in idx]
    assert (got["ci_low"], got["ci_high"]) == pytest.approx(tuple(np.percentile(loop, [2.5, 97.5])))
    assert got["slope"] == pytest.approx(np.polyfit(x, y, 1)[0])
    assert got["ci_low"] < got["slope"] < got["ci_high"]


def test_slope_with_too_few_targets_says_why(store):
    r = return_on_reach(store, "CHN", (2008, 2010), (2015, 2017), reach="confucius_institutes")
    s = reach_slope(r).iloc[0]
    assert s["n"] == 2 and math.isnan(s["ci_low"])
    assert s["missing"] == "only 2 targets with both changes (need 3)"


def test_reach_slopes_table(store):
    t = reach_slopes(store, "CHN", (2008, 2010), (2015, 2017), reaches=["finance", "media_partnerships"],
                     method="bootstrap")
    assert t["reach"].tolist() == ["finance", "media_partnerships"]
    assert t.loc[0, "n"] == 4 and np.isfinite(t.loc[0, "ci_low"])
    assert t.loc[1, "n"] == 0 and t.loc[1, "missing"] == "only 0 targets with both changes (need 3)"


def test_period_order_is_checked(store):
    with pytest.raises(ValueError, match="comes before"):
        return_on_reach(store, "CHN", (2010, 2008), 2016)
