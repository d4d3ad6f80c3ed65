"""The measure frame every analysis reads and returns: columns, an empty frame, tidying.

A measure frame has the columns MEASURE_COLUMNS: target, year, value, se, ci_low, ci_high
(95% interval), n, rank, rank_low, rank_high, flags (list), source.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))
MEASURE_COLUMNS = ["target", "year", "value", "se", "ci_low", "ci_high", "n", "rank", "rank_low",
                   "rank_high", "flags", "source"]
NUMERIC = ["value", "se", "ci_low", "ci_high", "n", "rank", "rank_low", "rank_high"]


def empty_measure() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in MEASURE_COLUMNS})
    frame["target"] = frame["target"].astype(object)
    frame["year"] = frame["year"].astype("Int64")
    frame["flags"] = frame["flags"].astype(object)
    frame["source"] = frame["source"].astype(object)
    return frame


def year_list(years: int | Iterable[int] | None) -> list[int] | None:
    if years is None:
        return None
    if isinstance(years, (int, np.integer)):
        return [int(years)]
    return [int(y) for y in years]


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in MEASURE_COLUMNS order, numeric as float, year as Int64, intervals completed."""
    out = frame.reindex(columns=MEASURE_COLUMNS).reset_index(drop=True)
    cols = {c: pd.to_numeric(out[c], errors="coerce").astype(float) for c in NUMERIC}
    out = out.assign(**cols, year=out["year"].astype("Int64"), target=out["target"].astype(object),
                     flags=[f if isinstance(f, list) else [] for f in out["flags"]])
    return complete_intervals(out)


def complete_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill a 95% interval from se (value +/- 1.96 se) and se from a symmetric-normal reading
    of the interval ((high - low) / 3.92) when only one of them is given."""
    value, se = frame["value"].to_numpy(float), frame["se"].to_numpy(float)
    low, high = frame["ci_low"].to_numpy(float).copy(), frame["ci_high"].to_numpy(float).copy()
    fill = ~np.isnan(se) & ~np.isnan(value) & (np.isnan(low) | np.isnan(high))
    low[fill], high[fill] = value[fill] - Z95 * se[fill], value[fill] + Z95 * se[fill]
    back = np.isnan(se) & ~np.isnan(low) & ~np.isnan(high)
    se = np.where(back, (high - low) / (2 * Z95), se)
    return frame.assign(se=se, ci_low=low, ci_high=high)
