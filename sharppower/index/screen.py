"""Stage 1, coverage screening: which units and indicators enter each pillar.

Screening works per cross-section (actor x year) and per pillar. A pillar is scored in a
cross-section only when its indicators observed there reach at least `section_threshold`
of the pillar's domains that the actor has data for in any year (default 0: always).
Candidates are the pillar's indicators observed at least once in the cross-section and
the units with at least one of them. With `order: units_first` (default) a unit stays
when it has data for at least `unit_threshold` of the candidate indicators
(`count: indicators`) or domains (`count: domains`), then an indicator stays when it is
observed for at least `indicator_threshold` of the units kept; `indicators_first` does
the opposite. An index score needs the unit in at least `index_threshold` (default: the
unit threshold) of the index's pillars present in the cross-section. Everything dropped
is reported (kind pillar, unit or indicator) with its coverage and the reason.

`partial` names the domains whose sources cover only some targets (the ASD tracker, the
coercion cases): they add a component where they are covered but never decide whether a
unit is scored. Unit coverage counts the *core* (near-global) domains only, the
indicator threshold does not apply to partial ones, and the section threshold compares
core domains. So with thresholds above one half, any two units scored at a node share
at least one core component: no ranking compares disjoint sets of components; with
`index_threshold: 1.0` (the default spec) and imputation of the core domains a unit lacks
within a pillar, every unit in a ranking has the same core components. A partial
component enters a unit's score only where its source covers the unit (it is never
imputed). A pillar with no core component with data in a cross-section (Russia's
pressure: recorded interference only) is screened and scored on its partial ones, shown,
and kept out of the index (`Screened.feeds`), whose pillars are then the core ones.

SCREENERS: coverage, none. Each returns a Screened (eligible cells, nodes a unit may be
scored on, and the table of what was dropped).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.index.hierarchy import Hierarchy
from sharppower.index.methods import Registry
from sharppower.index.panel import cross_sections

DROPPED_COLUMNS = ["actor", "year", "node", "kind", "item", "coverage", "threshold", "reason"]


@dataclass
class Screened:
    cells: np.ndarray       # (n, K) bool: value may enter (unit kept in pillar, indicator kept)
    nodes: np.ndarray       # (n, A) bool: unit may receive a score at the node
    dropped: pd.DataFrame   # DROPPED_COLUMNS
    feeds: np.ndarray | None = None  # (n, A) bool: the node's score enters its parent


def no_screen(values: pd.DataFrame, tree: Hierarchy, observed: dict | None = None) -> Screened:
    n = len(values)
    return Screened(np.ones((n, len(tree.leaves)), bool), np.ones((n, len(tree.nodes)), bool),
                    pd.DataFrame(columns=DROPPED_COLUMNS))


class _Pillar:
    """Screen one pillar in one cross-section."""

    def __init__(self, X: np.ndarray, leaf_pos: list[int], domain_groups: list[list[int]],
                 partial: np.ndarray | None = None):
        self.present = ~np.isnan(X[:, leaf_pos])
        self.cand_ind = self.present.any(axis=0)
        self.cand_unit = self.present[:, self.cand_ind].any(axis=1)
        part = np.zeros(len(leaf_pos), bool) if partial is None else partial
        # partial components count only when the pillar has no core component with data
        self.partial = part if (self.cand_ind & ~part).any() else np.zeros_like(part)
        self.groups = [[i for i in g if self.cand_ind[i] and not self.partial[i]]
                       for g in domain_groups]
        self.groups = [g for g in self.groups if g]

    def units(self, indicators: np.ndarray, count: str) -> np.ndarray:
        """Coverage of each unit over the given core indicators (or their domains)."""
        indicators = indicators & ~self.partial
        if count == "domains":
            cols = [self.present[:, [i for i in g if indicators[i]]].any(axis=1)
                    for g in self.groups if any(indicators[i] for i in g)]
            present = np.column_stack(cols) if cols else np.zeros((len(self.present), 0), bool)
        else:
            present = self.present[:, indicators]
        return present.mean(axis=1) if present.shape[1] else np.zeros(len(self.present))

    def indicators(self, units: np.ndarray) -> np.ndarray:
        """Share of `units` observing each indicator (partial components: 1, exempt)."""
        if not units.any():
            return np.zeros(self.present.shape[1])
        return np.where(self.partial, 1.0, self.present[units].mean(axis=0))


def _screen_pillar(pil: _Pillar, order: str, count: str, ut: float, it: float):
    if order == "indicators_first":
        ind_cov = pil.indicators(pil.cand_unit)
        keep_ind = pil.cand_ind & (ind_cov >= it)
        unit_cov = pil.units(keep_ind, count)
        keep_unit = pil.cand_unit & (unit_cov >= ut) & keep_ind.any()
    else:
        unit_cov = pil.units(pil.cand_ind, count)
        keep_unit = pil.cand_unit & (unit_cov >= ut)
        ind_cov = pil.indicators(keep_unit)
        keep_ind = pil.cand_ind & (ind_cov >= it) & keep_unit.any()
    return keep_unit, unit_cov, keep_ind, ind_cov


def _rows(actor, year, node, kind, items, cov, thr, what):
    return [{"actor": actor, "year": int(year), "node": node, "kind": kind, "item": item,
             "coverage": float(c), "threshold": thr,
             "reason": f"coverage {c:.0%} < {thr:.0%} ({what})"} for item, c in zip(items, cov)]


def _seen_domains(values: pd.DataFrame, tree: Hierarchy, observed: dict | None) -> dict:
    """Per actor and pillar: the domains with at least one observation in any year
    (`observed`: per actor, the indicators seen, when the panel holds only some years)."""
    actors = values.index.get_level_values("actor")
    out = {}
    for actor in pd.unique(actors):
        if observed is not None and actor in observed:
            seen = set(observed[actor])
        else:
            seen = set(values.columns[values[actors == actor].notna().any().to_numpy()])
        for p in tree.by_level("pillar"):
            out[actor, p] = [d for d in tree.children[p] if seen & set(tree.children[d])]
    return out


class _Coverage:
    """Screening of one pillar in one cross-section, writing into cells, nodes, rows."""

    def __init__(self, values: pd.DataFrame, tree: Hierarchy, args: dict,
                 observed: dict | None = None):
        self.X, self.tree, self.args = values.to_numpy(dtype=float), tree, args
        self.index = values.index
        self.targets = values.index.get_level_values("target").to_numpy()
        self.cells = np.zeros((len(values), len(tree.leaves)), bool)
        self.nodes = np.zeros((len(values), len(tree.nodes)), bool)
        self.feeds = np.ones((len(values), len(tree.nodes)), bool)
        self.leaf_pos = {c: i for i, c in enumerate(tree.leaves)}
        self.node_pos = {c: i for i, c in enumerate(tree.nodes)}
        self.seen = _seen_domains(values, tree, observed)
        self.domain_of = {c: tree.parent(c) for c in tree.leaves}
        self.partial_only: set[tuple] = set()  # (actor, year, pillar) scored on partial data
        self.rows: list[dict] = []

    def pillar(self, pos: np.ndarray, p: str) -> None:
        a, tree = self.args, self.tree
        actor, _, year = self.index[pos[0]]
        leaves = tree.leaves_under(p)
        local = {c: i for i, c in enumerate(leaves)}
        groups = [[local[c] for c in tree.children[d]] for d in tree.children[p]]
        partial = np.array([self.domain_of[c] in a["partial"] for c in leaves], dtype=bool)
        pil = _Pillar(self.X[pos], [self.leaf_pos[c] for c in leaves], groups, partial)
        seen = [d for d in self.seen[actor, p] if d not in a["partial"]] or self.seen[actor, p]
        share = len(pil.groups) / len(seen) if seen else 0.0
        if pil.cand_unit.any() and share < a["section_threshold"]:
            self.rows += _rows(actor, year, p, "pillar", [p], [share], a["section_threshold"],
                               f"domains of {p} with data in the year, of those the actor has")
            return
        ku, ucov, ki, icov = _screen_pillar(pil, a["order"], a["count"], a["unit_threshold"],
                                            a["indicator_threshold"])
        kept = pos[ku]
        self.cells[np.ix_(kept, [self.leaf_pos[c] for c, k in zip(leaves, ki) if k])] = True
        # a partial component enters only where its source covers the unit (never imputed)
        for j in np.flatnonzero(partial):
            self.cells[kept, self.leaf_pos[leaves[j]]] &= pil.present[ku, j]
        self.nodes[np.ix_(kept, [self.node_pos[n] for n in [p, *tree.children[p]]])] = True
        if partial.any() and not (pil.cand_ind & ~partial).any():
            self.partial_only.add((actor, year, p))
        bad_u, bad_i = pil.cand_unit & ~ku, pil.cand_ind & ~ki
        self.rows += _rows(actor, year, p, "unit", self.targets[pos[bad_u]], ucov[bad_u],
                           a["unit_threshold"], f"{a['count']} of {p} with data")
        self.rows += _rows(actor, year, p, "indicator", np.array(leaves)[bad_i], icov[bad_i],
                           a["indicator_threshold"], f"units kept in {p} observed")

    def indices(self, pos: np.ndarray) -> None:
        actor, _, year = self.index[pos[0]]
        threshold = self.args["index_threshold"]
        for name in self.tree.by_level("index"):
            kids = self.tree.children[name]
            feeding = [p for p in kids if (actor, year, p) not in self.partial_only]
            for p in kids:
                if p not in feeding:  # a pillar with partial data only stays out of the index
                    self.feeds[pos, self.node_pos[p]] = False
            have = self.nodes[np.ix_(pos, [self.node_pos[p] for p in feeding])]
            present = have.any(axis=0)
            if not present.any():
                continue
            cov = have[:, present].mean(axis=1)
            keep = cov >= threshold
            self.nodes[pos[keep], self.node_pos[name]] = True
            bad = have.any(axis=1) & ~keep
            self.rows += _rows(actor, year, name, "unit", self.targets[pos[bad]], cov[bad],
                               threshold, f"pillars of {name} present in the cross-section")


def coverage(values: pd.DataFrame, tree: Hierarchy, unit_threshold: float = 0.65,
             indicator_threshold: float = 0.65, count: str = "indicators",
             order: str = "units_first", section_threshold: float = 0.0,
             index_threshold: float | None = None, partial: list[str] | None = None,
             observed: dict | None = None) -> Screened:
    args = {"unit_threshold": unit_threshold, "indicator_threshold": indicator_threshold,
            "count": count, "order": order, "section_threshold": section_threshold,
            "partial": set(partial or []),
            "index_threshold": unit_threshold if index_threshold is None else index_threshold}
    cov = _Coverage(values, tree, args, observed)
    for pos in cross_sections(values.index):
        for p in tree.by_level("pillar"):
            cov.pillar(pos, p)
        cov.indices(pos)
    return Screened(cov.cells, cov.nodes, pd.DataFrame(cov.rows, columns=DROPPED_COLUMNS),
                    cov.feeds)


# `observed` (per actor, the indicators seen in any year) is supplied by the engine.
SCREENERS = (Registry("screen", inputs=2, supplied=("observed",))
             .add("coverage", coverage).add("none", no_screen))
