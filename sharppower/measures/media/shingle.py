"""Word shingles hashed to 64-bit integers, a whole batch of documents at once.

A token is a run of word bytes in the lower-cased UTF-8 text: ASCII letters and digits
and every byte from 0x80 to 0xFE (so letters of any script stay inside words; a
non-ASCII punctuation mark such as an em dash is a token of its own). A token's hash is a
polynomial hash of its bytes; a shingle is `k` consecutive tokens of one document, hashed
from the token hashes the same way (a rolling hash); both are finished with the
splitmix64 mixer. The
bytes of a whole batch are walked once by a compiled loop (kernels.shingle_hashes), with
no Python object per token. Documents with fewer
than `k` tokens have no shingle. The result is deterministic across processes and
machines, so the local and Spark engines see the same shingles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sharppower.measures.media import kernels

P = np.uint64(0x100000001B3)  # FNV prime: odd, so invertible modulo 2**64
A = np.uint64(0x9E3779B97F4A7C15)
SEPARATOR = bytes([kernels.SEP])  # never occurs in UTF-8 text

_WORD = np.zeros(256, dtype=bool)
_WORD[[*range(48, 58), *range(65, 91), *range(97, 123), *range(128, 255)]] = True


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 -> uint64, bijective, good avalanche)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def encode(texts: Sequence[str]) -> np.ndarray:
    """The lower-cased UTF-8 bytes of a batch, each text followed by the separator byte."""
    return np.frombuffer(SEPARATOR.join(t.lower().encode("utf-8") for t in texts) + SEPARATOR,
                         dtype=np.uint8)


def shingles(texts: Sequence[str], k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of a batch: (flat uint64 array, offsets of length len(texts) + 1).

    Document i's shingles are flat[offsets[i]:offsets[i+1]], in text order, with
    repeats (MinHash ignores them; `unique_sets` removes them for verification).
    """
    if not len(texts):
        return np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    return kernels.shingle_hashes(encode(texts), _WORD, k, P, A)


def unique_sets(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """Per document: its sorted distinct shingle hashes."""
    sets, bounds = kernels.sorted_sets(flat, offsets, np.arange(len(offsets) - 1))
    return [sets[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
