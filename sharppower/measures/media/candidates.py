"""LSH candidates: pairs of articles sharing at least one band key (numpy, no Python loop).

The wire articles' distinct band keys sit in a hash table (a pandas index), each with
the run of wire rows that have it. Most keys of a query are in no wire article: a bitmap
of the keys' low bits (a one-hash Bloom filter) drops most of them before the table is
asked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _filter_bits(n_keys: int) -> int:
    """Slots of the bitmap: about 16 per key (some 6% false hits), 2**16 to 2**26."""
    return int(min(26, max(16, np.ceil(np.log2(max(n_keys, 1) * 16)))))


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


class BandIndex:
    """The band keys of the wire articles, for lookup."""

    def __init__(self, keys: np.ndarray, valid: np.ndarray):
        rows = np.flatnonzero(valid)
        flat = keys[rows].ravel()
        order = np.argsort(flat, kind="stable")
        flat, self.owner = flat[order], np.repeat(rows, keys.shape[1])[order]
        self.start = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if len(flat) else order
        self.count = np.diff(np.r_[self.start, len(flat)])
        distinct = flat[self.start]
        self.table = pd.Index(distinct)
        size = 2 ** _filter_bits(len(distinct))
        self.mask = np.uint64(size - 1)
        self.bits = np.zeros(size, dtype=bool)
        self.bits[distinct & self.mask] = True
        self.base = int(self.owner.max()) + 1 if len(self.owner) else 1

    def query(self, keys: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (query row, wire row) pairs sharing a band key, sorted."""
        if len(self.owner) == 0:
            return _empty()
        rows = np.flatnonzero(valid)
        flat = keys[rows].ravel()
        maybe = np.flatnonzero(self.bits[flat & self.mask])
        found = self.table.get_indexer(flat[maybe])
        hit = maybe[found >= 0]
        if len(hit) == 0:
            return _empty()
        slot = found[found >= 0]
        counts = self.count[slot]
        total = int(counts.sum())
        starts = np.repeat(self.start[slot] - (np.cumsum(counts) - counts), counts)
        wire = self.owner[starts + np.arange(total)]
        query = np.repeat(rows[hit // keys.shape[1]], counts)
        pairs = np.unique(query.astype(np.int64) * self.base + wire)
        return pairs // self.base, pairs % self.base
