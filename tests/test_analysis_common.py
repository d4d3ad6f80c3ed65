"""Analysis plumbing: reading measures from the store (both backends) and small statistics.

Synthetic observations are written with the `put` and `fav` fixtures (tests/conftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sharppower.analysis.common import Z95, interval_side, read_observations
from sharppower.analysis.stats import correlation, fisher_interval, poisson_interval


def test_read_observations_prefers_real_source_and_completes_intervals(db, put, fav):
    put(db, [fav("SWE", 2022, 20.0, source="starter")])
    put(db, [fav("SWE", 2022, 14.0, se=1.2), fav("KEN", 2022, 49.0, ci_low=45.0, ci_high=53.0),
             fav("KEN", 2022, 99.0, actor="RUS")])
    got = read_observations(db, "att_favorable", "CHN", 2022).set_index("target")
    assert list(got.index) == ["KEN", "SWE"]
    assert got.loc["SWE", "value"] == 14.0  # the starter fact gives way
    assert got.loc["SWE", "ci_low"] == pytest.approx(14.0 - 1.959964 * 1.2, abs=1e-5)
    assert got.loc["KEN", "se"] == pytest.approx(8.0 / (2 * 1.959964), abs=1e-5)
    assert math.isnan(got.loc["KEN", "rank"])


def test_flagged_values_are_missing_not_zero(db, put, fav):
    put(db, [fav("FRA", 2013, 40.0, se=1.5, flags=["suspect"]), fav("DEU", 2013, 28.0, flags=["self_rating"])])
    got = read_observations(db, "att_favorable", "CHN", 2013).set_index("target")
    assert math.isnan(got.loc["FRA", "value"]) and got.loc["FRA", "flags"] == ["suspect"]
    assert got.loc["DEU", "value"] == 28.0  # only the excluded flags blank a value


def test_target_only_indicators_are_read_with_null_actor(db, put):
    put(db, [{"target": "SWE", "year": 2021, "indicator": "res_fh_total", "value": 100.0},
             {"actor": "CHN", "target": "SWE", "year": 2021, "indicator": "res_fh_total", "value": 1.0}])
    got = read_observations(db, "res_fh_total", "CHN", None)
    assert got["value"].tolist() == [100.0]


def test_unknown_indicator_is_an_error(db):
    with pytest.raises(KeyError, match="not in the codebook"):
        read_observations(db, "att_nonsense", "CHN")


def test_interval_side():
    import pandas as pd
    low = pd.Series([51.0, 40.0, 45.0, np.nan])
    high = pd.Series([60.0, 49.0, 55.0, 60.0])
    assert interval_side(low, high, 50.0).tolist() == [1, -1, 0, pd.NA]


def test_fisher_interval_matches_scipy_pearson():
    rng = np.random.default_rng(3)
    x = rng.normal(size=25)
    y = 0.6 * x + rng.normal(size=25)
    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(0.95)  # scipy uses the Fisher transformation too
    got = correlation(x, y, "pearson")
    assert got["r"] == pytest.approx(res.statistic)
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert got["n"] == 25


def test_fisher_interval_by_hand():
    # r = 0.5, n = 28: z = 0.549306, se = 1/5 = 0.2, z +/- 0.391993 -> tanh
    low, high = fisher_interval(0.5, 28)
    assert low == pytest.approx(math.tanh(0.5493061443 - 0.3919928), abs=1e-7)
    assert high == pytest.approx(math.tanh(0.5493061443 + 0.3919928), abs=1e-7)
    assert (round(low, 4), round(high, 4)) == (0.1560, 0.7358)
    # Spearman uses the Fieller-Hartley-Pearson variance 1.06 / (n - 3)
    slow, shigh = fisher_interval(0.5, 28, "spearman")
    assert slow == pytest.approx(math.tanh(0.5493061443 - Z95 * math.sqrt(1.06 / 25)), abs=1e-9)
    assert slow < low and shigh > high
    assert all(math.isnan(v) for v in fisher_interval(0.5, 3))


def test_correlation_skips_missing_pairs_and_constant_input():
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    y = np.array([2.0, 1.0, 3.0, np.nan, 7.0, 6.0])
    got = correlation(x, y, "spearman")
    assert got["n"] == 4
    assert got["r"] == pytest.approx(stats.spearmanr([1, 2, 5, 6], [2, 1, 7, 6]).statistic)
    assert math.isnan(correlation(np.ones(6), np.arange(6.0))["r"])


def test_poisson_interval_garwood_by_hand():
    low, high = poisson_interval(np.array([0, 4, np.nan]))
    # k = 0: [0, -ln(0.025)]; k = 4: chi2(0.025, 8)/2 = 1.0899, chi2(0.975, 10)/2 = 10.2416
    assert low[0] == 0 and high[0] == pytest.approx(-math.log(0.025), abs=1e-9)
    assert (low[1], high[1]) == pytest.approx((1.0899, 10.2416), abs=1e-4)
    assert math.isnan(low[2]) and math.isnan(high[2])
