"""Every registry entry of the index stages on small cases computed by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sharppower.errors import ValidationError
from sharppower.index import AGGREGATORS, IMPUTERS, NORMALISERS, SCREENERS, TREATERS, WEIGHTERS
from sharppower.index.aggregate import evaluate
from sharppower.index.hierarchy import compile_hierarchy
from sharppower.index.normalise import normalise
from sharppower.index.run import execute
from sharppower.index.synthetic import panel, tiny_spec
from sharppower.index.treat import log_transform

NAN = np.nan


def _frame(values: dict[str, list[float]], targets: list[str], year: int = 2020,
           regions: dict[str, str] | None = None):
    rows = {("CHN", t, year): {c: v[i] for c, v in values.items()} for i, t in enumerate(targets)}
    return panel(rows, list(values), regions)


# --- screening --------------------------------------------------------------------------

SCREEN_SPEC = tiny_spec({"reach": {"d1": ["a", "b"], "d2": ["c"]}}, {"idx": ["reach"]})
TREE = compile_hierarchy(SCREEN_SPEC)


def test_coverage_screens_units_then_indicators_and_says_why():
    # AAA has a, c; BBB has a, b, c; CCC has a, c; DDD only c (1 of 3 indicators)
    inputs = _frame({"a": [1, 2, 3, NAN], "b": [NAN, 5, NAN, NAN], "c": [1, 2, 3, 4]},
                    ["AAA", "BBB", "CCC", "DDD"])
    out = SCREENERS["coverage"](inputs.values, TREE, unit_threshold=0.65,
                                indicator_threshold=0.65, count="indicators")
    kept = dict(zip(inputs.units.get_level_values("target"), out.nodes[:, TREE.node_index("reach")]))
    assert kept == {"AAA": True, "BBB": True, "CCC": True, "DDD": False}
    # b is observed for 1 of the 3 units kept: 33% < 65%
    assert out.cells[:, TREE.leaves.index("b")].sum() == 0
    assert out.cells[:3, TREE.leaves.index("a")].all() and out.cells[:3, 2].all()
    rows = out.dropped.set_index("item")
    assert rows.loc["DDD", "kind"] == "unit" and rows.loc["DDD", "coverage"] == pytest.approx(1 / 3)
    assert rows.loc["b", "kind"] == "indicator" and rows.loc["b", "coverage"] == pytest.approx(1 / 3)
    assert "33% < 65%" in rows.loc["b", "reason"]


def test_coverage_counts_domains_and_indicators_first():
    # DDD has c only: 1 of 2 domains (50%) -> dropped at 0.65, kept at 0.5
    inputs = _frame({"a": [1, 2, NAN], "b": [NAN, 5, NAN], "c": [1, 2, 4]}, ["AAA", "BBB", "DDD"])
    strict = SCREENERS["coverage"](inputs.values, TREE, count="domains")
    loose = SCREENERS["coverage"](inputs.values, TREE, count="domains", unit_threshold=0.5)
    assert strict.nodes[:, TREE.node_index("reach")].tolist() == [True, True, False]
    assert loose.nodes[:, TREE.node_index("reach")].tolist() == [True, True, True]
    # indicators first: b covers 1 of 3 units -> dropped before units are counted
    first = SCREENERS["coverage"](inputs.values, TREE, order="indicators_first",
                                  unit_threshold=0.5)
    assert first.cells[:, TREE.leaves.index("b")].sum() == 0
    assert first.nodes[:, TREE.node_index("reach")].tolist() == [True, True, True]


def test_section_threshold_and_index_threshold():
    spec = tiny_spec({"reach": {"d1": ["a"], "d2": ["c"]}, "sharp_power": {"d3": ["s"]}},
                     {"idx": ["reach", "sharp_power"]})
    tree = compile_hierarchy(spec)
    rows = {("CHN", "AAA", 2019): {"a": 1, "c": 1, "s": 1}, ("CHN", "BBB", 2019): {"a": 2, "c": 3},
            ("CHN", "AAA", 2020): {"c": 1, "s": 2}, ("CHN", "BBB", 2020): {"c": 2, "s": 1}}
    values = panel(rows, spec.indicators).values
    out = SCREENERS["coverage"](values, tree, unit_threshold=0.5, section_threshold=0.75,
                                index_threshold=1.0)
    reach, idx = tree.node_index("reach"), tree.node_index("idx")
    # 2020: reach data reach 1 of its 2 domains (50% < 75%): not scored that year
    assert out.nodes[:, reach].tolist() == [True, False, True, False]
    pillar_rows = out.dropped[out.dropped["kind"] == "pillar"]
    assert pillar_rows[["year", "item"]].values.tolist() == [[2020, "reach"]]
    # the index needs every pillar present in the year: BBB 2019 lacks sharp_power
    assert out.nodes[:, idx].tolist() == [True, True, False, True]


def test_no_screening_keeps_everything():
    inputs = _frame({"a": [1, NAN], "b": [NAN, NAN], "c": [1, 2]}, ["AAA", "BBB"])
    out = SCREENERS["none"](inputs.values, TREE)
    assert out.cells.all() and out.nodes.all() and out.dropped.empty


# --- imputation -------------------------------------------------------------------------

def test_mean_and_median_within_region_with_fallback():
    inputs = _frame({"a": [1, 3, 8, NAN, 10, NAN, NAN]},
                    ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG"],
                    regions={"AAA": "Asia", "BBB": "Asia", "CCC": "Asia", "DDD": "Asia",
                             "EEE": "Europe", "FFF": "Europe", "GGG": "Africa"})
    cells = np.ones(inputs.values.shape, bool)
    med = IMPUTERS["median"](inputs.values, cells, inputs.region)["a"].tolist()
    mean = IMPUTERS["mean"](inputs.values, cells, inputs.region)["a"].tolist()
    # DDD: Asian median 3 / mean 4; FFF: European 10; GGG: no African value -> all units
    assert med == [1, 3, 8, 3, 10, 10, 5.5]
    assert mean == [1, 3, 8, 4, 10, 10, 5.5]


def test_imputation_fills_only_cells_screening_kept():
    inputs = _frame({"a": [1, 3, NAN]}, ["AAA", "BBB", "CCC"])
    cells = np.array([[True], [True], [False]])
    assert np.isnan(IMPUTERS["median"](inputs.values, cells, inputs.region)["a"].iloc[2])
    assert IMPUTERS["none"](inputs.values, cells, inputs.region)["a"].tolist()[:2] == [1, 3]


def test_knn_takes_the_nearest_unit():
    # CCC is next to AAA on the first indicator (0.1 vs 0 and 1): with k=1 it takes AAA's b
    inputs = _frame({"a": [0, 1, 0.1], "b": [7, 20, NAN]}, ["AAA", "BBB", "CCC"])
    cells = np.ones(inputs.values.shape, bool)
    out = IMPUTERS["knn"](inputs.values, cells, inputs.region, k=1)
    assert out.loc[("CHN", "CCC", 2020), "b"] == pytest.approx(7.0)
    out2 = IMPUTERS["knn"](inputs.values, cells, inputs.region, k=2)
    assert out2.loc[("CHN", "CCC", 2020), "b"] == pytest.approx(13.5)


def test_knn_leaves_an_indicator_with_no_value_in_a_cross_section_empty_and_quiet():
    """Screening may keep an indicator's cells in a cross-section where no unit has a
    value: KNN leaves them empty without numpy's empty-slice warnings (which a build
    printed to the console by the hundred)."""
    inputs = _frame({"a": [0, 1, 0.1], "b": [NAN, NAN, NAN]}, ["AAA", "BBB", "CCC"])
    cells = np.ones(inputs.values.shape, bool)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = IMPUTERS["knn"](inputs.values, cells, inputs.region, k=1)
    assert out["b"].isna().all() and out["a"].tolist() == [0, 1, 0.1]


def test_carry_forward_within_a_units_time_series():
    rows = {("CHN", "AAA", y): ({"a": v} if v is not None else {})
            for y, v in [(2010, 5.0), (2011, None), (2012, None), (2013, 7.0), (2014, None)]}
    rows[("CHN", "BBB", 2011)] = {"a": 100.0}
    inputs = panel(rows, ["a"])
    cells = np.ones(inputs.values.shape, bool)
    out = IMPUTERS["carry_forward"](inputs.values, cells, inputs.region)
    assert out["a"].tolist() == [5, 5, 5, 7, 7, 100]
    limited = IMPUTERS["carry_forward"](inputs.values, cells, inputs.region, limit=1)["a"]
    assert np.array_equal(limited.to_numpy(), [5, 5, NAN, 7, 7, 100], equal_nan=True)


# --- outlier treatment ------------------------------------------------------------------

def test_jrc_winsorises_until_skew_and_kurtosis_pass():
    x = [*range(1, 11), 30, 100]  # COINr's example: skew 3.06, kurtosis 9.74
    assert stats.skew(x, bias=False) > 2 and stats.kurtosis(x, bias=False) > 3.5
    inputs = _frame({"a": x}, [f"T{i:02d}" for i in range(12)])
    out, report = TREATERS["jrc"](inputs.values)
    assert out["a"].tolist() == [*range(1, 11), 30, 30]  # 100 takes the next value, passes
    assert report[["indicator", "action", "points"]].values.tolist() == [["a", "winsorised", 1]]


def test_jrc_falls_back_to_log_when_winsorising_is_not_enough():
    x = np.array([1.0] * 40 + [50.0, 1000.0])
    out, report = TREATERS["jrc"](_frame({"a": list(x)}, [f"T{i:02d}" for i in range(42)]).values,
                                  winmax=1)
    # one point winsorised (1000 -> 50) still fails, so the original is log-transformed:
    # log(x - min + 0.01 (max - min))
    assert stats.skew([1.0] * 40 + [50, 50], bias=False) > 2
    assert np.allclose(out["a"].to_numpy(), np.log(x - 1 + 0.01 * 999))
    assert report["action"].tolist() == ["log"]


def test_log_treatment_and_none():
    x = [1.0, 2, 3, 4, 100]
    values = _frame({"a": x, "b": [1.0, 2, 3, 4, 5]}, ["A", "B", "C", "D", "E"]).values
    out, report = TREATERS["log"](values)
    assert report["indicator"].tolist() == ["a"]  # b passes the check
    assert np.allclose(out["a"], np.log(np.array(x) - 1 + 0.99))
    every, _ = TREATERS["log"](values, every=True)
    assert np.allclose(every["b"], np.log(np.arange(1.0, 6) - 1 + 0.04))
    same, rep = TREATERS["none"](values)
    assert same.equals(values) and rep.empty


def test_log_transform_of_negative_skew_keeps_order():
    x = np.array([-100.0, 1, 2, 3, 4])
    y = log_transform(x)
    assert np.allclose(y, -np.log(4 - x + 1.04))
    assert (np.diff(y) > 0).all()


# --- normalisation ----------------------------------------------------------------------

@pytest.mark.parametrize("method, x, up, down", [
    ("minmax", [2, 4, 6], [0, 50, 100], [100, 50, 0]),
    ("zscore", [2, 4, 6], [90, 100, 110], [110, 100, 90]),
    ("rank", [3, 1, 2, 2], [100, 25, 62.5, 62.5], [25, 100, 62.5, 62.5]),
    ("frontier", [2, 4, 8], [25, 50, 100], [100, 75, 25]),
    ("frontier", [-2, 0, 2], [0, 50, 100], [100, 50, 0]),
])
def test_normalisers_by_hand(method, x, up, down):
    X = np.array(x, float)[:, None]
    assert np.allclose(NORMALISERS[method](X, np.array([1.0])), np.array(up)[:, None])
    assert np.allclose(NORMALISERS[method](X, np.array([-1.0])), np.array(down)[:, None])


def test_constant_indicator_takes_the_middle():
    X = np.array([[3.0], [3.0]])
    assert NORMALISERS["minmax"](X, np.array([1.0])).ravel().tolist() == [50, 50]
    assert NORMALISERS["zscore"](X, np.array([1.0])).ravel().tolist() == [100, 100]


def test_goalposts_fixed_and_across_years():
    X = np.array([[5.0], [12.0], [-1.0]])
    gp = {"goalposts": {"a": [0, 10]}}
    assert NORMALISERS["goalposts"](X, np.array([1.0]), ["a"], **gp).ravel().tolist() == [50, 100, 0]
    assert NORMALISERS["goalposts"](X, np.array([-1.0]), ["a"], **gp).ravel().tolist() == [50, 0, 100]
    # pooled bounds: 2021's single value is placed on the scale of both years (0..10)
    rows = {("CHN", "AAA", 2020): {"a": 0.0}, ("CHN", "BBB", 2020): {"a": 5.0},
            ("CHN", "AAA", 2021): {"a": 10.0}}
    values = panel(rows, ["a"]).values
    pooled = normalise(values, np.array([1.0]), "goalposts")["a"]
    per_year = normalise(values, np.array([1.0]), "minmax")["a"]
    assert pooled.tolist() == [0, 100, 50]  # order: AAA 2020, AAA 2021, BBB 2020
    assert per_year.tolist() == [0, 50, 100]


# --- weights ----------------------------------------------------------------------------

WSPEC = tiny_spec({"reach": {"d1": ["a", "b", "c"], "d2": ["e"]}}, {"idx": ["reach"]})
WTREE = compile_hierarchy(WSPEC)


def test_equal_and_explicit_weights():
    assert set(WEIGHTERS["equal"](WTREE).values()) == {1.0}
    w = WEIGHTERS["explicit"](WTREE, weights={"a": 2, "d2": 0.5})
    assert (w["a"], w["b"], w["d2"], w["reach"]) == (2.0, 1.0, 0.5, 1.0)
    with pytest.raises(ValidationError) as err:
        WEIGHTERS["explicit"](WTREE, weights={"a": -1})
    assert err.value.field == "weight.weights.a"


def test_pca_weights_are_squared_first_eigenvector():
    # a and b perfectly correlated, c orthogonal to both: first component = (a + b) / sqrt 2
    u = np.array([1.0, -1, 1, -1])
    v = np.array([1.0, 1, -1, -1])
    data = pd.DataFrame({"a": u, "b": 2 * u + 3, "c": v, "e": [1.0, 2, 3, 4]})
    w = WEIGHTERS["pca"](WTREE, data, level="domain")
    assert [w["a"], w["b"], w["c"]] == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    assert w["e"] == 1.0
    w2 = WEIGHTERS["pca"](WTREE, pd.DataFrame({"a": u, "b": u, "c": u, "e": u}), level="pillar")
    assert [w2[c] for c in "abce"] == pytest.approx([0.25] * 4)
    assert w2["d1"] == pytest.approx(0.75) and w2["d2"] == pytest.approx(0.25)


def test_budget_allocation_weights():
    experts = [{"a": 60, "b": 40}, {"a": 20, "b": 60, "c": 20}]
    w = WEIGHTERS["budget"](WTREE, experts=experts, weights={"d2": 3})
    assert (w["a"], w["b"], w["c"]) == (40.0, 50.0, 10.0)
    assert (w["d1"], w["d2"]) == (1.0, 3.0)


# --- aggregation ------------------------------------------------------------------------

def test_aggregators_by_hand_with_missing_child():
    X = np.array([[50.0, 100.0], [20.0, NAN], [0.0, 100.0]])
    W = np.array([[1.0, 3.0]])
    arith = AGGREGATORS["arithmetic"](X, W)[0]
    geo = AGGREGATORS["geometric"](X, W)[0]
    harm = AGGREGATORS["harmonic"](X, W)[0]
    assert arith.tolist() == [87.5, 20.0, 75.0]
    assert geo[:2] == pytest.approx([50 ** 0.25 * 100 ** 0.75, 20.0])
    assert geo[2] == pytest.approx(1 ** 0.25 * 100 ** 0.75)  # 0 raised to the floor 1
    assert harm[:2] == pytest.approx([80.0, 20.0])


def test_aggregators_over_replications_and_zero_weights():
    X = np.array([[10.0, 30.0]])
    W = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    out = AGGREGATORS["arithmetic"](X, W)[:, 0]
    assert out[:2].tolist() == [20.0, 10.0] and math.isnan(out[2])


def test_hierarchy_evaluation_by_hand():
    spec = tiny_spec({"reach": {"d1": ["a", "b"], "d2": ["c"]},
                      "sharp_power": {"d3": ["s"]}}, {"idx": ["reach", "sharp_power"]})
    tree = compile_hierarchy(spec)
    leaves = np.array([[10.0, 30.0, 60.0, 80.0]])  # a, b, c, s
    weights = tree.nominal_weights({"a": 3, "d2": 2, "sharp_power": 3})
    S = evaluate(leaves, tree, weights[None], {"domain": "arithmetic", "pillar": "arithmetic",
                                               "index": "geometric"})[0, :, 0]
    got = dict(zip(tree.nodes, S))
    assert got["d1"] == pytest.approx((3 * 10 + 30) / 4)
    assert got["reach"] == pytest.approx((15 + 2 * 60) / 3)
    assert got["idx"] == pytest.approx(45 ** 0.25 * 80 ** 0.75)


def test_direction_enters_reversed_everywhere():
    spec = tiny_spec({"attraction": {"opinion": ["fav", "unfav"]}}, {}, negative=("unfav",))
    rows = {("CHN", t, 2020): {"fav": f, "unfav": u}
            for t, f, u in [("AAA", 60, 30), ("BBB", 60, 50), ("CCC", 20, 70)]}
    for method in NORMALISERS:
        run = execute(spec, panel(rows, spec.indicators), {
            **spec.log(), "normalise": {"method": method}})
        scores = run.scores["attraction"].to_numpy()
        assert scores[0] > scores[1] > scores[2], method  # more unfavourable, less attraction
