"""Ranks and rank quantiles as array operations (no loop over replications).

Rank 1 is the highest score within an actor x year; ties share the lowest rank number
("min", as in sports); missing scores have no rank. Two scores tie when they agree after
`quantise` (the last 16 of the 52 mantissa bits cleared: about 11 significant digits), so
that values equal in exact arithmetic tie whatever the floating-point order of operations.

`rank_desc` packs each quantised score and its position into one int64 key and sorts
the keys (one vectorised sort along the last axis); `RankHistogram` accumulates, per unit
and node, how often each rank occurs over replications, from which quantiles follow
without keeping every replication's ranks.
"""

from __future__ import annotations

import numpy as np

try:  # compiled one-pass loops (setup.py); the numpy code below gives the same numbers
    from sharppower.index import _rank_kernels as kernels
except ImportError:  # pragma: no cover - an install without the compiled kernels
    kernels = None

LOW_BITS = 16
MASK = (1 << LOW_BITS) - 1
SIGN_FLIP = np.int64(0x7FFFFFFFFFFFFFFF)


def quantise(x: np.ndarray) -> np.ndarray:
    """Scores with the low LOW_BITS mantissa bits cleared (the precision of a tie)."""
    x = np.asarray(x, dtype=np.float64) + 0.0  # -0.0 -> 0.0
    return (x.view(np.int64) & ~np.int64(MASK)).view(np.float64)


def _ordered_keys(S: np.ndarray) -> np.ndarray:
    """int64 keys ordering -S ascending (NaN last), low bits holding the position."""
    v = np.negative(S)
    v[np.isnan(v)] = np.inf
    v += 0.0  # -0.0 -> 0.0
    keys = v.view(np.int64)
    flip = keys >> 63
    flip &= SIGN_FLIP
    keys ^= flip
    keys &= ~np.int64(MASK)
    keys |= np.arange(S.shape[-1], dtype=np.int64)
    return keys


def _nan_key() -> np.int64:
    """The quantised key of a missing score (stored as +inf in `_ordered_keys`)."""
    return _ordered_keys(np.array([np.nan]))[0] >> LOW_BITS


def rank_desc(S: np.ndarray, dtype=np.float64, compiled: bool = True) -> np.ndarray:
    """'min' ranks of S along the last axis, highest first; NaN stays NaN (`compiled`:
    the one-pass kernels when built, else numpy)."""
    S = np.asarray(S, dtype=np.float64)
    width = S.shape[-1]
    if width > MASK + 1:
        raise ValueError(f"at most {MASK + 1} units can be ranked together")
    if S.size == 0:
        return np.full(S.shape, np.nan, dtype=dtype)
    if compiled and kernels is not None and np.dtype(dtype) in (np.float32, np.float64):
        keys = kernels.ordered_keys(np.ascontiguousarray(S.reshape(-1, width)))
        keys.sort(axis=-1)
        out = np.empty(keys.shape, dtype=dtype)
        kernels.ranks_from_sorted(keys, out, int(_nan_key()))
        return out.reshape(S.shape)
    keys = np.sort(_ordered_keys(S), axis=-1).reshape(-1, width)
    value = keys >> LOW_BITS
    # flat positions grow along every row and across rows, so one 1-D running maximum
    # gives each element the position of the first element of its run of ties
    itype = np.int32 if keys.size < 2**31 else np.int64
    flat = np.arange(keys.size, dtype=itype).reshape(keys.shape)
    flat[:, 1:][value[:, 1:] == value[:, :-1]] = 0
    np.maximum.accumulate(flat.ravel(), out=flat.ravel())
    start = np.arange(0, keys.size, width, dtype=itype)[:, None]
    flat -= start - 1
    ranks = flat.astype(dtype)
    ranks[value == _nan_key()] = np.nan
    out = np.empty(keys.size, dtype=dtype)
    order = (keys & MASK).astype(itype)
    order += start
    out[order.ravel()] = ranks.ravel()
    return out.reshape(S.shape)


