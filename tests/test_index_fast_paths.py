"""The index engine's fast paths give the numbers of the plain numpy code they replace:
compiled ranks and rank histogram (index/_rank_kernels.pyx) and sort-based score quantiles."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sharppower.index import ranks
from sharppower.index.propagate import nan_quantiles


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
    qs = [0.025, 0.05, 0.5, 0.95, 0.975]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(S, qs, axis=0)
    got = nan_quantiles(S, qs)
    assert got.dtype == expected.dtype
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
