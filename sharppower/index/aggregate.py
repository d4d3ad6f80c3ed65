"""Stage 6, aggregation up the hierarchy, vectorised over replications.

AGGREGATORS (each `f(X, W, floor) -> (R, n)`): X holds the children's values, either
shared by all replications (n, k) or per replication (R, k, n), NaN where missing; W is
(R, k), the children's weights in each replication. Weights renormalise over the
children present: a unit's score divides by the sum of the weights of its non-missing
children (NaN when none is present or their weights sum to 0).
- arithmetic: sum(w x) / sum(w)
- geometric: exp(sum(w log x) / sum(w))
- harmonic: sum(w) / sum(w / x)
Geometric and harmonic means need positive values: values below `floor` (default 1, on
the 0-100 scales of the normalisers) are raised to it.

`evaluate` runs the whole hierarchy (domains, pillars, indices in order) for R weight
vectors at once: one matrix product per node, no loop over replications. The leaves are
shared by the replications; where data noise moves some cells (`NoisyCells`: a few in a
hundred), a domain's sums are the shared leaves' plus each noisy cell's change, so no
replication's copy of the leaves is made (built-in aggregators: their `parts`; another
registered aggregator gets each replication's leaves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from sharppower.index.hierarchy import Hierarchy
from sharppower.index.methods import Registry


def one_blas_thread():
    """Context: BLAS on one thread. The engine's matrix products are many and small;
    OpenBLAS threads cost more than they give there, and on a busy machine they spin."""
    return threadpool_limits(limits=1, user_api="blas")


def _wsum(X0: np.ndarray, W: np.ndarray) -> np.ndarray:
    """sum_k X0[n, k] W[r, k] (shared) or sum_k X0[r, k, n] W[r, k] -> (R, n)."""
    if X0.ndim == 2:
        return W @ X0.T
    return np.einsum("rkn,rk->rn", X0, W)


def _parts(X: np.ndarray, W: np.ndarray, transform) -> tuple[np.ndarray, np.ndarray]:
    present = ~np.isnan(X)
    values = np.where(present, transform(np.where(present, X, 1.0)), 0.0)
    return _wsum(values, W), _wsum(present.astype(float), W)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[~(den > 0)] = np.nan
    return out


def arithmetic(X: np.ndarray, W: np.ndarray, floor: float = 1.0) -> np.ndarray:
    num, den = _parts(X, W, lambda v: v)
    return _ratio(num, den)


def geometric(X: np.ndarray, W: np.ndarray, floor: float = 1.0) -> np.ndarray:
    num, den = _parts(X, W, lambda v: np.log(np.maximum(v, floor)))
    return np.exp(_ratio(num, den))


def harmonic(X: np.ndarray, W: np.ndarray, floor: float = 1.0) -> np.ndarray:
    num, den = _parts(X, W, lambda v: 1.0 / np.maximum(v, floor))
    return _ratio(den, num)


# The built-in aggregators are weighted means of a transform of the values, turned back
# by a function of (sum w f(x), sum w): `evaluate` uses these parts to score the leaves
# shared by every replication once and add only the noisy cells' changes.
arithmetic.parts = (lambda v, floor: v, _ratio)
geometric.parts = (lambda v, floor: np.log(np.maximum(v, floor)),
                   lambda num, den: np.exp(_ratio(num, den)))
harmonic.parts = (lambda v, floor: 1.0 / np.maximum(v, floor), lambda num, den: _ratio(den, num))


@dataclass
class NoisyCells:
    """Leaf cells that differ by replication (data noise): cell i is (rows[i], cols[i]) of
    the (n, K) leaves, with value values[r, i] in replication r (never NaN: only cells
    holding a value are noisy)."""

    rows: np.ndarray    # (c,) unit positions
    cols: np.ndarray    # (c,) leaf positions
    values: np.ndarray  # (R, c)

    def leaves(self, leaves: np.ndarray, cols: list[int]) -> np.ndarray:
        """(R, k, n): the leaves `cols` per replication (for an aggregator without parts)."""
        X = np.repeat(leaves[:, cols].T[None], len(self.values), axis=0)
        for j, c in enumerate(cols):
            cells = np.flatnonzero(self.cols == c)
            X[:, j, self.rows[cells]] = self.values[:, cells]
        return X


# `levels` (level -> method) is read by the stage; `floor` is every method's argument.
AGGREGATORS = (Registry("aggregate", inputs=2, stage_params=("levels",))
               .add("arithmetic", arithmetic).add("geometric", geometric)
               .add("harmonic", harmonic))


def level_methods(args: dict) -> dict[str, str]:
    """Aggregation method of each level from the stage arguments (method, levels)."""
    default = args.get("method", "arithmetic")
    levels = args.get("levels") or {}
    return {lv: levels.get(lv, default) for lv in ("domain", "pillar", "index")}


def evaluate(leaves: np.ndarray, tree: Hierarchy, W: np.ndarray, methods: dict[str, str],
             node_mask: np.ndarray | None = None, floor: float = 1.0,
             feeds: np.ndarray | None = None, noise: NoisyCells | None = None) -> np.ndarray:
    """Scores of every aggregated node: (R, A, n) from leaf values (n, K) shared by the
    replications, `noise` the cells that differ by replication, and edge weights (R, E);
    `node_mask` (n, A) False -> NaN (units screened out of a node)."""
    R, n = W.shape[0], leaves.shape[-2]
    out = np.empty((R, len(tree.nodes), n))
    leaf_pos = {c: i for i, c in enumerate(tree.leaves)}
    node_pos = {c: i for i, c in enumerate(tree.nodes)}
    for j, node in enumerate(tree.nodes):
        kids = tree.children[node]
        aggregator = AGGREGATORS[methods[tree.level[node]]]
        w = W[:, tree.slices[node]]
        if tree.level[node] == "domain":
            cols = [leaf_pos[c] for c in kids]
            parts = getattr(aggregator.func, "parts", None)
            if noise is None or parts is None:
                X = leaves[:, cols] if noise is None else noise.leaves(leaves, cols)
                out[:, j, :] = aggregator(X, w, floor)
            else:
                out[:, j, :] = _noisy_domain(leaves, cols, w, floor, noise, *parts)
        else:
            idx = [node_pos[c] for c in kids]
            X = out[:, idx, :]
            if feeds is not None and not feeds[:, idx].all():  # children kept out of parents
                X = np.where(feeds[:, idx].T[None], X, np.nan)
            out[:, j, :] = aggregator(X, w, floor)
        if node_mask is not None:
            out[:, j, ~node_mask[:, j]] = np.nan
    return out


def _noisy_domain(leaves: np.ndarray, cols: list[int], w: np.ndarray, floor: float,
                  noise: NoisyCells, transform, combine) -> np.ndarray:
    """(R, n) scores of a domain whose leaves `cols` hold noisy cells: the weighted sums of
    the shared leaves (one matrix product), plus each noisy cell's change of its
    transformed value times its weight (a cell's presence never changes: only cells
    holding a value are noisy, so the weights' sums are the shared leaves')."""
    X = leaves[:, cols]
    present = ~np.isnan(X)
    values = np.where(present, transform(np.where(present, X, 1.0), floor), 0.0)
    num, den = _wsum(values, w), _wsum(present.astype(float), w)
    for k, c in enumerate(cols):
        cells = np.flatnonzero(noise.cols == c)
        if len(cells):
            rows = noise.rows[cells]
            change = transform(noise.values[:, cells], floor) - values[rows, k]
            num[:, rows] += w[:, k, None] * change
    return combine(num, den)
