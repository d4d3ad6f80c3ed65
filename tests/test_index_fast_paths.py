"""The index engine's fast paths give the numbers of the plain numpy code they replace:
compiled ranks and rank histogram (index/_rank_kernels.pyx) and sort-based score quantiles."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sharppower.index import aggregate, ranks
from sharppower.index.hierarchy import compile_hierarchy
from sharppower.index.propagate import nan_quantiles
from sharppower.index.spec import load_spec


def scores(shape, seed=0):
    """Scores with what ranking must get right: ties, NaN, infinities, signed zeros."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=shape), 2)  # many ties
    x[rng.random(shape) < 0.1] = np.nan
    x[rng.random(shape) < 0.05] = -0.0
    x[rng.random(shape) < 0.05] = 0.0
    x[rng.random(shape) < 0.02] = np.inf
    x[rng.random(shape) < 0.02] = -np.inf
    if shape[-1] >= 2:
        x[..., :2] = 1.0 / 3.0 + np.array([0.0, 1e-16])  # equal after quantisation
    return x


@pytest.mark.skipif(ranks.kernels is None, reason="compiled rank kernels not built")
@pytest.mark.parametrize("shape", [(40, 6, 150), (3, 7), (5, 1), (2, 3, 900)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_ranks_equal_numpy_ranks(shape, dtype):
    x = scores(shape)
    fast = ranks.rank_desc(x, dtype)
    plain = ranks.rank_desc(x, dtype, compiled=False)
    assert fast.dtype == plain.dtype == dtype
    assert np.array_equal(fast, plain, equal_nan=True)
    # and they are 'min' ranks: a row's best score has rank 1, ties share a rank
    row = plain.reshape(-1, shape[-1])[0]
    finite = row[~np.isnan(row)]
    assert len(finite) == 0 or finite.min() == 1
    if shape[-1] >= 2:
        assert plain.reshape(-1, shape[-1])[0, 0] == plain.reshape(-1, shape[-1])[0, 1]


@pytest.mark.skipif(ranks.kernels is None, reason="compiled rank kernels not built")
def test_compiled_histogram_counts_equal_numpy_counts(monkeypatch):
    r = ranks.rank_desc(scores((300, 250), seed=1), np.float32)
    fast = ranks.RankHistogram(250, 250)
    for piece in np.array_split(r, 7):
        fast.add(piece)
    monkeypatch.setattr(ranks, "kernels", None)
    plain = ranks.RankHistogram(250, 250)
    for piece in np.array_split(r, 7):
        plain.add(piece)
    assert np.array_equal(fast.counts, plain.counts)
    assert fast.counts.sum() == np.count_nonzero(~np.isnan(r))
    assert np.array_equal(fast.quantiles([0.05, 0.5, 0.95]), plain.quantiles([0.05, 0.5, 0.95]),
                          equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sorted_quantiles_equal_nanquantile(dtype):
    rng = np.random.default_rng(2)
    S = (rng.normal(size=(301, 9, 40)) * 50).astype(dtype)
    S[rng.random(S.shape) < 0.3] = np.nan
    S[:, 0, :] = np.nan  # lanes without any value
    S[1:, 1, :] = np.nan  # lanes with one value
    S[:, 2:5, :] = np.round(rng.normal(size=(301, 3, 40)) * 5).astype(dtype)  # full, ties
    qs = [0.025, 0.05, 0.5, 0.95, 0.975]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(S, qs, axis=0)
    got = nan_quantiles(S, qs)
    assert got.dtype == expected.dtype
    assert not np.isnan(S[:, 2:5]).any() and np.isnan(S[:, 5:]).any(axis=0).all()
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.skipif(ranks.kernels is None, reason="compiled rank kernels not built")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_group_ranks_equal_numpy_group_ranks(monkeypatch, dtype):
    """Groups of unequal sizes (several padding buckets), positions in any order."""
    rng = np.random.default_rng(3)
    S = scores((25, 700), seed=4)
    order = rng.permutation(700)
    cuts = np.sort(rng.choice(np.arange(1, 700), size=30, replace=False))
    groups = [g for g in np.split(order, cuts)]
    fast = ranks.group_ranks(S, groups, dtype)
    monkeypatch.setattr(ranks, "kernels", None)
    plain = ranks.group_ranks(S, groups, dtype)
    assert fast.dtype == plain.dtype
    assert np.array_equal(fast, plain, equal_nan=True)
    assert np.nanmin(plain[:, groups[0]]) == 1


def _noisy_leaves(tree, n=240, R=30, seed=3):
    """Leaves with gaps, and a tenth of the cells holding a value moved per replication."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(tree.leaves))) * 100
    X[rng.random(X.shape) < 0.4] = np.nan
    X[:5] = 0.2  # below the geometric and harmonic means' floor
    cells = np.argwhere((rng.random(X.shape) < 0.1) & ~np.isnan(X))
    values = np.clip(X[cells[:, 0], cells[:, 1]] + rng.normal(0, 8, (R, len(cells))), 0, 100)
    return X, aggregate.NoisyCells(cells[:, 0], cells[:, 1], values), rng.random((R, tree.n_edges))


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "harmonic"])
def test_noisy_cells_score_as_each_replications_whole_leaves(method):
    """The domains are scored from the shared leaves plus the noisy cells' changes: the
    same scores, to rounding, as each replication's own leaves scored one by one."""
    tree = compile_hierarchy(load_spec())
    X, noise, W = _noisy_leaves(tree)
    methods = dict.fromkeys(("domain", "pillar", "index"), method)
    fast = aggregate.evaluate(X, tree, W, methods, noise=noise)
    for r in range(len(W)):
        own = X.copy()
        own[noise.rows, noise.cols] = noise.values[r]
        plain = aggregate.evaluate(own, tree, W[r:r + 1], methods)[0]
        assert np.array_equal(np.isnan(fast[r]), np.isnan(plain))
        assert np.allclose(fast[r], plain, rtol=1e-12, atol=1e-9, equal_nan=True)
    moved = np.unique(noise.rows)
    assert not np.allclose(fast[0][:, moved], fast[1][:, moved], equal_nan=True)


def test_an_aggregator_without_parts_gets_each_replications_leaves(monkeypatch):
    """A registered aggregator that is only a function f(X, W, floor) is handed the
    replications' leaves (R, k, n) with the noisy cells in place."""
    tree = compile_hierarchy(load_spec())
    X, noise, W = _noisy_leaves(tree, seed=5)
    seen = []

    def plain_mean(X, W, floor=1.0):
        seen.append(X.ndim)
        return aggregate.arithmetic(X, W, floor)

    registry = aggregate.AGGREGATORS
    monkeypatch.setattr(registry, "_methods", dict(registry._methods))  # undone after the test
    registry.add("plain", plain_mean)
    methods = {"domain": "plain", "pillar": "arithmetic", "index": "arithmetic"}
    got = aggregate.evaluate(X, tree, W, methods, noise=noise)
    expected = aggregate.evaluate(X, tree, W, dict.fromkeys(methods, "arithmetic"), noise=noise)
    assert set(seen) == {3}
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-9, equal_nan=True)


def test_noise_moves_only_cells_with_a_value_and_a_noise_scale():
    """The Monte Carlo draws noise only for cells holding a value whose noise scale is not
    zero (a published error or a stale value), within the normalised range; the same seed
    gives the same draws."""
    from sharppower.index import execute
    from sharppower.index.inputs import inputs_from_observations
    from sharppower.index.propagate import Propagator, build_space
    from sharppower.index.synthetic import REGIONS, synthetic_observations

    spec = load_spec()
    targets = dict(list(REGIONS.items())[:40])
    run = execute(spec, inputs_from_observations(
        synthetic_observations(2, targets, range(2012, 2020)), spec, targets))
    space = build_space(run, {**spec.uncertainty, "runs": 20})
    prop = Propagator(run, space)
    key = (0,) * len(space.data)
    pos = np.arange(len(run.scores))
    X = prop.data(key)[pos]
    scale, (lo, hi) = prop._noise_scale(key)
    cells = prop._noisy(X, key, np.array([11, 12, -1]), pos)
    wanted = (scale[pos] != 0) & ~np.isnan(X)
    assert wanted.any() and (~wanted).any()
    assert np.array_equal(np.argwhere(wanted), np.column_stack([cells.rows, cells.cols]))
    assert (cells.values >= lo[cells.cols]).all() and (cells.values <= hi[cells.cols]).all()
    assert np.array_equal(cells.values[2], X[cells.rows, cells.cols])  # seed -1: no noise
    assert not np.allclose(cells.values[0], cells.values[1])
    again = prop._noisy(X, key, np.array([12]), pos)
    assert np.array_equal(again.values[0], cells.values[1])


@pytest.mark.parametrize("missing", [False, True])
def test_cross_sections_are_the_sorted_actor_year_pairs_positions(missing):
    """`panel.cross_sections` (each level factorised, codes combined) gives the groups of
    a factorize of the (actor, year) pairs: sorted pairs, each with its units' positions
    in order; a unit without an actor keeps the pairs' own rule."""
    import pandas as pd

    from sharppower.index.panel import cross_sections

    rng = np.random.default_rng(7)
    n = 600
    actors = rng.choice(np.array(["USA", "CHN", "RUS", "IRN"], dtype=object), n)
    if missing:
        actors[rng.choice(n, 5, replace=False)] = None
    years = rng.integers(2015, 2024, n)
    units = pd.MultiIndex.from_arrays(
        [actors, rng.choice(["AUS", "TWN", "KEN"], n), years], names=["actor", "target", "year"])
    got = cross_sections(units)
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([actors, years]), sort=True)
    order = np.argsort(codes, kind="stable")
    want = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    assert len(got) == len(want) > 20
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    pairs = [(actors[g[0]], years[g[0]]) for g in got if actors[g[0]] is not None]
    assert pairs == sorted(pairs)
    for g in got:
        assert len({(actors[i], years[i]) for i in g}) == 1
