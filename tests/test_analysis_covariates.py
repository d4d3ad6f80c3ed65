"""Correlations with covariates: Pearson / Spearman with n and Fisher-z intervals (both backends)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sharppower.analysis import covariate_correlations

Z = 1.959963985
FAV = {2020: {"AUS": 15.0, "SWE": 14.0, "NGA": 72.0, "KEN": 68.0, "HUN": 40.0, "GRC": 50.0, "IND": 23.0},
       2021: {"AUS": 16.0, "SWE": 18.0, "NGA": 70.0, "KEN": 60.0, "HUN": 44.0, "GRC": 52.0}}
FH = {"AUS": 97.0, "SWE": 100.0, "NGA": 43.0, "KEN": 48.0, "HUN": 69.0, "GRC": 87.0, "IND": 66.0,
      "BRA": 73.0}


@pytest.fixture
def store(db, put, fav):
    put(db, [fav(t, y, v) for y, row in FAV.items() for t, v in row.items()]
        + [{"target": t, "year": y, "indicator": "res_fh_total", "value": v + (y - 2020)}
           for y in FAV for t, v in FH.items()]
        + [{"target": t, "year": 2020, "indicator": "res_wgi_voice", "value": v}
           for t, v in [("AUS", 1.3), ("SWE", 1.6), ("NGA", -0.4)]])
    return db


def _one(frame, **match):
    sel = frame
    for k, v in match.items():
        sel = sel[sel[k].isna()] if v is None else sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_per_year_pearson_and_spearman(store):
    c = covariate_correlations(store, "CHN", measures=["att_favorable"],
                               covariates=["res_fh_total", "res_wgi_voice"])
    assert set(c["year"]) == {2020, 2021}
    x = np.array([FAV[2020][t] for t in sorted(FAV[2020])])
    y = np.array([FH[t] for t in sorted(FAV[2020])])
    p = _one(c, year=2020, covariate="res_fh_total", method="pearson")
    ref = stats.pearsonr(x, y)
    assert p["n"] == 7 and p["r"] == pytest.approx(ref.statistic) and p["p_value"] == pytest.approx(ref.pvalue)
    z, se = math.atanh(ref.statistic), 1 / math.sqrt(7 - 3)
    assert (p["ci_low"], p["ci_high"]) == pytest.approx((math.tanh(z - Z * se), math.tanh(z + Z * se)))
    assert p["r"] < 0 and p["ci_high"] < 0  # freer publics like China less, surely so here
    s = _one(c, year=2020, covariate="res_fh_total", method="spearman")
    rho = stats.spearmanr(x, y).statistic
    se_s = math.sqrt(1.06 / 4)
    assert s["r"] == pytest.approx(rho)
    assert s["ci_low"] == pytest.approx(math.tanh(math.atanh(rho) - Z * se_s))
    assert s["missing"] is None and p["missing"] is None
    # BRA has Freedom House but no poll: the pair is not used, and the count says so
    assert _one(c, year=2021, covariate="res_fh_total", method="pearson")["n"] == 6


def test_too_few_pairs_and_absent_inputs_say_why(store, put):
    put(store, [{"target": t, "year": 2015, "indicator": "res_wgi_voice", "value": 1.0 + i}
                for i, t in enumerate(FH)])  # a year without any poll: no row for it
    c = covariate_correlations(store, "CHN", measures=["att_favorable", "att_net"],
                               covariates=["res_wgi_voice"], methods=["pearson"])
    w = _one(c, year=2020, measure="att_favorable", covariate="res_wgi_voice")
    assert w["n"] == 3 and math.isnan(w["ci_low"])
    assert w["missing"].startswith("n = 3 pairs < 4") and "4 targets without res_wgi_voice" in w["missing"]
    assert set(c["year"].dropna()) == {2020, 2021}
    w21 = _one(c, year=2021, measure="att_favorable", covariate="res_wgi_voice")
    assert w21["n"] == 0 and math.isnan(w21["r"])
    net = c[c["measure"] == "att_net"]
    assert len(net) == 1 and net.iloc[0]["n"] == 0 and pd.isna(net.iloc[0]["year"])
    assert net.iloc[0]["missing"] == "no att_net observations"


def test_pooled_target_mean_and_stack(store):
    c = covariate_correlations(store, "CHN", measures=["att_favorable"], covariates=["res_fh_total"],
                               methods=["pearson"], pooling="target_mean")
    row = c.iloc[0]
    assert len(c) == 1 and row["pooling"] == "target_mean" and row["year"] is pd.NA
    targets = sorted(FAV[2020])
    x = [np.mean([FAV[y][t] for y in FAV if t in FAV[y]]) for t in targets]
    y = [np.mean([FH[t] + (yr - 2020) for yr in FAV if t in FAV[yr]]) for t in targets]
    assert row["n"] == 7 and row["r"] == pytest.approx(stats.pearsonr(x, y).statistic)
    st = covariate_correlations(store, "CHN", measures=["att_favorable"], covariates=["res_fh_total"],
                                methods=["pearson"], pooling="stack").iloc[0]
    assert st["n"] == 13  # target-years with both


def test_index_measure_without_index_run_is_missing(store):
    c = covariate_correlations(store, "CHN", 2020, measures=["index:pillar:sharp_power"],
                               covariates=["res_fh_total"], methods=["pearson"])
    row = c.iloc[0]
    assert row["n"] == 0 and math.isnan(row["r"])
    assert row["missing"] == "no index:pillar:sharp_power observations"
