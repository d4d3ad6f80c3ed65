"""MinHash signatures (rensa) and LSH band keys (numpy).

Signatures come from rensa's RMinHash over the flat shingle-hash buffer of a batch
(`digest_matrix_from_flat_token_hashes`, pinned rensa==0.5.0, fixed seed). Banding is
done here rather than in rensa's index so that both engines use the very same band keys:
a band key is the splitmix64 hash of the band's rows and its band number, and two
articles are candidates when they share any band key.
"""

from __future__ import annotations

import numpy as np
import rensa

from sharppower.measures.media.shingle import A, mix


def signatures(flat: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures; a document without shingles gets a
    row of the maximum value (it shares no band key with anything, see band_keys)."""
    n = len(offsets) - 1
    if n == 0:
        return np.zeros((0, num_perm), dtype=np.uint32)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        flat, offsets.astype(np.uint64), num_perm, seed)
    return np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(n, num_perm)


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
