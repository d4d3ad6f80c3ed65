"""What each score rests on: its components, and which of them are stale, imputed or zeros.

For every unit and aggregated node with a score, `component_detail(run)` lists the
*components* under the node that entered it: for an index or a pillar, the domains with a
value (`components`); for a domain, its indicators. A component is *stale* when one of its
values was carried past its source's end (index.complete: age in years, the oldest),
*imputed* when one of its values was imputed, *zero* when one of its values is a declared
zero (no record in a source that covers every country).

Columns: actor, target, year, node, components, stale_components ("trade_dependence:2;
elite_engagement:4"), max_stale_age (years, 0 when nothing is stale), imputed_components,
zero_components; lists are ";"-separated names in hierarchy order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DETAIL_COLUMNS = ["actor", "target", "year", "node", "components", "stale_components",
                  "max_stale_age", "imputed_components", "zero_components"]


def _leaf_state(run) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, K) used, age (NaN unused), imputed, zero for the run's leaves."""
    inputs, tree = run.inputs, run.tree
    cols = list(tree.leaves)
    used = run.data.normalised[cols].notna().to_numpy() & run.screened.cells
    raw = inputs.values[cols].notna().to_numpy()
    age = np.where(used, inputs.cell_frame("age")[cols].to_numpy(dtype=float), np.nan)
    zero = used & inputs.cell_frame("zero")[cols].to_numpy(dtype=bool)
    return used, age, used & ~raw, zero


def _domain_state(run, leaf: tuple) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    used, age, imputed, zero = leaf
    pos = {c: i for i, c in enumerate(run.tree.leaves)}
    out = {}
    for d in run.tree.by_level("domain"):
        k = [pos[c] for c in run.tree.children[d]]
        with np.errstate(invalid="ignore"):
            oldest = np.where(used[:, k].any(axis=1), np.nanmax(np.where(
                np.isnan(age[:, k]), -1, age[:, k]), axis=1), np.nan)
        out[d] = (used[:, k].any(axis=1), oldest, imputed[:, k].any(axis=1),
                  zero[:, k].any(axis=1))
    return out


def _joined(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Row-wise ";".join of the non-empty strings of equal-length arrays (n,)."""
    out = np.full(n, "", dtype=object)
    for part in parts:
        has = part != ""
        both = has & (out != "")
        out[both] = out[both] + ";"
        out[has] = out[has] + part[has]
    return out


def component_detail(run, nodes: list[str] | None = None) -> pd.DataFrame:
    """DETAIL_COLUMNS for every unit and node with a score (see the module doc); only the
    given nodes when `nodes` is set. Column-wise: per node, one pass per component over
    the units with a score."""
    tree = run.tree
    leaf = _leaf_state(run)
    pos = {c: i for i, c in enumerate(tree.leaves)}
    state = _domain_state(run, leaf)
    for c in tree.leaves:  # indicators are the components of a domain
        k = pos[c]
        state[c] = (leaf[0][:, k], leaf[1][:, k], leaf[2][:, k], leaf[3][:, k])
    S = run.scores.to_numpy()
    index = run.scores.index
    actors = np.asarray(index.get_level_values("actor"), dtype=object)
    targets = np.asarray(index.get_level_values("target"), dtype=object)
    years = np.asarray(index.get_level_values("year")).astype(int)
    feeds = run.screened.feeds
    node_pos = {c: j for j, c in enumerate(tree.nodes)}
    frames = []
    for j, node in enumerate(tree.nodes):
        if nodes is not None and node not in nodes:
            continue
        names = (tree.children[node] if tree.level[node] == "domain"
                 else [d for d in tree.by_level("domain") if node in _ancestors(tree, d)])
        rows = np.flatnonzero(~np.isnan(S[:, j]))
        n = len(rows)
        present, stale, imputed, zero = [], [], [], []
        oldest = np.zeros(n, dtype=int)
        for name in names:
            used, age, imp, zer = (a[rows] for a in state[name])
            used = used.astype(bool)
            if tree.level[node] == "index" and feeds is not None:  # pillars kept out
                used = used & feeds[rows, node_pos[tree.parent(name)]]
            present.append(np.where(used, name, ""))
            old = used & (age > 0)
            years_old = np.where(old, age, 0).astype(int)
            stale.append(np.where(old, np.char.add(f"{name}:", years_old.astype(str)), ""))
            oldest = np.maximum(oldest, years_old)
            imputed.append(np.where(used & imp.astype(bool), name, ""))
            zero.append(np.where(used & zer.astype(bool), name, ""))
        frames.append(pd.DataFrame({
            "actor": actors[rows], "target": targets[rows], "year": years[rows], "node": node,
            "components": _joined(present, n), "stale_components": _joined(stale, n),
            "max_stale_age": oldest, "imputed_components": _joined(imputed, n),
            "zero_components": _joined(zero, n)}, columns=DETAIL_COLUMNS))
    out = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame(columns=DETAIL_COLUMNS))
    return _overridden(out, run.extra.get("component_detail"), nodes)


def _overridden(out: pd.DataFrame, override: pd.DataFrame | None,
                nodes: list[str] | None) -> pd.DataFrame:
    """Rows another method scored replace the composite's (the latent pillars: their
    `index.latent.overlay` puts DETAIL_COLUMNS in run.extra["component_detail"])."""
    if override is None or override.empty:
        return out
    if nodes is not None:
        override = override[override["node"].isin(nodes)]
    keys = ["actor", "target", "year", "node"]
    replaced = pd.MultiIndex.from_frame(out[keys]).isin(pd.MultiIndex.from_frame(override[keys]))
    return pd.concat([out[~replaced], override[DETAIL_COLUMNS]], ignore_index=True)


def _ancestors(tree, node: str) -> set[str]:
    out, current = set(), node
    while (parent := tree.parent(current)) is not None:
        out.add(parent)
        current = parent
    for index in tree.by_level("index"):  # a pillar may sit in several indices
        if any(p in out for p in tree.children[index]):
            out.add(index)
    return out
