"""The spec's hierarchy compiled into arrays for vectorised aggregation.

Leaves are indicators (K); aggregated nodes (A) are the domains, then the pillars, then
the indices, so every node comes after its children. Each aggregated node owns a
contiguous slice of *edges* (parent, child); weights live on edges, so a pillar that
belongs to two indices can carry a different Monte Carlo weight in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

LEVELS = ("domain", "pillar", "index")


class Tree(Protocol):
    """What the hierarchy is compiled from (a Spec): pillar -> domain -> indicator codes,
    index -> pillars, and the indicator codes in order."""

    pillars: dict[str, dict[str, list[str]]]
    indices: dict[str, list[str]]

    @property
    def indicators(self) -> list[str]: ...


@dataclass
class Hierarchy:
    leaves: list[str]                 # indicator codes, in spec order
    nodes: list[str]                  # aggregated nodes, children before parents
    level: dict[str, str]             # aggregated node -> domain | pillar | index
    pillar_of: dict[str, str]         # leaf or domain -> pillar
    children: dict[str, list[str]]    # aggregated node -> its children (names)
    edge_parent: np.ndarray           # (E,) index into nodes
    edge_child: list[str]             # (E,) child name
    slices: dict[str, slice]          # aggregated node -> its edge slice

    @property
    def n_edges(self) -> int:
        return len(self.edge_child)

    def node_index(self, name: str) -> int:
        return self.nodes.index(name)

    def leaf_edges(self) -> np.ndarray:
        """(E,) index of the leaf each edge points to, -1 for edges to aggregated nodes."""
        pos = {c: i for i, c in enumerate(self.leaves)}
        return np.array([pos.get(c, -1) for c in self.edge_child])

    def nominal_weights(self, weights: dict[str, float]) -> np.ndarray:
        """(E,) the weight of each edge's child (1 when the spec gives none)."""
        return np.array([float(weights.get(c, 1.0)) for c in self.edge_child])

    def leaves_under(self, node: str) -> list[str]:
        if node in self.leaves:
            return [node]
        return [leaf for c in self.children[node] for leaf in self.leaves_under(c)]

    def by_level(self, level: str) -> list[str]:
        return [n for n in self.nodes if self.level[n] == level]

    def parent(self, name: str) -> str | None:
        """The aggregated node whose children include `name` (the first, for a pillar in
        several indices), None for an index."""
        return next((n for n in self.nodes if name in self.children[n]), None)


def compile_hierarchy(spec: Tree) -> Hierarchy:
    children: dict[str, list[str]] = {}
    level: dict[str, str] = {}
    pillar_of: dict[str, str] = {}
    for p, domains in spec.pillars.items():
        for d, codes in domains.items():
            children[d], level[d] = list(codes), "domain"
            pillar_of[d] = p
            pillar_of.update({c: p for c in codes})
    for p, domains in spec.pillars.items():
        children[p], level[p] = list(domains), "pillar"
    for name, members in spec.indices.items():
        children[name], level[name] = list(members), "index"
    nodes = list(children)
    edge_parent, edge_child, slices = [], [], {}
    for j, node in enumerate(nodes):
        start = len(edge_child)
        edge_child.extend(children[node])
        edge_parent.extend([j] * len(children[node]))
        slices[node] = slice(start, len(edge_child))
    return Hierarchy(spec.indicators, nodes, level, pillar_of, children,
                     np.array(edge_parent, dtype=int), edge_child, slices)
