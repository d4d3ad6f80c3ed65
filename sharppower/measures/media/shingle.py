"""Word shingles hashed to 64-bit integers, a whole batch of documents at once in numpy.

A token is a run of word bytes in the lower-cased UTF-8 text: ASCII letters and digits
and every byte from 0x80 to 0xFE (so letters of any script stay inside words; a
non-ASCII punctuation mark such as an em dash is a token of its own). A token's hash is a
polynomial hash of its bytes computed from prefix sums over the whole batch (no Python
loop per token); a shingle is `k` consecutive tokens of one document, hashed from the
token hashes the same way and finished with the splitmix64 mixer. Documents with fewer
than `k` tokens have no shingle. The result is deterministic across processes and
machines, so the local and Spark engines see the same shingles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

P = np.uint64(0x100000001B3)  # FNV prime: odd, so invertible modulo 2**64
P_INV = np.uint64(pow(int(P), -1, 2**64))
A = np.uint64(0x9E3779B97F4A7C15)
SEPARATOR = b"\xff"  # never occurs in UTF-8 text

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


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: np.uint64, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) modulo 2**64, cached and grown by doubling."""
    cached = _POWERS.get(int(base))
    if cached is None or len(cached) < n:
        size = max(n, 2 * len(cached) if cached is not None else 1 << 16)
        cached = np.empty(size, dtype=np.uint64)
        cached[0] = 1
        cached[1:] = base
        with np.errstate(over="ignore"):
            np.multiply.accumulate(cached, out=cached)
        _POWERS[int(base)] = cached
    return cached[:n]


def token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hash every token of every text: (hashes uint64, document index per token)."""
    data = np.frombuffer(SEPARATOR.join(t.lower().encode("utf-8") for t in texts) + SEPARATOR,
                         dtype=np.uint8)
    word = _WORD[data]
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    with np.errstate(over="ignore"):
        values = data.astype(np.uint64) + np.uint64(1)
        prefix = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum(values * _powers(P, len(data)), out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * _powers(P_INV, len(data))[starts]
    separators = np.flatnonzero(data == SEPARATOR[0])
    per_doc = np.diff(np.searchsorted(starts, separators), prepend=0)  # tokens of each text
    doc = np.repeat(np.arange(len(separators)), per_doc)
    return mix(raw), doc


def shingles(texts: Sequence[str], k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of a batch: (flat uint64 array, offsets of length len(texts) + 1).

    Document i's shingles are flat[offsets[i]:offsets[i+1]], in text order, with
    repeats (MinHash ignores them; `unique_sets` removes them for verification).
    """
    tokens, doc = token_hashes(texts)
    n = len(tokens) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(len(texts) + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        acc = tokens[:n].copy()
        for j in range(1, k):
            acc = acc * A + tokens[j:j + n]
    keep = doc[:n] == doc[k - 1:]
    flat = mix(acc[keep])
    counts = np.bincount(doc[:n][keep], minlength=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return flat, offsets


def unique_sets(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """Per document: its sorted distinct shingle hashes."""
    return [np.unique(flat[offsets[i]:offsets[i + 1]]) for i in range(len(offsets) - 1)]
