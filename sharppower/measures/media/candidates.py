"""LSH candidates: pairs of articles sharing at least one band key (numpy, no Python loop)."""

from __future__ import annotations

import numpy as np


class BandIndex:
    """The band keys of the wire articles, sorted for lookup."""

    def __init__(self, keys: np.ndarray, valid: np.ndarray):
        rows = np.flatnonzero(valid)
        flat = keys[rows].ravel()
        owner = np.repeat(rows, keys.shape[1])
        order = np.argsort(flat, kind="stable")
        self.keys, self.owner = flat[order], owner[order]

    def query(self, keys: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (query row, wire row) pairs sharing a band key, sorted."""
        if len(self.keys) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rows = np.flatnonzero(valid)
        flat = keys[rows].ravel()
        who = np.repeat(rows, keys.shape[1])
        left = np.searchsorted(self.keys, flat, side="left")
        counts = np.searchsorted(self.keys, flat, side="right") - left
        hit = counts > 0
        left, counts, who = left[hit], counts[hit], who[hit]
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        starts = np.repeat(left - (np.cumsum(counts) - counts), counts)
        wire = self.owner[starts + np.arange(total)]
        query = np.repeat(who, counts)
        base = int(self.owner.max()) + 1
        pairs = np.unique(query.astype(np.int64) * base + wire)
        return pairs // base, pairs % base
