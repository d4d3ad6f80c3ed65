# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled loops for `sharppower.index.ranks` (Cython, built when the package is
installed; ranks.py falls back to its numpy code without them). Each replaces a chain of
whole-array numpy passes with one pass: the sort keys of the scores, the 'min' ranks read
off the sorted keys, and the rank histogram's counts. Same numbers as the numpy code."""

import numpy as np

from libc.math cimport NAN, isnan
from libc.stdint cimport int64_t, uint64_t

cdef int64_t LOW_BITS = 16
cdef int64_t MASK = (1 << 16) - 1
cdef int64_t SIGN_FLIP = 0x7FFFFFFFFFFFFFFF
cdef double INF = float("inf")

ctypedef fused real:
    float
    double


cdef inline int64_t _key(double s, int64_t j) noexcept nogil:
    """The int64 key ordering -s ascending (NaN last), low bits cleared for j."""
    cdef double v = -s
    cdef int64_t k
    if isnan(v):
        v = INF
    v = v + 0.0
    k = (<int64_t*>&v)[0]
    k = k ^ ((k >> 63) & SIGN_FLIP)
    return (k & ~MASK) | j


def ordered_keys(const double[:, ::1] S):
    """(rows, width) int64 keys: ranks._ordered_keys in one pass."""
    cdef Py_ssize_t n = S.shape[0], w = S.shape[1], i, j
    out = np.empty((n, w), dtype=np.int64)
    cdef int64_t[:, ::1] k = out
    with nogil:
        for i in range(n):
            for j in range(w):
                k[i, j] = _key(S[i, j], j)
    return out


def ranks_from_sorted(const int64_t[:, ::1] keys, real[:, ::1] out, int64_t nan_value):
    """'min' ranks from each row's sorted keys, written at each key's position (NaN for
    missing scores): rank_desc after its sort, in one pass."""
    cdef Py_ssize_t n = keys.shape[0], w = keys.shape[1], i, j
    cdef int64_t key, value, previous
    cdef real rank
    with nogil:
        for i in range(n):
            previous = -1
            rank = 0
            for j in range(w):
                key = keys[i, j]
                value = key >> LOW_BITS
                if value == nan_value:
                    out[i, key & MASK] = NAN
                    continue
                if j == 0 or value != previous:
                    rank = j + 1
                previous = value
                out[i, key & MASK] = rank


def histogram_add(const float[:, ::1] ranks, int64_t[:, ::1] counts):
    """counts[lane, rank] += 1 for every rank (not NaN) of every replication."""
    cdef Py_ssize_t n = ranks.shape[0], lanes = ranks.shape[1], i, j
    cdef float r
    with nogil:
        for i in range(n):
            for j in range(lanes):
                r = ranks[i, j]
                if not isnan(r):
                    counts[j, <Py_ssize_t>r] += 1
