"""Compiled loops for the per-byte and per-shingle work of a whole batch.

`shingle_hashes` walks the bytes of a batch once: tokens, their hashes and the k-token
shingle hashes, with no Python object per token. `sorted_sets` and `common_counts` give
the verification its sorted distinct shingle sets and the size of each candidate pair's
intersection; `oph_signatures` the MinHash signatures. The loops are C++ compiled from
`_kernels.pyx` (Cython) when the package is installed: nothing is compiled or loaded at
run time (numba's cached kernels took 0.6-0.9 s to load in every process, more than
matching 10,000 articles), and they run without the GIL. These wrappers fix the dtypes
and refuse the arguments the loops cannot take (a shingle of fewer than one word, fewer
than one permutation, a seed outside 0..2**64-1: ValueError), whatever the caller
(MatchParams already checks the options; this is the last guard before C).
"""

from __future__ import annotations

import numpy as np

from sharppower.measures.media import _kernels

SEP = _kernels.SEP  # separates the documents of a batch (never occurs in UTF-8 text)


def _at_least_one(name: str, value) -> None:
    if isinstance(value, bool) or int(value) != value or not 1 <= int(value) < 2**31:
        raise ValueError(f"{name} must be a whole number from 1 to 2**31 - 1, not {value!r}")


def _i64(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def _u64(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.uint64)


def shingle_hashes(data: np.ndarray, word: np.ndarray, k: int, p, a) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of documents separated (and ended) by SEP bytes in `data` (uint8).

    A token is a maximal run of bytes with word[b]; its raw hash is the polynomial
    sum((b_j + 1) * p**(n-1-j)) over its n bytes (Horner), mixed; a shingle's raw hash is
    sum(t_j * a**(k-1-j)) over its k tokens, kept as a rolling hash, mixed (splitmix64).
    All modulo 2**64. Returns (flat uint64, offsets int64 of length n_docs + 1)."""
    _at_least_one("k (words per shingle)", k)
    return _kernels.shingle_hashes(np.ascontiguousarray(data, dtype=np.uint8),
                                   np.ascontiguousarray(word, dtype=np.uint8), int(k),
                                   int(p), int(a))


def sorted_sets(flat, offsets, rows) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct shingle hashes of documents `rows`: (flat, offsets)."""
    return _kernels.sorted_sets(_u64(flat), _i64(offsets), _i64(rows))


def common_counts(a_flat, a_off, a_rows, b_flat, b_off, b_rows) -> np.ndarray:
    """|A_i & B_i| for pairs of sorted distinct sets (set a_rows[i] of A, b_rows[i] of B)."""
    return _kernels.common_counts(_u64(a_flat), _i64(a_off), _i64(a_rows),
                                  _u64(b_flat), _i64(b_off), _i64(b_rows))


def oph_signatures(flat, offsets, num_perm: int, seed: int) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures by one-permutation hashing with optimal
    densification (Shrivastava 2017): each shingle hash, mixed with the seed, falls in one
    of num_perm bins by its high bits and competes there by its low 32 bits; an empty bin
    takes the value of the first non-empty bin that its own hash sequence (bin, attempt)
    reaches. Two documents agree on a bin with probability their Jaccard similarity, as
    with num_perm independent permutations, at one hash per shingle. A document without
    shingles gets a row of the maximum value."""
    _at_least_one("num_perm", num_perm)
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed must be between 0 and 2**64 - 1, not {seed!r}")
    return _kernels.oph_signatures(_u64(flat), _i64(offsets), int(num_perm), int(seed))
