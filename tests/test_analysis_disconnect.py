"""Attraction versus influence: quadrants, certainty, movement, perceived influence (both backends)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sharppower.analysis import movement, perceived_influence, perceived_medians, quadrants
from sharppower.analysis.common import tidy
from sharppower.analysis.disconnect import MEDIAN, Axis, classify

Z = 1.959963985


def imports(target, year, value, se=None):
    return {"actor": "CHN", "target": target, "year": year, "indicator": "exp_import_share",
            "value": value, "se": se}


@pytest.fixture
def store(db, put, fav):
    """CHN in four publics, 2019 and 2022; import share from China stands in for influence."""
    put(db, [
        fav("SWE", 2019, 25.0, 1.4), fav("NGA", 2019, 70.0, 1.5), fav("KEN", 2019, 55.0, 1.6),
        fav("HUN", 2019, 40.0, 1.5),
        fav("SWE", 2022, 14.0, 1.2), fav("NGA", 2022, 80.0, 1.5), fav("KEN", 2022, 49.0, 1.6),
        imports("SWE", 2019, 0.07), imports("NGA", 2019, 0.18), imports("KEN", 2019, 0.12),
        imports("HUN", 2019, 0.05),
        imports("SWE", 2022, 0.08, 0.01), imports("NGA", 2022, 0.25, 0.02),
        imports("KEN", 2022, 0.20, 0.05), imports("HUN", 2022, 0.06),
        fav("SWE", 2022, 70.0, actor="RUS"),  # another actor: never mixed in
    ])
    return db


def test_quadrants_by_hand(store):
    q = quadrants(store, "CHN", 2022, influence="exp_import_share").set_index("target")
    assert list(q.index) == ["HUN", "KEN", "NGA", "SWE"]
    # influence threshold: median of 0.06, 0.08, 0.20, 0.25 = 0.14; attraction threshold 50%
    assert q["influence_threshold"].unique().tolist() == [pytest.approx(0.14)]
    assert q["attraction_threshold"].unique().tolist() == [50.0]
    assert (q["attraction_threshold_rule"].unique().tolist(), q["influence_threshold_rule"].unique().tolist()) == (
        ["fixed"], ["median"])
    assert q.loc["SWE", "quadrant"] == "neither"
    assert q.loc["NGA", "quadrant"] == "both"
    assert q.loc["KEN", "quadrant"] == "influence_without_attraction"
    assert q.loc["HUN", "quadrant"] is None
    # certainty: SWE [11.6, 16.4] < 50 and [0.060, 0.100] < 0.14; NGA both intervals above;
    # KEN's attraction interval [45.9, 52.1] straddles 50
    assert bool(q.loc["SWE", "quadrant_certain"]) and bool(q.loc["NGA", "quadrant_certain"])
    assert not q.loc["KEN", "quadrant_certain"]
    assert not q.loc["KEN", "attraction_certain"]
    assert not q.loc["KEN", "influence_certain"]  # [0.102, 0.298] straddles 0.14
    assert q.loc["SWE", "attraction_ci_high"] == pytest.approx(14 + Z * 1.2)
    assert q.loc["SWE", "influence_interval"] == "score"
    # HUN: kept, with the reason, never zero
    assert math.isnan(q.loc["HUN", "attraction"])
    assert q.loc["HUN", "missing"] == "no attraction (att_favorable) for 2022"
    assert q.loc["HUN", "influence"] == 0.06 and q.loc["HUN", "influence_interval"] == "none"
    assert pd.isna(q.loc["HUN", "quadrant_certain"])
    assert q.loc["NGA", "missing"] is None


def test_quadrants_fixed_threshold_and_listed_targets(store):
    q = quadrants(store, "CHN", 2022, influence="exp_import_share", influence_threshold=0.22,
                  targets=["FRA"]).set_index("target")
    assert q.loc["KEN", "quadrant"] == "neither"  # 0.20 < 0.22 now
    assert set(q["influence_threshold_rule"]) == {"fixed"} and set(q["influence_threshold"]) == {0.22}
    assert q.loc["NGA", "quadrant"] == "both"
    assert not q.loc["NGA", "influence_certain"]  # [0.211, 0.289] straddles 0.22
    assert q.loc["FRA", "quadrant"] is None
    assert "no attraction" in q.loc["FRA", "missing"] and "no influence" in q.loc["FRA", "missing"]


def test_quadrants_net_axis(db, put):
    put(db, [{"actor": "RUS", "target": t, "year": 2021, "indicator": "att_net", "value": v, "se": 2.0}
             for t, v in [("HUN", 3.0), ("GRC", 12.0), ("POL", -60.0)]]
        + [{"actor": "RUS", "target": t, "year": 2021, "indicator": "exp_export_share", "value": v}
           for t, v in [("HUN", 0.03), ("GRC", 0.012), ("POL", 0.02), ("DEU", 0.01)]])
    q = quadrants(db, "RUS", 2021, attraction="net", influence="exp_export_share").set_index("target")
    assert q["attraction_threshold"].unique().tolist() == [0.0]
    # median export share (0.012 + 0.02) / 2 = 0.016; DEU has no net favourability
    assert q["influence_threshold"].unique().tolist() == [pytest.approx(0.016)]
    assert dict(q["quadrant"]) == {"DEU": None, "GRC": "attraction_without_influence", "HUN": "both",
                                   "POL": "influence_without_attraction"}
    assert not q.loc["HUN", "attraction_certain"]  # 3 +/- 3.9 straddles 0
    assert bool(q.loc["POL", "attraction_certain"])


def _frame(rows):
    return tidy(pd.DataFrame(rows))


def test_rank_interval_certainty_against_median_rank():
    """Five ranked targets: median rank 3; an interval wholly better (or worse) than 3 is certain."""
    inf = _frame([{"target": t, "year": 2021, "value": v, "rank": r, "rank_low": lo, "rank_high": hi}
                  for t, v, r, lo, hi in [("AAA", 0.9, 1, 1, 2), ("BBB", 0.7, 2, 1, 4),
                                          ("CCC", 0.5, 3, 2, 4), ("DDD", 0.3, 4, 4, 5),
                                          ("EEE", 0.1, 5, 3, 5)]])
    att = _frame([{"target": t, "year": 2021, "value": 20.0, "se": 1.0}
                  for t in ["AAA", "BBB", "CCC", "DDD", "EEE"]])
    q = classify(att, inf, Axis("att_favorable", 50.0, ""), Axis("x", MEDIAN, ""), "CHN").set_index("target")
    assert q["influence_interval"].unique().tolist() == ["rank"]
    assert dict(q["influence_high"]) == {"AAA": True, "BBB": True, "CCC": True, "DDD": False, "EEE": False}
    assert dict(q["influence_certain"]) == {"AAA": True, "BBB": False, "CCC": False, "DDD": True,
                                            "EEE": False}
    assert dict(q["quadrant_certain"]) == dict(q["influence_certain"])  # attraction certain everywhere
    assert q.loc["AAA", "quadrant"] == "influence_without_attraction"


def test_movement_between_years(store):
    m = movement(store, "CHN", 2019, 2022, influence="exp_import_share").set_index("target")
    assert list(m.index) == ["HUN", "KEN", "NGA", "SWE"]
    se = math.sqrt(1.4 ** 2 + 1.2 ** 2)
    assert m.loc["SWE", "attraction_delta"] == -11.0
    assert m.loc["SWE", "attraction_delta_ci_low"] == pytest.approx(-11 - Z * se)
    assert m.loc["SWE", "attraction_delta_ci_high"] == pytest.approx(-11 + Z * se)
    assert bool(m.loc["SWE", "attraction_change_significant"])
    # KEN: 55 -> 49, se sqrt(2 * 1.6^2) = 2.263: the interval [-10.4, -1.6] excludes 0
    assert bool(m.loc["KEN", "attraction_change_significant"])
    # one threshold for both years, the 2022 median import share 0.14 (not 2019's own
    # median 0.095): KEN 0.12 in 2019 sits below it, 0.20 in 2022 above
    assert m["influence_threshold"].unique().tolist() == [pytest.approx(0.14)]
    assert m["attraction_threshold"].unique().tolist() == [50.0]
    assert "the 2022 median across targets, 0.14, for both years" in m.loc["KEN", "threshold_rule"]
    assert (m.loc["KEN", "quadrant_from"], m.loc["KEN", "quadrant_to"]) == (
        "attraction_without_influence", "influence_without_attraction")
    assert bool(m.loc["KEN", "quadrant_changed"])
    assert not m.loc["SWE", "quadrant_changed"] and not m.loc["NGA", "quadrant_changed"]
    assert m.loc["NGA", "influence_delta"] == pytest.approx(0.07)
    assert math.isnan(m.loc["NGA", "influence_delta_ci_low"])  # 2019 influence has no interval
    # HUN: surveyed in 2019 only
    assert m.loc["HUN", "quadrant_from"] == "neither" and m.loc["HUN", "quadrant_to"] is None
    assert pd.isna(m.loc["HUN", "quadrant_changed"]) and math.isnan(m.loc["HUN", "attraction_delta"])
    assert "no attraction (att_favorable) for 2022" in m.loc["HUN", "missing"]


def test_moves_compare_both_years_against_one_threshold(db, put, fav):
    """A target whose score barely moves keeps its quadrant even when the median moves
    under it (the year-own medians would put AUS high in 2015 and low in 2022)."""
    scores = {2015: {"AUS": 25.0, "BBB": 10.0, "CCC": 22.3, "DDD": 30.0, "EEE": 5.0},
              2022: {"AUS": 22.8, "BBB": 40.0, "CCC": 35.6, "DDD": 60.0, "EEE": 20.0}}
    put(db, [imports(t, y, v) for y, row in scores.items() for t, v in row.items()]
        + [fav(t, y, 60.0, 1.0) for y in scores for t in scores[y]])
    own = quadrants(db, "CHN", [2015, 2022], influence="exp_import_share").set_index(["year", "target"])
    assert own.loc[(2015, "AUS"), "quadrant"] == "both"  # 25.0 >= 2015 median 22.3
    assert own.loc[(2022, "AUS"), "quadrant"] == "attraction_without_influence"  # < 35.6
    m = movement(db, "CHN", 2015, 2022, influence="exp_import_share").set_index("target")
    assert m["influence_threshold"].unique().tolist() == [pytest.approx(35.6)]
    # against 35.6 in both years AUS was low in 2015 too: no change of quadrant
    assert m.loc["AUS", "quadrant_from"] == m.loc["AUS", "quadrant_to"] == "attraction_without_influence"
    assert not m.loc["AUS", "quadrant_changed"]
    # BBB crossed the one threshold (10 -> 40): a real move
    assert (m.loc["BBB", "quadrant_from"], m.loc["BBB", "quadrant_to"]) == (
        "attraction_without_influence", "both")
    # an explicit threshold is used as given in both years
    fixed = movement(db, "CHN", 2015, 2022, influence="exp_import_share",
                     influence_threshold=24.0).set_index("target")
    assert (fixed.loc["AUS", "quadrant_from"], fixed.loc["AUS", "quadrant_to"]) == (
        "both", "attraction_without_influence")
    assert "fixed at 24.00 in both years" in fixed.loc["AUS", "threshold_rule"]


def test_perceived_influence_against_favourability(store, put):
    put(store, [
        {"actor": "CHN", "target": "SWE", "year": 2022, "indicator": "att_influence_stronger",
         "value": 70.0, "n": 1000.0},
        {"actor": "CHN", "target": "KEN", "year": 2022, "indicator": "att_influence_stronger",
         "value": 60.0, "se": 2.0, "n": 1000.0},
    ])
    p = perceived_influence(store, "CHN")
    assert p["year"].unique().tolist() == [2022]  # 2019 has favourability but no topline
    p = p.set_index("target")
    assert list(p.index) == ["KEN", "NGA", "SWE"]
    binom = 100 * math.sqrt(0.7 * 0.3 / 1000)  # 1.449 points, no design effect
    assert p.loc["SWE", "influence_stronger_ci_low"] == pytest.approx(70 - Z * binom)
    assert p.loc["SWE", "influence_stronger_interval"] == "binomial"
    assert p.loc["KEN", "influence_stronger_interval"] == "reported"
    assert p.loc["SWE", "gap"] == 56.0
    assert p.loc["SWE", "gap_ci_high"] == pytest.approx(56 + Z * math.sqrt(binom ** 2 + 1.2 ** 2))
    assert math.isnan(p.loc["NGA", "influence_stronger"]) and p.loc["NGA", "favorable"] == 80.0
    assert p.loc["NGA", "missing"] == "no att_influence_stronger for 2022"
    med = perceived_medians(p.reset_index())
    assert med.to_dict("records") == [{"actor": "CHN", "year": 2022, "publics": 2,
                                       "influence_stronger_median": 65.0, "favorable_median": 31.5,
                                       "gap_median": 33.5}]


def test_perceived_influence_without_toplines_is_empty(store):
    p = perceived_influence(store, "CHN")
    assert p.empty and "gap" in p.columns


def test_quadrant_column_order_is_documented(store):
    from sharppower.analysis.disconnect import QUADRANT_COLUMNS
    q = quadrants(store, "CHN", [2019, 2022], influence="exp_import_share")
    assert list(q.columns) == QUADRANT_COLUMNS
    assert np.array_equal(q["year"].unique(), [2019, 2022])
