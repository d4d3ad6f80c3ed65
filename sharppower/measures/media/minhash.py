"""MinHash signatures and LSH band keys (compiled, numpy).

Signatures are one-permutation MinHash with optimal densification over the flat
shingle-hash buffer of a batch (kernels.oph_signatures, fixed seed): one hash per
shingle instead of one per shingle and permutation, and no Python object per value.
Banding is done here so that both engines use the very same band keys: a band key is
the splitmix64 hash of the band's rows and its band number, and two articles are
candidates when they share any band key.
"""

from __future__ import annotations

import numpy as np

from sharppower.measures.media.kernels import oph_signatures
from sharppower.measures.media.shingle import A, mix


def signatures(flat: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures; a document without shingles gets a
    row of the maximum value (it shares no band key with anything, see band_keys)."""
    return oph_signatures(flat, np.asarray(offsets, dtype=np.int64), num_perm, seed)


def band_keys(sig: np.ndarray, bands: int) -> np.ndarray:
    """(n_docs, bands) uint64 band keys."""
    n, num_perm = sig.shape
    rows = num_perm // bands
    parts = sig.reshape(n, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.broadcast_to(np.arange(bands, dtype=np.uint64), (n, bands)).copy()
        for j in range(rows):
            acc = acc * A + parts[:, :, j]
    return mix(acc)


def empty_rows(offsets: np.ndarray) -> np.ndarray:
    """Documents with no shingle (their signature is meaningless)."""
    return np.diff(offsets) == 0
