"""LSH candidates: pairs of articles sharing at least one band key (numpy, no Python loop).

The wire articles' distinct band keys sit in a hash table (a pandas index), each with
the run of wire rows that have it; a query looks all its keys up at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


class BandIndex:
    """The band keys of the wire articles, for lookup."""

    def __init__(self, keys: np.ndarray, valid: np.ndarray):
        rows = np.flatnonzero(valid)
        flat = keys[rows].ravel()
        owner = np.repeat(rows, keys.shape[1])
        order = np.argsort(flat, kind="stable")
        flat, self.owner = flat[order], owner[order]
        distinct, self.start, self.count = np.unique(flat, return_index=True, return_counts=True)
        self.table = pd.Index(distinct)
        self.base = int(self.owner.max()) + 1 if len(self.owner) else 1

    def query(self, keys: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (query row, wire row) pairs sharing a band key, sorted."""
        if len(self.owner) == 0:
            return _empty()
        rows = np.flatnonzero(valid)
        found = self.table.get_indexer(keys[rows].ravel())
        hit = np.flatnonzero(found >= 0)
        if len(hit) == 0:
            return _empty()
        slot = found[hit]
        counts = self.count[slot]
        total = int(counts.sum())
        starts = np.repeat(self.start[slot] - (np.cumsum(counts) - counts), counts)
        wire = self.owner[starts + np.arange(total)]
        query = np.repeat(rows[hit // keys.shape[1]], counts)
        pairs = np.unique(query.astype(np.int64) * self.base + wire)
        return pairs // self.base, pairs % self.base