def group_ranks(S: np.ndarray, groups: list[np.ndarray], dtype=np.float64) -> np.ndarray:
    """Ranks along the last axis within each group of positions (the cross-sections).
    Groups of similar size are ranked together: laid side by side, padded with NaN to
    the largest (at most twice the smallest), in one call of `rank_desc`."""
    if len(groups) == 1 and len(groups[0]) == S.shape[-1]:
        return rank_desc(S[..., groups[0]], dtype)
    out = np.full(S.shape, np.nan, dtype=dtype)
    sizes = np.array([len(g) for g in groups])
    bucket = np.floor(np.log2(np.maximum(sizes, 1))).astype(int)
    compiled = (kernels is not None and np.dtype(dtype) in (np.float32, np.float64)
                and S.size > 0)
    flat = np.ascontiguousarray(S.reshape(-1, S.shape[-1]), dtype=np.float64) if compiled else S
    for b in np.unique(bucket):
        members = [groups[i] for i in np.flatnonzero(bucket == b) if len(groups[i])]
        if not members:
            continue
        width = max(len(g) for g in members)
        if width > MASK + 1:
            raise ValueError(f"at most {MASK + 1} units can be ranked together")
        if compiled:  # keys laid out padded, one sort, ranks written back: three passes
            perm = np.concatenate(members).astype(np.int64)
            starts = np.concatenate([[0], np.cumsum([len(g) for g in members])]).astype(np.int64)
            keys = np.empty((len(flat), len(members), width), dtype=np.int64)
            kernels.group_keys(flat, perm, starts, keys)
            keys.sort(axis=-1)
            kernels.group_ranks_from_sorted(keys, perm, starts, out.reshape(-1, S.shape[-1]),
                                            int(_nan_key()))
            continue
        row = np.repeat(np.arange(len(members)), [len(g) for g in members])
        slot = np.concatenate([np.arange(len(g)) for g in members])
        pos = np.concatenate(members)
        padded = np.full(S.shape[:-1] + (len(members), width), np.nan)
        padded[..., row, slot] = S[..., pos]
        out[..., pos] = rank_desc(padded, dtype)[..., row, slot]
    return out


class RankHistogram:
    """Counts of each rank per lane (unit x node) accumulated over replications. Pieces
    are buffered and counted together (one bincount over the counts' size per buffer as
    large as the counts, not per piece)."""

    def __init__(self, lanes: int, max_rank: int):
        self.max_rank = max_rank
        self._counts = np.zeros((lanes, max_rank + 1), dtype=np.int64)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, ranks: np.ndarray) -> None:
        """ranks: (R, lanes) with NaN for no rank."""
        flat = ranks.reshape(len(ranks), -1)
        if kernels is not None and flat.dtype == np.float32:
            kernels.histogram_add_lanes(np.ascontiguousarray(flat.T), self._counts)
            return
        valid = ~np.isnan(flat)
        codes = np.broadcast_to(np.arange(flat.shape[1], dtype=np.int64) * (self.max_rank + 1),
                                flat.shape)[valid]
        codes += flat[valid].astype(np.int64)
        self._pending.append(codes)
        self._pending_size += len(codes)
        if self._pending_size >= self._counts.size:
            self._flush()

    def merge(self, other: RankHistogram) -> None:
        """Add another histogram's counts (of other replications of the same lanes)."""
        self._counts += other.counts

    def _flush(self) -> None:
        if self._pending:
            codes = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._counts += np.bincount(codes, minlength=self._counts.size).reshape(
                self._counts.shape)
            self._pending, self._pending_size = [], 0

    @property
    def counts(self) -> np.ndarray:
        """(lanes, max_rank + 1) how often each rank occurred in each lane."""
        self._flush()
        return self._counts

    def quantiles(self, qs: list[float]) -> np.ndarray:
        """(len(qs), lanes): linear interpolation between order statistics (numpy's
        default quantile method); NaN for lanes never ranked."""
        cum = np.cumsum(self.counts, axis=1)
        total = cum[:, -1]
        last = np.maximum(total - 1, 0)
        out = np.full((len(qs), len(total)), np.nan)
        for i, q in enumerate(qs):
            h = last * q
            lo = np.floor(h)
            a = np.sum(cum <= lo[:, None], axis=1)
            b = np.sum(cum <= np.minimum(lo + 1, last)[:, None], axis=1)
            out[i] = np.where(total > 0, a + (h - lo) * (b - a), np.nan)
        return out

