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


def group_keys(const double[:, ::1] S, const int64_t[::1] perm, const int64_t[::1] starts,
               int64_t[:, :, ::1] keys):
    """keys[r, g, j]: the sort key of S[r, perm[starts[g] + j]] for j below the group's
    size, of a missing score beyond it (the groups laid side by side, padded)."""
    cdef Py_ssize_t R = S.shape[0], G = keys.shape[1], width = keys.shape[2], r, g, j, a, size
    with nogil:
        for r in range(R):
            for g in range(G):
                a = starts[g]
                size = starts[g + 1] - a
                for j in range(width):
                    if j < size:
                        keys[r, g, j] = _key(S[r, perm[a + j]], j)
                    else:
                        keys[r, g, j] = _key(NAN, j)


def group_ranks_from_sorted(const int64_t[:, :, ::1] keys, const int64_t[::1] perm,
                            const int64_t[::1] starts, real[:, ::1] out, int64_t nan_value):
    """'min' ranks from each group's sorted keys, written back at the group's positions in
    `out` (R, L) (NaN for missing scores; padding is skipped)."""
    cdef Py_ssize_t R = keys.shape[0], G = keys.shape[1], width = keys.shape[2], r, g, j, a, size
    cdef int64_t key, value, previous, slot
    cdef real rank
    with nogil:
        for r in range(R):
            for g in range(G):
                a = starts[g]
                size = starts[g + 1] - a
                previous = -1
                rank = 0
                for j in range(width):
                    key = keys[r, g, j]
                    value = key >> LOW_BITS
                    slot = key & MASK
                    if value == nan_value:
                        if slot < size:
                            out[r, perm[a + slot]] = NAN
                        continue
                    if j == 0 or value != previous:
                        rank = j + 1
                    previous = value
                    out[r, perm[a + slot]] = rank


def histogram_add_blocked(const float[:, ::1] ranks, int64_t[:, ::1] counts):
    """histogram_add, lanes in blocks of 16 so that their rows of counts stay in cache."""
    cdef Py_ssize_t n = ranks.shape[0], lanes = ranks.shape[1], i, j, j0, j1
    cdef float r
    with nogil:
        for j0 in range(0, lanes, 16):
            j1 = j0 + 16 if j0 + 16 < lanes else lanes
            for i in range(n):
                for j in range(j0, j1):
                    r = ranks[i, j]
                    if not isnan(r):
                        counts[j, <Py_ssize_t>r] += 1


def histogram_add_lanes(const float[:, ::1] ranks_by_lane, int64_t[:, ::1] counts):
    """histogram_add from ranks laid out (lanes, replications): each lane's row of counts
    stays in cache while its replications are counted."""
    cdef Py_ssize_t lanes = ranks_by_lane.shape[0], n = ranks_by_lane.shape[1], i, j
    cdef float r
    with nogil:
        for j in range(lanes):
            for i in range(n):
                r = ranks_by_lane[j, i]
                if not isnan(r):
                    counts[j, <Py_ssize_t>r] += 1
