"""Data noise for the Monte Carlo: how uncertain each input value is, cell by cell.

Two sources of uncertainty in a value itself (not in the modelling choices):

- a **standard error** the source publishes (survey estimates of the opinion engine, WGI);
- **staleness**: a value carried `age` years past its source's end (index.complete) may
  have moved since. Its uncertainty grows like a random walk: sqrt(age) times the typical
  year-on-year change of that indicator (the standard deviation of the changes between
  consecutive observed years of the same actor x target, over the whole panel).

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


def yearly_change_sd(values: pd.DataFrame, age: pd.DataFrame) -> np.ndarray:
    """(K,) standard deviation of year-on-year changes of observed (age 0) values."""
    fresh = values.where(age == 0)
    keys = [values.index.get_level_values("actor"), values.index.get_level_values("target")]
    years = pd.Series(values.index.get_level_values("year"), index=values.index)
    step = years.groupby(keys).diff().to_numpy()
    diff = fresh.groupby(keys).diff().to_numpy()
    diff[step != 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanstd(diff, axis=0) if len(diff) else np.zeros(values.shape[1])
    return np.nan_to_num(out)


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
    a = np.nan_to_num(age.to_numpy(dtype=float))
    drift = yearly_change_sd(values, age)
    sd = np.sqrt(s ** 2 + a * drift[None] ** 2)
    spread = section_spread(X, cross_sections(values.index))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(spread > 0, sd / np.where(spread > 0, spread, 1.0), 0.0)
    return np.where(np.isnan(X), 0.0, rel)
