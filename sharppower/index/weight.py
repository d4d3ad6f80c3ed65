"""Stage 5, weights: one weight per node within its parent (the aggregator divides by the
sum of the weights of the children present, so weights renormalise over what a unit has).

WEIGHTERS (each `f(tree, data, **args) -> {node: weight}`, data = normalised values):
- equal: every node 1.
- explicit: `weights: {node: w}`; nodes not named get 1.
- pca: within each pillar (`level: pillar`, default) or domain (`level: domain`), the
  indicators' weights are the squared entries of the first eigenvector of their
  correlation matrix (squared loadings on the first principal component over its
  eigenvalue; OECD/JRC Handbook 2008, section 6.1, with one component); with
  `level: pillar` a domain weighs the sum of its indicators' weights. Other nodes as
  explicit. Missing values are replaced by the column mean for the correlation; a
  constant indicator gets the mean weight of the others.
- budget: budget allocation: `experts: [{node: points, ...}, ...]`; a node's weight is
  its mean allocation over the experts (0 from an expert who gave it nothing) for the
  parents whose children some expert allocated; other nodes as explicit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.errors import ValidationError
from sharppower.index.hierarchy import Hierarchy
from sharppower.index.methods import Registry


def _checked(weights: dict | None) -> dict[str, float]:
    out = {}
    for node, w in (weights or {}).items():
        try:
            value = float(w)
        except (TypeError, ValueError):
            raise ValidationError(f"weight.weights.{node}", f"not a number: {w!r}") from None
        if not value >= 0:
            raise ValidationError(f"weight.weights.{node}", f"a weight is >= 0, not {w!r}")
        out[node] = value
    return out


def equal(tree: Hierarchy, data: pd.DataFrame | None = None) -> dict[str, float]:
    return {c: 1.0 for c in tree.edge_child}


def explicit(tree: Hierarchy, data: pd.DataFrame | None = None, weights: dict | None = None) -> dict[str, float]:
    given = _checked(weights)
    return {c: given.get(c, 1.0) for c in tree.edge_child}


def first_component_weights(X: np.ndarray) -> np.ndarray:
    """Squared entries of the first eigenvector of the columns' correlation matrix."""
    k = X.shape[1]
    if k == 1:
        return np.ones(1)
    X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    sd = X.std(axis=0)
    live = sd > 0
    w = np.full(k, np.nan)
    if live.sum() >= 2 and len(X) >= 3:
        corr = np.corrcoef(X[:, live], rowvar=False)
        _, vectors = np.linalg.eigh(corr)
        w[live] = vectors[:, -1] ** 2
    elif live.any():
        w[live] = 1.0 / live.sum()
    w[np.isnan(w)] = np.nanmean(w) if live.any() else 1.0 / k
    return w / w.sum()


def pca(tree: Hierarchy, data: pd.DataFrame | None = None, weights: dict | None = None,
        level: str = "pillar") -> dict[str, float]:
    out = explicit(tree, weights=weights)
    for parent in tree.by_level(level):
        leaves = tree.leaves_under(parent)
        X = data[leaves].to_numpy(dtype=float) if data is not None else np.ones((0, len(leaves)))
        rows = ~np.isnan(X).all(axis=1)
        w = dict(zip(leaves, first_component_weights(X[rows]) if rows.sum() else
                     np.full(len(leaves), 1.0 / len(leaves))))
        out.update(w)
        if level == "pillar":
            for d in tree.children[parent]:
                out[d] = float(sum(w[c] for c in tree.children[d]))
    return out


def budget(tree: Hierarchy, data: pd.DataFrame | None = None, weights: dict | None = None,
           experts: list[dict] | None = None) -> dict[str, float]:
    out = explicit(tree, weights=weights)
    experts = [_checked(e) for e in (experts or [])]
    for parent in tree.nodes:
        kids = tree.children[parent]
        if experts and any(c in e for e in experts for c in kids):
            for c in kids:
                out[c] = float(np.mean([e.get(c, 0.0) for e in experts]))
    return out


WEIGHTERS = (Registry("weight", inputs=2)
             .add("equal", equal).add("explicit", explicit)
             .add("pca", pca, pooled=True)  # correlations over every year of the panel
             .add("budget", budget))
