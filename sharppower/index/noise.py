"""Data noise for the Monte Carlo: how uncertain each input value is, cell by cell.

Two sources of uncertainty in a value itself (not in the modelling choices):

- a **standard error** the source publishes (survey estimates of the opinion engine, WGI);
- **staleness**: a value carried `age` years past its source's end (index.complete) may
  have moved since, by as much as values of that indicator move in `age` years: the
  standard deviation of x(t + age) - x(t) over the observed values of the same actor x
  target, over the whole panel (empirical, so a slowly moving share counts little and a
  lumpy count much).

`relative_sd(inputs)` expresses both as a share of the indicator's spread in the cross-
section (standard deviation across the actor x year's targets), so that the Monte Carlo can
turn it into the units of any normalisation: noise = relative sd x the spread of the
normalised values in the same cross-section (exact for min-max and z-scores, an
approximation for ranks and log-treated indicators). Declared zeros and fresh values
without a published standard error carry no noise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sharppower.index.panel import cross_sections


def change_sd(values: pd.DataFrame, age: pd.DataFrame, max_lag: int) -> np.ndarray:
    """(max_lag + 1, K): row a is the standard deviation of x(t + a) - x(t) over pairs of
    observed (age 0) values of the same actor x target a years apart (row 0 is 0). Where
    no pair is a years apart, the largest shorter lag's value stands in."""
    K = values.shape[1]
    out = np.zeros((max_lag + 1, K))
    if values.empty or max_lag <= 0:
        return out
    fresh = values.where(age == 0)
    keys = [values.index.get_level_values("actor"), values.index.get_level_values("target")]
    years = pd.Series(values.index.get_level_values("year"), index=values.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for lag in range(1, max_lag + 1):
            step = years.groupby(keys).diff(lag).to_numpy()
            diff = fresh.groupby(keys).diff(lag).to_numpy()
            diff[step != lag] = np.nan
            sd = np.nanstd(diff, axis=0)
            out[lag] = np.where(np.isnan(sd), out[lag - 1], sd)
    return out


def section_spread(X: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """(n, K): each unit's cross-section standard deviation of each column (NaN-aware)."""
    out = np.zeros(X.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: spread 0
        for pos in groups:
            out[pos] = np.nan_to_num(np.nanstd(X[pos], axis=0))[None]
    return out


def relative_sd(values: pd.DataFrame, se: pd.DataFrame, age: pd.DataFrame) -> np.ndarray:
    """(n, K) standard deviation of each value's noise as a share of its cross-section's
    spread (0 for a value with no published error that is not stale)."""
    X = values.to_numpy(dtype=float)
    s = np.nan_to_num(se.to_numpy(dtype=float))
    a = np.nan_to_num(age.to_numpy(dtype=float)).astype(int)
    lags = change_sd(values, age, int(a.max()) if a.size else 0)
    stale = np.take_along_axis(lags, a, axis=0) if a.size else np.zeros_like(X)
    sd = np.sqrt(s ** 2 + stale ** 2)
    spread = section_spread(X, cross_sections(values.index))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(spread > 0, sd / np.where(spread > 0, spread, 1.0), 0.0)
    return np.where(np.isnan(X), 0.0, rel)
