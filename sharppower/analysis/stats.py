"""Small statistics used by the analysis: correlation intervals, slopes, count intervals.

- :func:`correlation`: Pearson or Spearman r with a 95% interval by Fisher's z
  (z = atanh r, se = 1 / sqrt(n - 3); for Spearman se = sqrt(1.06 / (n - 3)), Fieller,
  Hartley and Pearson 1957) and the two-sided p-value of scipy.
- :data:`SLOPES`: the slope of y on x with a 95% interval: ``ols`` (t interval of the OLS
  slope, n - 2 degrees of freedom) or ``bootstrap`` (percentile interval of the slope over
  resampled pairs, seeded).
- :func:`poisson_interval`: exact (Garwood) 95% interval of a count.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

CORRELATIONS = {"pearson": stats.pearsonr, "spearman": stats.spearmanr}
FISHER_VARIANCE = {"pearson": 1.0, "spearman": 1.06}
MIN_N = {"correlation": 4, "slope": 3}


def fisher_interval(r: float, n: int, method: str = "pearson", level: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a correlation; (nan, nan) when n < 4 or r is nan."""
    if n < MIN_N["correlation"] or not np.isfinite(r):
        return float("nan"), float("nan")
    if abs(r) >= 1:
        return float(r), float(r)
    z = np.arctanh(r)
    se = np.sqrt(FISHER_VARIANCE[method] / (n - 3))
    q = stats.norm.ppf(0.5 + level / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))


def correlation(x: np.ndarray, y: np.ndarray, method: str = "pearson") -> dict[str, float]:
    """r, ci_low, ci_high, p_value, n over the pairs where both are finite."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(ok.sum())
    nan = float("nan")
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"r": nan, "ci_low": nan, "ci_high": nan, "p_value": nan, "n": n}
    res = CORRELATIONS[method](x, y)
    r, p = float(res[0]), float(res[1])
    low, high = fisher_interval(r, n, method)
    return {"r": r, "ci_low": low, "ci_high": high, "p_value": p, "n": n}


def ols_slope(x: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """OLS slope and intercept of y on x with the t-based 95% interval of the slope
    (n - 2 degrees of freedom); all NaN when x is constant or n < 2, no interval when n < 3."""
    nan = float("nan")
    n = len(x)
    if n < 2 or np.ptp(x) == 0:
        return {"slope": nan, "intercept": nan, "ci_low": nan, "ci_high": nan}
    slope, intercept = np.polyfit(x, y, 1)
    fit = {"slope": float(slope), "intercept": float(intercept), "ci_low": nan, "ci_high": nan}
    if n < MIN_N["slope"]:
        return fit
    resid = y - (intercept + slope * x)
    sxx = float(((x - x.mean()) ** 2).sum())
    se = np.sqrt(float((resid ** 2).sum()) / (n - 2) / sxx)
    t = stats.t.ppf(0.975, n - 2)
    return {**fit, "ci_low": float(slope - t * se), "ci_high": float(slope + t * se)}


def bootstrap_slope(x: np.ndarray, y: np.ndarray, seed: int = 0, replications: int = 2000) -> dict[str, float]:
    """OLS slope with a percentile 95% interval over `replications` resampled pairs.

    Vectorised: all resamples at once; resamples where x is constant are dropped.
    """
    fit = ols_slope(x, y)
    if len(x) < MIN_N["slope"] or not np.isfinite(fit["slope"]):
        return {**fit, "ci_low": np.nan, "ci_high": np.nan}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(replications, len(x)))
    xs, ys = x[idx], y[idx]
    xc = xs - xs.mean(axis=1, keepdims=True)
    yc = ys - ys.mean(axis=1, keepdims=True)
    sxx = (xc ** 2).sum(axis=1)
    ok = sxx > 0
    slopes = (xc[ok] * yc[ok]).sum(axis=1) / sxx[ok]
    low, high = np.percentile(slopes, [2.5, 97.5])
    return {**fit, "ci_low": float(low), "ci_high": float(high)}


SLOPES: dict[str, Callable[..., dict[str, float]]] = {"ols": ols_slope, "bootstrap": bootstrap_slope}


def poisson_interval(count: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Garwood interval of Poisson counts: chi2 quantiles / 2 (low = 0 for a zero count)."""
    k = np.asarray(count, dtype=float)
    a = 1 - level
    low = np.where(k > 0, stats.chi2.ppf(a / 2, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - a / 2, 2 * (k + 1)) / 2
    nan = ~np.isfinite(k)
    return np.where(nan, np.nan, low), np.where(nan, np.nan, high)
