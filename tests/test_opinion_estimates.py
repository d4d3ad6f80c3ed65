"""Weighted estimates and design-based standard errors of the opinion engine.

Checked against (1) R's `survey` package, (2) a case computed by hand, (3) the mirror
curator's own country-year aggregation, (4) the essay's four published 2022 figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sharppower.measures.opinion import compute_estimates
from sharppower.measures.opinion.schema import ESTIMATE_COLUMNS, STATE_ACTORS
from sharppower.sources.connectors.pew import ROW_LABEL, read_rds

MIRROR = os.environ.get("SHARPPOWER_MIRROR")


@pytest.fixture(scope="module")
def respondents() -> pd.DataFrame:
    if not MIRROR:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    return read_rds(Path(MIRROR) / "pew_global_attitudes" / "pew_all_opi.RDS")


@pytest.fixture(scope="module")
def estimates(respondents) -> pd.DataFrame:
    return compute_estimates(respondents, "pew_all_opi.RDS", ROW_LABEL, actors=list(STATE_ACTORS))


def cell(est: pd.DataFrame, actor: str, year: int, public: str) -> pd.Series:
    row = est[(est["actor"] == actor) & (est["year"] == year) & (est["public"] == public)]
    assert len(row) == 1, (actor, year, public)
    return row.iloc[0]


# Made once with R 4 / survey 4.1.1 by tests/fixtures/opinion/survey_check.R on the mirror's
# pew_all_opi.RDS: svymean(~fav + unfav + vunfav + dk + net, svydesign(ids = ~1,
# weights = ~wgt)) per cell; (mean, SE) on the proportion scale, printed to six decimals.
R_SURVEY = {
    ("CHN", 2022, "SWE"): {"n": 1029, "favorable": (0.152261, 0.015079),
                           "unfavorable": (0.828736, 0.015916),
                           "very_unfavorable": (0.365576, 0.019928),
                           "dk": (0.019003, 0.006175), "net": (-0.676475, 0.030386)},
    ("CHN", 2022, "KOR"): {"n": 1008, "favorable": (0.187107, 0.012702),
                           "unfavorable": (0.804682, 0.012929),
                           "very_unfavorable": (0.321016, 0.017240),
                           "dk": (0.008210, 0.002822), "net": (-0.617575, 0.025476)},
    ("USA", 2007, "PAK"): {"n": 2008, "favorable": (0.154355, 0.008530),
                           "unfavorable": (0.685481, 0.011336),
                           "very_unfavorable": (0.543781, 0.012100),
                           "dk": (0.160164, 0.009254), "net": (-0.531125, 0.017802)},
    ("RUS", 2019, "POL"): {"n": 1030, "favorable": (0.327264, 0.017107),
                           "unfavorable": (0.589428, 0.018007),
                           "very_unfavorable": (0.237150, 0.015092),
                           "dk": (0.083307, 0.010857), "net": (-0.262164, 0.033406)},
    ("CHN", 2008, "JPN"): {"n": 708, "favorable": (0.137868, 0.015465),
                           "unfavorable": (0.839865, 0.016478),
                           "very_unfavorable": (0.339819, 0.019612),
                           "dk": (0.022267, 0.006909), "net": (-0.701998, 0.031204)},
}


@pytest.mark.parametrize("key", list(R_SURVEY))
def test_estimates_and_se_agree_with_r_survey(estimates, key):
    expected = R_SURVEY[key]
    row = cell(estimates, *key)
    assert row["n"] == expected["n"]
    for measure, (mean, se) in ((k, v) for k, v in expected.items() if k != "n"):
        # three decimals asked; R printed six, so agree to the printing precision
        assert abs(row[measure] / 100 - mean) < 1e-6, measure
        assert abs(row[f"{measure}_se"] / 100 - se) < 1e-6, measure
        assert row[f"{measure}_ci_low"] == pytest.approx(100 * (mean - 1.959964 * se), abs=1e-3)


def test_hand_computed_case():
    # One public, four respondents asked about CHN (weights 1, 2, 3, 4; W = 10, sum w^2 = 30)
    # answering Very favorable, Somewhat unfavorable, DK, Very unfavorable; a fifth was not
    # asked (code -1) and must not count. By hand, with v = n/(n-1) sum w^2 (y-p)^2 / W^2:
    #   favorable   p = 1/10 = 0.1;  sum w^2 (y-p)^2 = 0.81 + 0.04 + 0.09 + 0.16 = 1.10
    #               v = 4/3 * 1.10 / 100 = 0.0146667, se = 0.121106
    #   unfavorable p = (2+4)/10 = 0.6; sum = 0.36 + 0.64 + 3.24 + 2.56 = 6.80
    #               v = 0.0906667, se = 0.301109
    #   dk          p = 0.3; sum = 0.09 + 0.36 + 4.41 + 1.44 = 6.30; v = 0.084, se = 0.289828
    #   net         p = (1 - 2 - 4)/10 = -0.5; sum = 2.25 + 1 + 2.25 + 4 = 9.5
    #               v = 0.126667, se = 0.355903
    #   Kish deff   = n sum w^2 / W^2 = 4 * 30 / 100 = 1.2
    resp = pd.DataFrame({
        "year": [2020] * 5, "public": ["SWE"] * 5, "public_code": ["SWE"] * 5,
        "weight": [1.0, 2.0, 3.0, 4.0, 5.0],
        "opi_CHN": np.array([0, 2, 4, 3, -1], dtype=np.int8),
    })
    row = compute_estimates(resp, "hand", "{year} {code}").iloc[0]
    assert row["n"] == 4 and row["weight_sum"] == 10 and row["deff"] == pytest.approx(1.2)
    expected = {"favorable": (10, 12.1106), "unfavorable": (60, 30.1109), "dk": (30, 28.9828),
                "net": (-50, 35.5903), "very_unfavorable": (40, None)}
    for measure, (value, se) in expected.items():
        assert row[measure] == pytest.approx(value)
        if se is not None:
            assert row[f"{measure}_se"] == pytest.approx(se, abs=1e-3)
    assert row["favorable_ci_low"] == 0.0  # 10 - 1.96 * 12.1 clipped at 0
    assert row["source_row"] == "2020 SWE"


def test_every_cell_matches_the_curators_aggregation(estimates):
    """The mirror's country-year CSV was computed separately by the mirror's curator
    (weighted shares, DK/refused in the denominator, 1 decimal)."""
    agg = pd.read_csv(Path(MIRROR) / "pew_global_attitudes" / "pew_favorability_country_year.csv")
    agg["public"] = agg["iso3"].replace({"PLS": "PSE"})
    both = estimates.merge(agg, left_on=["actor", "public", "year"],
                           right_on=["target", "public", "year"], suffixes=("", "_csv"))
    assert len(both) == len(estimates) == 2037
    assert (both["n"] == both["n_csv"]).all()
    pairs = [("favorable", "favorable_csv"), ("unfavorable", "unfavorable_csv"),
             ("very_unfavorable", "very_unfav"), ("dk", "dk_ref")]
    for ours, theirs in pairs:
        assert (both[ours] - both[theirs]).abs().max() <= 0.05 + 1e-9, ours


@pytest.mark.parametrize("public, published", [("SWE", 83), ("CAN", 74), ("AUS", 86), ("KOR", 80)])
def test_essay_2022_figures_within_one_point(estimates, public, published):
    # "unfavourable views of China in 2022: Sweden 83%, Canada 74%, Australia 86%,
    # South Korea 80%" (Pew, quoted in the seed essay)
    assert abs(cell(estimates, "CHN", 2022, public)["unfavorable"] - published) <= 1.0


def test_conventions(estimates):
    # don't know / refused stay in the denominator: the three shares add up to 100
    total = estimates["favorable"] + estimates["unfavorable"] + estimates["dk"]
    assert np.allclose(total, 100)
    assert np.allclose(estimates["net"], estimates["favorable"] - estimates["unfavorable"])
    own = estimates[estimates["self_rating"]]
    assert set(own["actor"]) <= {"USA", "CHN", "RUS", "IRN", "DEU", "FRA", "JPN", "IND", "BRA"}
    assert (own["actor"] == own["public"]).all() and len(own) > 30
    assert list(estimates.columns) == ESTIMATE_COLUMNS
    row = cell(estimates, "CHN", 2022, "SWE")
    assert row["source_row"] == "pew_all_opi.RDS: wav=2022, sta=SWE"
    assert row["unfavorable_ci_low"] < row["unfavorable"] < row["unfavorable_ci_high"]
    assert 1 < row["deff"] < 3


def test_publics_under_a_second_code_keep_it(estimates):
    pse = estimates[(estimates["public"] == "PSE") & (estimates["year"] == 2014)]
    assert set(pse["public_code"]) == {"PLS"}
    assert pse["source_row"].str.contains("sta=PLS").all()
