"""Per-batch features: shingle hashes, MinHash signatures and LSH band keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sharppower.measures.media.kernels import sorted_sets
from sharppower.measures.media.minhash import band_keys, signatures
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.shingle import shingles


@dataclass
class Features:
    flat: np.ndarray      # shingle hashes of every document, in order
    offsets: np.ndarray   # document i: flat[offsets[i]:offsets[i+1]]
    keys: np.ndarray      # (n, bands) LSH band keys
    valid: np.ndarray     # documents with at least params.min_shingles shingles

    def shingle_set(self, i: int) -> np.ndarray:
        """Document i's sorted distinct shingle hashes."""
        return np.unique(self.flat[self.offsets[i]:self.offsets[i + 1]])

    def sets(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sorted distinct shingle hashes of documents `rows`: (flat, offsets), set i
        being flat[offsets[i]:offsets[i+1]] (the same sets as shingle_set)."""
        return sorted_sets(self.flat, self.offsets, np.asarray(rows, dtype=np.int64))


def featurise(texts: Sequence[str], params: MatchParams) -> Features:
    flat, offsets = shingles(texts, params.shingle)
    sig = signatures(flat, offsets, params.num_perm, params.seed)
    valid = np.diff(offsets) >= params.min_shingles
    return Features(flat, offsets, band_keys(sig, params.bands), valid)
