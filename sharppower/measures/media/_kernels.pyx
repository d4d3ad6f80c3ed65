# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
# distutils: language = c++
"""Compiled loops (Cython, built when the package is installed) for the per-byte and
per-shingle work of a whole batch; see kernels.py for what each computes. All hash
arithmetic is modulo 2**64 (unsigned wrap-around). The loops run without the GIL."""

import numpy as np

from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libcpp.algorithm cimport sort as std_sort

SEP = 0xFF

cdef uint64_t M1 = 0xBF58476D1CE4E5B9
cdef uint64_t M2 = 0x94D049BB133111EB
cdef uint64_t GOLDEN = 0x9E3779B97F4A7C15
cdef uint64_t LOW32 = 0xFFFFFFFF


cdef inline uint64_t _mix(uint64_t x) noexcept nogil:
    """splitmix64 finaliser."""
    x = x ^ (x >> 30)
    x = x * M1
    x = x ^ (x >> 27)
    x = x * M2
    return x ^ (x >> 31)


def shingle_hashes(const uint8_t[::1] data, const uint8_t[::1] word, int k, uint64_t p,
                   uint64_t a):
    cdef Py_ssize_t n = data.shape[0], i, n_docs = 0
    for i in range(n):
        if data[i] == 0xFF:
            n_docs += 1
    offsets_arr = np.zeros(n_docs + 1, dtype=np.int64)
    flat_arr = np.empty(n // 2 + 1, dtype=np.uint64)
    ring_arr = np.zeros(max(k, 1), dtype=np.uint64)
    cdef int64_t[::1] offsets = offsets_arr
    cdef uint64_t[::1] flat = flat_arr
    cdef uint64_t[::1] ring = ring_arr
    cdef uint64_t ak = 1, h = 0, acc = 0, t
    cdef Py_ssize_t doc = 0, tokens = 0, pos = 0, out = 0, j
    cdef bint inside = False
    cdef uint8_t b
    with nogil:
        for j in range(k):
            ak = ak * a
        for i in range(n):
            b = data[i]
            if word[b]:
                if not inside:
                    h = 0
                    inside = True
                h = h * p + <uint64_t>b + 1
                continue
            if inside:
                t = _mix(h)
                acc = acc * a + t - ring[pos] * ak
                ring[pos] = t
                pos += 1
                if pos == k:
                    pos = 0
                tokens += 1
                inside = False
                if tokens >= k:
                    flat[out] = _mix(acc)
                    out += 1
            if b == 0xFF:
                doc += 1
                offsets[doc] = out
                tokens = 0
                pos = 0
                acc = 0
                for j in range(k):
                    ring[j] = 0
    return flat_arr[:out].copy(), offsets_arr


def sorted_sets(const uint64_t[::1] flat, const int64_t[::1] offsets, const int64_t[::1] rows):
    cdef Py_ssize_t m = rows.shape[0], i, j, size = 0, n = 0, w, start, length
    for i in range(m):
        size += offsets[rows[i] + 1] - offsets[rows[i]]
    out_arr = np.empty(size, dtype=np.uint64)
    off_arr = np.zeros(m + 1, dtype=np.int64)
    cdef uint64_t[::1] out = out_arr
    cdef int64_t[::1] out_off = off_arr
    with nogil:
        for i in range(m):
            start = offsets[rows[i]]
            length = offsets[rows[i] + 1] - start
            if length > 0:
                for j in range(length):
                    out[n + j] = flat[start + j]
                std_sort(&out[n], &out[n] + length)
                w = n + 1
                for j in range(n + 1, n + length):
                    if out[j] != out[w - 1]:
                        out[w] = out[j]
                        w += 1
                n = w
            out_off[i + 1] = n
    return out_arr[:n].copy(), off_arr


def common_counts(const uint64_t[::1] a_flat, const int64_t[::1] a_off, const int64_t[::1] a_rows,
                  const uint64_t[::1] b_flat, const int64_t[::1] b_off, const int64_t[::1] b_rows):
    cdef Py_ssize_t m = a_rows.shape[0], i
    counts_arr = np.zeros(m, dtype=np.int64)
    cdef int64_t[::1] counts = counts_arr
    cdef int64_t x, x_end, y, y_end, c
    cdef uint64_t u, v
    with nogil:
        for i in range(m):
            x = a_off[a_rows[i]]
            x_end = a_off[a_rows[i] + 1]
            y = b_off[b_rows[i]]
            y_end = b_off[b_rows[i] + 1]
            c = 0
            while x < x_end and y < y_end:
                u = a_flat[x]
                v = b_flat[y]
                if u == v:
                    c += 1
                    x += 1
                    y += 1
                elif u < v:
                    x += 1
                else:
                    y += 1
            counts[i] = c
    return counts_arr


def oph_signatures(const uint64_t[::1] flat, const int64_t[::1] offsets, int num_perm,
                   uint64_t seed):
    cdef Py_ssize_t n = offsets.shape[0] - 1, d, s, i
    out_arr = np.empty((n, num_perm), dtype=np.uint32)
    bins_arr = np.empty(max(num_perm, 1), dtype=np.uint64)
    cdef uint32_t[:, ::1] out = out_arr
    cdef uint64_t[::1] bins = bins_arr
    cdef uint64_t empty = LOW32, m = <uint64_t>num_perm, key, x, b, v, y, j, attempt
    cdef Py_ssize_t filled
    key = _mix(seed * GOLDEN + 1)
    with nogil:
        for d in range(n):
            for i in range(num_perm):
                bins[i] = empty
            for s in range(offsets[d], offsets[d + 1]):
                x = _mix(flat[s] ^ key)
                b = ((x >> 32) * m) >> 32
                v = x & LOW32
                if v < bins[b]:
                    bins[b] = v
            filled = 0
            for i in range(num_perm):
                if bins[i] != empty:
                    filled += 1
            for i in range(num_perm):
                v = bins[i]
                if v == empty and filled > 0:
                    attempt = 0
                    while True:
                        attempt += 1
                        y = _mix(key ^ (<uint64_t>i << 32) ^ attempt)
                        j = ((y >> 32) * m) >> 32
                        if bins[j] != empty:
                            v = bins[j]
                            break
                out[d, i] = <uint32_t>v
    return out_arr
