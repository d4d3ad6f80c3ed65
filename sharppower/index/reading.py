"""How a score's intervals are said, decided once for every page, export and CLI table.

An interval is shown only when it says something:

- a score interval of zero width (an event count or any input without an uncertainty
  estimate: every Monte Carlo run gives the same score) is not shown; `note` says why;
- a score interval spanning the whole 0-100 scale (a yes/no indicator is 0 or 100 by
  construction) is not shown as a range; `note` says it spans the scale;
- a target tied with others at the same score (most often at 0: no record) has no
  meaningful rank among them: "tied at 0 with 30 others" replaces "52 (51-82)";
- a rank interval of one rank is the rank alone; one spanning every rank says so.

`rank_interval` is the one formatting of a rank interval (CLI and web alike): the rank
and the interval's ends rounded outward (floor of the low end, ceiling of the high end),
so a stored 5th percentile of 25.4 reads 25 everywhere, never 25 on one page and 26 in
a terminal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

TIE_TOLERANCE = 1e-9  # scores closer than this are the same score
FULL_SCALE = (0.0, 100.0)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: float, digits: int = 2) -> str:
    """'0' for zero, else the value with `digits` decimals ('13.74')."""
    return "0" if abs(float(value)) < 0.5 * 10 ** -digits else f"{float(value):.{digits}f}"


def rank_interval(rank: Any, low: Any, high: Any) -> str:
    """'7 (5-11)'; '7' when the interval is one rank or missing; '' without a rank. The
    ends are rounded outward (floor, ceiling) and always hold the rank."""
    if _missing(rank):
        return ""
    r = round(float(rank))
    if _missing(low) or _missing(high):
        return str(r)
    lo, hi = min(math.floor(float(low)), r), max(math.ceil(float(high)), r)
    return str(r) if lo == hi else f"{r} ({lo}-{hi})"


def tie_counts(frame: pd.DataFrame, value: str = "value",
               by: tuple[str, ...] = ("year",)) -> pd.Series:
    """Per row of `frame`, how many other rows of its `by` group (a ranking: one actor,
    node and year) hold the same `value` (within TIE_TOLERANCE); 0 for a missing value."""
    out = pd.Series(0, index=frame.index, dtype="int64")
    keys = [c for c in by if c in frame.columns]
    groups = frame.groupby(keys, sort=False) if keys else [(None, frame)]
    for _, group in groups:
        vals = group[value].astype(float)
        have = vals.dropna().sort_values(kind="stable")
        if have.empty:
            continue
        block = np.concatenate([[0], np.cumsum(np.diff(have.to_numpy()) > TIE_TOLERANCE)])
        sizes = pd.Series(block).map(pd.Series(block).value_counts()).to_numpy()
        out.loc[have.index] = sizes - 1
    return out


def reading(value: Any, ci_low: Any = None, ci_high: Any = None, rank: Any = None,
            rank_low: Any = None, rank_high: Any = None, tied: int = 0,
            n_ranked: Any = None, digits: int = 2,
            scale: tuple[float, float] | None = FULL_SCALE) -> dict[str, str]:
    """How to say one score: `value` ('13.74'), `interval` ('12.10 to 15.02', or '' when it
    says nothing), `rank` ('7 (5-11)', 'tied at 0 with 30 others', '138 (any rank: 1-138)')
    and `note` (why an interval is not shown; '' otherwise). Empty strings without a value.
    `scale`: the score's range (None for a raw indicator: no full-scale rule)."""
    if _missing(value):
        return {"value": "", "interval": "", "rank": "", "note": ""}
    v = float(value)
    interval, note = "", ""
    if not (_missing(ci_low) or _missing(ci_high)):
        lo, hi = float(ci_low), float(ci_high)
        if hi - lo < 0.5 * 10 ** -digits:
            note = "no uncertainty interval: its inputs carry no error estimate"
        elif scale is not None and lo <= scale[0] and hi >= scale[1]:
            note = "interval spans the whole 0-100 scale (a yes/no input: 0 or 100)"
        else:
            interval = f"{lo:.{digits}f} to {hi:.{digits}f}"
    return {"value": f"{v:.{digits}f}", "interval": interval,
            "rank": _rank_words(v, rank, rank_low, rank_high, tied, n_ranked, digits),
            "note": note}


def _rank_words(v: float, rank: Any, low: Any, high: Any, tied: int, n_ranked: Any,
                digits: int) -> str:
    if _missing(rank):
        return ""
    if tied:
        return f"tied at {number(v, digits)} with {tied} other{'s' if tied != 1 else ''}"
    text = rank_interval(rank, low, high)
    if (not _missing(n_ranked) and not (_missing(low) or _missing(high)) and int(n_ranked) > 2
            and math.floor(float(low)) <= 1 and math.ceil(float(high)) >= int(n_ranked)):
        return f"{round(float(rank))} (any rank: 1-{int(n_ranked)})"
    return text
