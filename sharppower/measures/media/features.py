"""Per-batch features: shingle hashes, MinHash signatures and LSH band keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sharppower.measures.media.minhash import band_keys, signatures
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.shingle import shingles


@dataclass
class Features:
    flat: np.ndarray      # shingle hashes of every document, in order
    offsets: np.ndarray   # document i: flat[offsets[i]:offsets[i+1]]
    keys: np.ndarray      # (n, bands) LSH band keys
    valid: np.ndarray     # documents with at least params.min_shingles distinct shingles

    def shingle_set(self, i: int) -> np.ndarray:
        return np.unique(self.flat[self.offsets[i]:self.offsets[i + 1]])


def featurise(texts: Sequence[str], params: MatchParams) -> Features:
    flat, offsets = shingles(texts, params.shingle)
    sig = signatures(flat, offsets, params.num_perm, params.seed)
    valid = np.diff(offsets) >= params.min_shingles
    return Features(flat, offsets, band_keys(sig, params.bands), valid)
