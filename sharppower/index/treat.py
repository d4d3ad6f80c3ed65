"""Stage 3, outlier treatment, per indicator within each actor x year (`by: year`) or
over all years of an actor (`by: actor`).

An indicator *fails* when |skewness| >= `skew` and kurtosis >= `kurtosis` (sample
skewness and excess kurtosis of type 2, as Excel, e1071 type 2 and COINr compute them;
JRC thresholds 2 and 3.5).

TREATERS (each `f(values, **args) -> (DataFrame, report)`):
- none: no treatment.
- jrc: winsorise a failing indicator one extreme value at a time on the side of its
  skew (the extreme takes the value of the next one) until it passes or `winmax` points
  are winsorised; if it still fails, use the log transform on the original values.
- log: the log transform on failing indicators (`every: true`: on every indicator).

Log transform (COIN Tool): log(x - min + a) with a = 0.01 (max - min) for positive skew,
-log(max - x + a) for negative skew; both keep the order of the values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sharppower.index.methods import Registry
from sharppower.index.panel import groups

REPORT_COLUMNS = ["actor", "year", "indicator", "action", "points", "skew", "kurtosis"]


def skew_kurtosis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise type-2 skewness and excess kurtosis, ignoring NaN (NaN when n < 4 or
    the column is constant)."""
    n = np.sum(~np.isnan(X), axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(X, axis=0)
        d = X - centre
        m2 = np.nanmean(d ** 2, axis=0)
        g1 = np.nanmean(d ** 3, axis=0) / m2 ** 1.5
        g2 = np.nanmean(d ** 4, axis=0) / m2 ** 2 - 3
        skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
        kurt = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
        flat = ~(m2 > 1e-24 * np.maximum(1.0, centre ** 2))
    bad = (n < 4) | flat
    return np.where(bad, np.nan, skew), np.where(bad, np.nan, kurt)


def moments(v: np.ndarray) -> tuple[float, float]:
    """Type-2 skewness and excess kurtosis of a 1-D array without NaN (NaN, NaN when
    fewer than 4 values or constant); the same formulas as `skew_kurtosis`."""
    n = len(v)
    if n < 4:
        return np.nan, np.nan
    centre = v.mean()
    d = v - centre
    d2 = d * d
    m2 = d2.mean()
    if not m2 > 1e-24 * max(1.0, centre * centre):
        return np.nan, np.nan
    g1 = (d2 * d).mean() / m2 ** 1.5
    g2 = (d2 * d2).mean() / m2 ** 2 - 3
    return (g1 * np.sqrt(n * (n - 1)) / (n - 2),
            ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))


def fails(x: np.ndarray, skew: float, kurtosis: float) -> bool:
    s, k = moments(x[~np.isnan(x)])
    return bool(abs(s) >= skew and k >= kurtosis)


def winsorise(x: np.ndarray, winmax: int, skew: float, kurtosis: float) -> tuple[np.ndarray, int]:
    """Replace the most extreme value (on the side of the skew) by the next one until the
    column passes or `winmax` points are winsorised; returns (values, points)."""
    out = x.copy()
    ok = ~np.isnan(x)
    v, done = x[ok].copy(), 0
    while done < winmax:
        s, k = moments(v)
        if not (abs(s) >= skew and k >= kurtosis):
            break
        extreme = v.max() if s >= 0 else v.min()
        hit = v == extreme
        if hit.all():
            break
        v[hit] = v[~hit].max() if s >= 0 else v[~hit].min()
        done += int(hit.sum())
    out[ok] = v
    return out, done


def log_transform(x: np.ndarray) -> np.ndarray:
    lo, hi = np.nanmin(x), np.nanmax(x)
    a = 0.01 * (hi - lo) or 1.0
    s, _ = moments(x[~np.isnan(x)])
    if np.isnan(s) or s >= 0:
        return np.log(x - lo + a)
    return -np.log(hi - x + a)


def _apply(values: pd.DataFrame, treat_one, by: str, skew: float, kurtosis: float,
           every: bool = False):
    X = values.to_numpy(dtype=float).copy()
    rows = []
    for pos in groups(values.index, by == "actor"):
        block = X[pos]
        s, k = skew_kurtosis(block)
        chosen = ~np.isnan(s) if every else (np.abs(s) >= skew) & (k >= kurtosis)
        for j in np.flatnonzero(chosen):
            new, action, points = treat_one(block[:, j])
            X[pos, j] = new
            actor, _, year = values.index[pos[0]]
            rows.append({"actor": actor, "year": None if by == "actor" else int(year),
                         "indicator": values.columns[j], "action": action, "points": points,
                         "skew": float(s[j]), "kurtosis": float(k[j])})
    out = pd.DataFrame(X, index=values.index, columns=values.columns)
    return out, pd.DataFrame(rows, columns=REPORT_COLUMNS)


def none(values: pd.DataFrame):
    return values.copy(), pd.DataFrame(columns=REPORT_COLUMNS)


def jrc(values: pd.DataFrame, winmax: int = 5, skew: float = 2.0, kurtosis: float = 3.5,
        by: str = "year"):
    def treat_one(x):
        won, points = winsorise(x, int(winmax), skew, kurtosis)
        if not fails(won, skew, kurtosis):
            return won, "winsorised", points
        return log_transform(x), "log", 0

    return _apply(values, treat_one, by, skew, kurtosis)


def log(values: pd.DataFrame, skew: float = 2.0, kurtosis: float = 3.5, every: bool = False,
        by: str = "year"):
    return _apply(values, lambda x: (log_transform(x), "log", 0), by, skew, kurtosis, every)


def _by_actor(args: dict) -> bool:
    return args.get("by") == "actor"


TREATERS = (Registry("treat", inputs=1)
            .add("none", none).add("jrc", jrc, pooled=_by_actor).add("log", log, pooled=_by_actor))
