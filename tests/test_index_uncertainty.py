"""Sensitivity estimator on functions with known indices; Monte Carlo replications against
the plain pipeline run one replication at a time."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from sharppower.errors import ValidationError
from sharppower.index import execute, monte_carlo, sensitivity
from sharppower.index.propagate import Propagator, build_space
from sharppower.index.ranks import RankHistogram, rank_desc
from sharppower.index.sobol import saltelli_design, sobol_indices
from sharppower.index.synthetic import synthetic_problem, tiny_spec


def ishigami(X, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * X
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_analytic(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0]) / total, np.array([v1 + v13, v2, v13]) / total


def _indices(f, n, groups, seed=0):
    A, B, AB = saltelli_design(n, groups, np.random.default_rng(seed))
    fAB = np.stack([f(m) for m in AB])
    return sobol_indices(f(A), f(B), fAB)


def test_ishigami_indices_match_the_analytic_values():
    S1, ST = _indices(ishigami, 2 ** 17, [[0], [1], [2]])
    s1, st = ishigami_analytic()  # S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    assert S1 == pytest.approx(s1, abs=0.03)
    assert ST == pytest.approx(st, abs=0.03)


def test_linear_model_indices_and_a_group_of_columns():
    coef = np.array([1.0, 2.0, 3.0])
    S1, ST = _indices(lambda X: X @ coef, 2 ** 18, [[0], [1], [2]])
    expected = coef ** 2 / (coef ** 2).sum()  # uniform inputs of equal variance, no interaction
    assert S1 == pytest.approx(expected, abs=0.02)
    assert ST == pytest.approx(expected, abs=0.02)
    S1g, STg = _indices(lambda X: X @ coef, 2 ** 18, [[0], [1, 2]])  # x2 and x3 as one factor
    assert S1g[1] == pytest.approx(13 / 14, abs=0.02) and STg[0] == pytest.approx(1 / 14, abs=0.02)


def test_estimators_equal_salib_on_the_same_runs():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    X = salib_sample.sample(problem, 1024, calc_second_order=False, seed=4)
    Y = ishigami(X)
    ref = salib_sobol.analyze(problem, Y, calc_second_order=False, seed=4)
    runs = Y.reshape(-1, 5)  # per base sample: A, AB_1, AB_2, AB_3, B
    S1, ST = sobol_indices(runs[:, 0], runs[:, 4], runs[:, 1:4].T)
    assert np.allclose(S1, ref["S1"]) and np.allclose(ST, ref["ST"])


def test_rank_histogram_quantiles_equal_numpy_percentiles():
    rng = np.random.default_rng(3)
    ranks = rng.integers(1, 9, size=(101, 12)).astype(float)
    ranks[rng.random(ranks.shape) < 0.2] = np.nan
    hist = RankHistogram(12, 8)
    hist.add(ranks[:50])
    hist.add(ranks[50:])
    expected = np.nanpercentile(ranks, [5, 50, 95], axis=0)
    assert np.allclose(hist.quantiles([0.05, 0.5, 0.95]), expected)


def test_rank_desc_ties_share_the_lowest_rank():
    S = np.array([[3.0, 1.0, 3.0, np.nan, 2.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    out = rank_desc(S)
    assert np.array_equal(out, [[1, 4, 1, np.nan, 3], [1, 1, 1, 1, 1]], equal_nan=True)
    # equal in exact arithmetic, different in floating point: still a tie
    assert rank_desc(np.array([0.1 + 0.2, 0.3, 0.2])).tolist() == [1, 1, 3]


def _problem():
    return synthetic_problem(n_units=25, n_indicators=12, n_domains=4, seed=9, missing=0.1)


def test_vectorised_replications_equal_the_pipeline_run_one_at_a_time():
    spec, inputs = _problem()
    run = execute(spec, inputs)
    space = build_space(run, spec.uncertainty)
    design = space.design(np.random.default_rng(2).random((12, space.n_columns)))
    vector = Propagator(run, space).ranks(design, np.arange(12))
    data = dict(space.data)
    for r in range(12):
        weights = dict(zip(run.tree.edge_child, design.weights[r]))
        if design.drop[r] >= 0:
            weights[run.tree.leaves[design.drop[r]]] = 0.0
        one = run.replay({
            "impute.method": data["impute.method"][design.data[r, 0]],
            "normalise.method": data["normalise.method"][design.data[r, 1]],
            "aggregate.method": dict(space.agg)["aggregate.method"][design.agg[r, 0]],
            "weight.method": "explicit", "weight.weights": weights})
        assert np.array_equal(vector[r].T, one.ranks.to_numpy(), equal_nan=True), r


def test_monte_carlo_reproducible_and_sensitivity_sees_the_choice_that_matters():
    spec = tiny_spec({"reach": {"d1": ["a", "b"]}}, {},
                     uncertainty={"vary": {"normalise.method": ["minmax", "rank"]},
                                  "weights": {"concentration": 5}})
    rng = np.random.default_rng(1)
    from sharppower.index.synthetic import panel
    rows = {("CHN", f"T{i:02d}", 2020): {"a": float(rng.normal()), "b": float(rng.normal())}
            for i in range(30)}
    run = execute(spec, panel(rows, spec.indicators))
    first = monte_carlo(run, runs=300, seed=8)
    assert first.equals(monte_carlo(run, runs=300, seed=8))
    table = sensitivity(run, n=512, seed=3).set_index(["node", "factor"])
    # two indicators: their relative weight moves ranks; normalisation much less
    assert table.loc[("reach", "weights"), "total_order"] > 0.5
    assert table.loc[("reach", "weights"), "total_order"] > \
        table.loc[("reach", "normalise.method"), "total_order"]


def test_uncertainty_addresses_are_checked():
    spec, inputs = _problem()
    run = execute(spec, inputs)
    with pytest.raises(ValidationError) as err:
        build_space(run, {"vary": {"screen.unit_threshold": [0.5, 0.8]}})
    assert err.value.field == "uncertainty.vary.screen.unit_threshold"
    with pytest.raises(ValidationError):
        build_space(run, {"vary": {"normalise.method": ["minmax", "nonsense"]}})


@pytest.mark.parametrize("direct", [True, False])
def test_dirichlet_weights_centre_on_the_nominal_weights(direct):
    spec = tiny_spec({"reach": {"d1": ["a", "b", "c"]}}, {},
                     uncertainty={"weights": {"concentration": 20}})
    from sharppower.index.synthetic import panel
    rows = {("CHN", f"T{i}", 2020): {"a": i, "b": -i, "c": i * i} for i in range(5)}
    run = execute(spec, panel(rows, spec.indicators), {
        **spec.log(), "weight": {"method": "explicit", "weights": {"a": 2, "b": 1, "c": 1}}})
    space = build_space(run, spec.uncertainty)
    rng = np.random.default_rng(0)
    n = 40_000
    design = space.sample(n, rng) if direct else space.design(rng.random((n, space.n_columns)))
    w = design.weights[:, run.tree.slices["d1"]] / 4  # shares of the parent's total
    alpha = 20 * np.array([0.5, 0.25, 0.25])
    assert w.mean(axis=0) == pytest.approx([0.5, 0.25, 0.25], abs=0.005)
    var = alpha * (20 - alpha) / (20 ** 2 * 21)  # Dirichlet variance
    assert w.var(axis=0) == pytest.approx(var, rel=0.05)
    assert np.allclose(design.weights[:, run.tree.slices["reach"]], 1.0)  # a single child


def test_monte_carlo_and_nominal_run_share_one_dispatch_of_the_data_stages():
    """Every data choice the Monte Carlo makes gives the normalised matrix a nominal run
    with that log computes."""
    spec, inputs = synthetic_problem(60, 16, 4, seed=5, uncertainty={
        "vary": {"impute.method": ["median", "mean", "knn"], "treat.method": ["jrc", "none"],
                 "normalise.method": ["minmax", "goalposts"]}})
    run = execute(spec, inputs)
    space = build_space(run, spec.uncertainty)
    prop = Propagator(run, space)
    for key in [(0, 0, 0), (1, 0, 1), (2, 1, 0), (2, 1, 1)]:
        overrides = {a: values[i] for (a, values), i in zip(space.data, key)}
        nominal = run.replay(overrides).data.normalised.to_numpy()
        assert np.array_equal(prop.data(key), nominal, equal_nan=True), overrides
