"""Stage 4, normalisation onto a common scale, direction applied.

Every method works column by column within each actor x year (the ranks compare targets
of one actor in one year), except `goalposts`, whose bounds hold across all years of an
actor so that scores of different years are comparable. After this stage higher always
means more of the pillar's concept: an indicator whose codebook direction is negative
enters reversed.

NORMALISERS (each `f(X, direction, columns, **args)` on one group's (n, k) array):
- minmax: lo + (hi - lo) (x - min) / (max - min), default [0, 100]; of -x when reversed.
- zscore: centre + scale (x - mean) / sd (sample sd), default 100 + 10 z.
- rank: 100 r / n, r the rank (1 = lowest, ties averaged), n values present.
- frontier: distance to the frontier, 100 x / x_best; a reversed indicator is reflected
  first (x -> max + min - x); an indicator with negative values is shifted to start at 0.
- goalposts: 100 (x - lo) / (hi - lo) truncated to [0, 100], (hi - x) / (hi - lo) when
  reversed; lo, hi from `goalposts: {code: [lo, hi]}`, else the `quantiles` (default
  0 and 1: min and max) of the indicator over all years of the actor.
A constant column gets the middle of the scale (it carries no information).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sharppower.index.methods import Registry
from sharppower.index.panel import groups


def minmax(X, direction, columns=None, lo: float = 0.0, hi: float = 100.0):
    Y = X * direction
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mn, mx = np.nanmin(Y, axis=0), np.nanmax(Y, axis=0)
        span = mx - mn
        out = lo + (hi - lo) * (Y - mn) / np.where(span > 0, span, 1.0)
    return np.where(span > 0, out, np.where(np.isnan(Y), np.nan, (lo + hi) / 2))


def zscore(X, direction, columns=None, centre: float = 100.0, scale: float = 10.0):
    Y = X * direction
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(Y, axis=0, ddof=1)
        z = (Y - np.nanmean(Y, axis=0)) / np.where(sd > 0, sd, 1.0)
    return np.where(sd > 0, centre + scale * z, np.where(np.isnan(Y), np.nan, centre))


def rank(X, direction, columns=None):
    Y = X * direction
    from scipy.stats import rankdata  # scipy.stats loads when ranks are normalised

    r = rankdata(Y, axis=0, method="average", nan_policy="omit")
    n = np.sum(~np.isnan(Y), axis=0)
    return 100.0 * r / np.where(n > 0, n, 1)


def frontier(X, direction, columns=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mn, mx = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        Y = np.where(direction < 0, mx + mn - X, X)
        Y = Y - np.minimum(np.nanmin(Y, axis=0), 0.0)
        best = np.nanmax(Y, axis=0)
    out = 100.0 * Y / np.where(best > 0, best, 1.0)
    # all values equal (or one unit): every unit is at the frontier
    return np.where(best > 0, out, np.where(np.isnan(Y), np.nan, 100.0))


def goalposts(X, direction, columns=None, goalposts: dict | None = None,
              quantiles: tuple[float, float] = (0.0, 1.0)):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanquantile(X, quantiles[0], axis=0)
        hi = np.nanquantile(X, quantiles[1], axis=0)
    for j, code in enumerate(columns or []):
        if goalposts and code in goalposts:
            lo[j], hi[j] = map(float, goalposts[code])
    span = np.where(hi > lo, hi - lo, 1.0)
    Y = np.where(direction < 0, hi - X, X - lo) / span
    Y = 100.0 * np.clip(Y, 0.0, 1.0)
    return np.where(hi > lo, Y, np.where(np.isnan(X), np.nan, 50.0))


NORMALISERS = (Registry("normalise", inputs=3)
               .add("minmax", minmax).add("zscore", zscore).add("rank", rank)
               .add("frontier", frontier)
               .add("goalposts", goalposts, pooled=True))  # bounds over all years of an actor


def normalise(values: pd.DataFrame, directions: np.ndarray, method: str = "minmax",
              **args) -> pd.DataFrame:
    """Apply NORMALISERS[method] per actor x year (per actor for pooled methods), with the
    arguments the method declares."""
    stage_args = {"method": method, **args}
    pooled = NORMALISERS.method(stage_args).is_pooled(stage_args)
    X = values.to_numpy(dtype=float)
    out = np.full_like(X, np.nan)
    cols = list(values.columns)
    direction = np.asarray(directions, dtype=float)
    for pos in groups(values.index, pooled):
        out[pos] = NORMALISERS.call(stage_args, X[pos], direction, cols)
    out[np.isnan(X)] = np.nan
    return pd.DataFrame(out, index=values.index, columns=values.columns)
