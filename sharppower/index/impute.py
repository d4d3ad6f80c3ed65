"""Stage 2, imputation of missing values inside the cells screening kept.

IMPUTERS (each `f(values, cells, region, **args) -> DataFrame`, NaN outside `cells`):
- none: leave gaps; weights renormalise over the indicators present.
- mean, median: the mean or median of the indicator over the units of the same region
  (countries.region) in the same actor x year; the whole cross-section's when the
  region has no value.
- knn: scikit-learn KNNImputer (k nearest units, nan-Euclidean distance on indicators
  standardised within the actor x year).
- carry_forward: the unit's last observed value of an earlier year (at most `limit`
  years old when given).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sharppower.index.methods import Registry
from sharppower.index.panel import cross_sections


def _masked(values: pd.DataFrame, cells: np.ndarray) -> pd.DataFrame:
    return values.where(cells)


def none(values: pd.DataFrame, cells: np.ndarray, region: pd.Series) -> pd.DataFrame:
    return _masked(values, cells)


def _within_region(values, cells, region, stat: str) -> pd.DataFrame:
    data = _masked(values, cells)
    actor = values.index.get_level_values("actor")
    year = values.index.get_level_values("year")
    keys = [actor, year, pd.Index(region.fillna("(none)").to_numpy(), dtype=object)]
    by_region = data.groupby(keys).transform(stat)
    by_section = data.groupby([actor, year]).transform(stat)
    filled = data.fillna(by_region).fillna(by_section)
    return filled.where(cells)


def mean(values, cells, region) -> pd.DataFrame:
    return _within_region(values, cells, region, "mean")


def median(values, cells, region) -> pd.DataFrame:
    return _within_region(values, cells, region, "median")


def _knn_block(X: np.ndarray, ok: np.ndarray, k: int) -> np.ndarray:
    rows = ok.any(axis=1)
    cols = ok.any(axis=0)
    if rows.sum() < 2 or not cols.any():
        return X
    block = np.where(ok, X, np.nan)[np.ix_(rows, cols)]
    with warnings.catch_warnings():  # a column kept by screening may hold no value here
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(block, axis=0)
        scale = np.nanstd(block, axis=0)
    scale[~(scale > 0)] = 1.0
    z = (block - centre) / scale
    from sklearn.impute import KNNImputer  # loads only when knn imputation runs

    imputer = KNNImputer(n_neighbors=min(k, int(rows.sum()) - 1), keep_empty_features=True)
    filled = imputer.fit_transform(z) * scale + centre
    out = X.copy()
    out[np.ix_(rows, cols)] = np.where(np.isnan(block), filled, block)
    return out


def knn(values, cells, region, k: int = 5) -> pd.DataFrame:
    X = values.to_numpy(dtype=float)
    out = np.full_like(X, np.nan)
    for pos in cross_sections(values.index):
        out[pos] = _knn_block(X[pos], cells[pos], int(k))
    return pd.DataFrame(np.where(cells, out, np.nan), index=values.index, columns=values.columns)


def carry_forward(values, cells, region, limit: int | None = None) -> pd.DataFrame:
    keys = ["actor", "target"]
    year = values.index.get_level_values("year").to_numpy(dtype=float)
    seen = pd.DataFrame(np.where(values.isna(), np.nan, year[:, None]), index=values.index,
                        columns=values.columns)
    last = values.groupby(level=keys).ffill()
    last_year = seen.groupby(level=keys).ffill()
    if limit is not None:
        last = last.where(year[:, None] - last_year <= float(limit))
    return values.fillna(last).where(cells)


# `absent` (read by the dispatch, stages.transform): `declared` keeps the codebook's
# declared zeros; `missing` treats them as missing values (imputed like any other).
IMPUTERS = (Registry("impute", inputs=3, stage_params=("absent",))
            .add("none", none).add("mean", mean).add("median", median).add("knn", knn)
            .add("carry_forward", carry_forward, earlier_years=True))
