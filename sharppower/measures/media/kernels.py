"""Compiled loops (numba, pinned) for the per-byte and per-shingle work of a whole batch.

`shingle_hashes` walks the bytes of a batch once: tokens, their hashes and the k-token
shingle hashes, with no Python object per token. `sorted_sets` and `common_counts` give
the verification its sorted distinct shingle sets and the size of each candidate pair's
intersection. Compiled once per machine (`cache=True`) and free of the GIL.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SEP = 0xFF  # separates the documents of a batch (never occurs in UTF-8 text)


@njit(cache=True, nogil=True, inline="always")
def _mix(x):
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True, nogil=True)
def shingle_hashes(data, word, k, p, a):
    """Shingle hashes of documents separated (and ended) by SEP bytes in `data` (uint8).

    A token is a maximal run of bytes with word[b]; its raw hash is the polynomial
    sum((b_j + 1) * p**(n-1-j)) over its n bytes (Horner), mixed; a shingle's raw hash is
    sum(t_j * a**(k-1-j)) over its k tokens, kept as a rolling hash, mixed. All modulo
    2**64. Returns (flat uint64, offsets int64 of length n_docs + 1)."""
    n_docs = 0
    for i in range(data.shape[0]):
        if data[i] == SEP:
            n_docs += 1
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    flat = np.empty(data.shape[0] // 2 + 1, dtype=np.uint64)
    ring = np.zeros(k, dtype=np.uint64)  # the window's tokens (ring[pos] leaves next)
    one = np.uint64(1)
    ak = one  # a**k: the weight of the token leaving the window
    for _ in range(k):
        ak *= a
    doc, tokens, pos, out = 0, 0, 0, 0
    h, acc, inside = np.uint64(0), np.uint64(0), False
    for i in range(data.shape[0]):
        b = data[i]
        if word[b]:
            if not inside:
                h, inside = np.uint64(0), True
            h = h * p + np.uint64(b) + one
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
        if b == SEP:
            doc += 1
            offsets[doc] = out
            tokens, pos, acc = 0, 0, np.uint64(0)
            ring[:] = 0
    return flat[:out].copy(), offsets


@njit(cache=True, nogil=True)
def sorted_sets(flat, offsets, rows):
    """The sorted distinct shingle hashes of documents `rows`: (flat, offsets)."""
    size = 0
    for r in rows:
        size += offsets[r + 1] - offsets[r]
    out = np.empty(size, dtype=np.uint64)
    out_off = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    n = 0
    for i in range(rows.shape[0]):
        seg = np.sort(flat[offsets[rows[i]]:offsets[rows[i] + 1]])
        for j in range(seg.shape[0]):
            if j == 0 or seg[j] != seg[j - 1]:
                out[n] = seg[j]
                n += 1
        out_off[i + 1] = n
    return out[:n].copy(), out_off


@njit(cache=True, nogil=True)
def common_counts(a_flat, a_off, a_rows, b_flat, b_off, b_rows):
    """|A_i & B_i| for pairs of sorted distinct sets (set a_rows[i] of A, b_rows[i] of B)."""
    counts = np.zeros(a_rows.shape[0], dtype=np.int64)
    for i in range(a_rows.shape[0]):
        x, x_end = a_off[a_rows[i]], a_off[a_rows[i] + 1]
        y, y_end = b_off[b_rows[i]], b_off[b_rows[i] + 1]
        c = 0
        while x < x_end and y < y_end:
            u, v = a_flat[x], b_flat[y]
            if u == v:
                c += 1
                x += 1
                y += 1
            elif u < v:
                x += 1
            else:
                y += 1
        counts[i] = c
    return counts


@njit(cache=True, nogil=True)
def oph_signatures(flat, offsets, num_perm, seed):
    """(n_docs, num_perm) uint32 MinHash signatures by one-permutation hashing with optimal
    densification (Shrivastava 2017): each shingle hash, mixed with the seed, falls in one
    of num_perm bins by its high bits and competes there by its low 32 bits; an empty bin
    takes the value of the first non-empty bin that its own hash sequence (bin, attempt)
    reaches. Two documents agree on a bin with probability their Jaccard similarity, as
    with num_perm independent permutations, at one hash per shingle. A document without
    shingles gets a row of the maximum value."""
    n = offsets.shape[0] - 1
    empty = np.uint64(0xFFFFFFFF)
    low = np.uint64(0xFFFFFFFF)
    m = np.uint64(num_perm)
    key = _mix(np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1))
    out = np.empty((n, num_perm), dtype=np.uint32)
    bins = np.empty(num_perm, dtype=np.uint64)
    for d in range(n):
        bins[:] = empty
        for s in range(offsets[d], offsets[d + 1]):
            x = _mix(flat[s] ^ key)
            b = ((x >> np.uint64(32)) * m) >> np.uint64(32)
            v = x & low
            bins[b] = min(bins[b], v)
        filled = 0
        for i in range(num_perm):
            if bins[i] != empty:
                filled += 1
        for i in range(num_perm):
            v = bins[i]
            if v == empty and filled > 0:
                attempt = np.uint64(0)
                while True:
                    attempt += np.uint64(1)
                    y = _mix(key ^ (np.uint64(i) << np.uint64(32)) ^ attempt)
                    j = ((y >> np.uint64(32)) * m) >> np.uint64(32)
                    if bins[j] != empty:
                        v = bins[j]
                        break
            out[d, i] = np.uint32(v)
    return out
