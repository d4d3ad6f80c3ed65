"""Correlations of attraction, influence and pillar scores with the targets' covariates.

For each measure (an indicator code or an ``index:<level>:<name>`` score of the actor) and
each covariate (target-only indicators: Freedom House, V-Dem, WGI), the correlation across
targets is computed per year, or pooled over the years (:data:`POOLING`):

- ``target_mean``: each target's mean over the years where both are present, so targets
  count once and the Fisher interval's independence assumption holds;
- ``stack``: every target-year is one pair (n counts target-years; repeated targets make
  the interval too narrow, say so when you use it).

Pearson and Spearman, each with n, a 95% interval by Fisher's z
(:func:`sharppower.analysis.stats.fisher_interval`) and scipy's p-value. A pair with fewer
than 4 targets, or a constant input, gives NaN with a reason in `missing`. Years are those
where the measure has a value; a measure with none gives one row per method saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from sharppower.analysis.common import measure, read_observations
from sharppower.analysis.stats import MIN_N, correlation
from sharppower.store import Database

COVARIATES = ("res_fh_total", "res_fh_media", "res_fh_academic", "res_fh_rule_of_law",
              "res_vdem_censorship", "res_vdem_self_censorship", "res_vdem_academic",
              "res_vdem_corruption", "res_wgi_corruption", "res_wgi_rule_of_law", "res_wgi_voice")
MEASURES = ("att_favorable", "att_net", "index:index:influence", "index:pillar:exposure",
            "index:pillar:pressure", "index:pillar:effect")
METHODS = ("pearson", "spearman")
COLUMNS = ["actor", "measure", "covariate", "year", "pooling", "method", "n", "r", "ci_low",
           "ci_high", "p_value", "missing"]


def _stack(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs


def _target_mean(pairs: pd.DataFrame) -> pd.DataFrame:
    both = pairs.dropna(subset=["x", "y"])
    return both.groupby("target", as_index=False)[["x", "y"]].mean()


POOLING: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {"stack": _stack, "target_mean": _target_mean}


def covariate_correlations(db: Database, actor: str, years: int | Iterable[int] | None = None,
                           measures: Sequence[str] = MEASURES, covariates: Sequence[str] = COVARIATES,
                           methods: Sequence[str] = METHODS, pooling: str | None = None) -> pd.DataFrame:
    """One row per measure x covariate x year (or pooled) x method.

    Columns: actor, measure, covariate, year (NA when pooled), pooling (None, "stack" or
    "target_mean"), method (pearson / spearman), n (pairs used), r, ci_low, ci_high (95%,
    Fisher z), p_value, missing (why r is NaN).
    """
    m_frames = {m: measure(db, actor, m, years) for m in measures}
    c_frames = {c: read_observations(db, c, None, years) for c in covariates}
    rows = []
    for m, mf in m_frames.items():
        for c, cf in c_frames.items():
            rows.extend(correlate(mf, cf, actor, m, c, methods, pooling))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["year"] = out["year"].astype("Int64")
    for col in ("pooling", "missing"):  # keep None (not NaN) for absent text
        out[col] = pd.Series([v if isinstance(v, str) else None for v in out[col]], dtype=object)
    return out


def pairs_of(mf: pd.DataFrame, cf: pd.DataFrame) -> pd.DataFrame:
    """target, year, x (measure), y (covariate) for every target-year present in either."""
    a = mf[["target", "year", "value"]].rename(columns={"value": "x"})
    b = cf[["target", "year", "value"]].rename(columns={"value": "y"})
    return a.merge(b, on=["target", "year"], how="outer")


def correlate(mf: pd.DataFrame, cf: pd.DataFrame, actor: str, m: str, c: str,
              methods: Sequence[str], pooling: str | None) -> list[dict]:
    """Rows of :func:`covariate_correlations` for one measure and one covariate."""
    pairs = pairs_of(mf, cf)
    if pooling is not None:
        groups = [(pd.NA, POOLING[pooling](pairs))]
    else:  # the years where the measure has a value: other years say nothing about it
        years = set(mf.loc[mf["value"].notna(), "year"])
        groups = [(int(y), g) for y, g in pairs.groupby("year") if y in years]
    if not groups:
        return [_row(actor, m, c, pd.NA, pooling, meth, {"n": 0}, f"no {m} observations")
                for meth in methods]
    rows = []
    for year, g in groups:
        for meth in methods:
            res = correlation(g["x"].to_numpy(float), g["y"].to_numpy(float), meth)
            rows.append(_row(actor, m, c, year, pooling, meth, res, _why(g, res, m, c)))
    return rows


def _why(g: pd.DataFrame, res: dict, m: str, c: str) -> str | None:
    if np.isfinite(res.get("r", np.nan)) and np.isfinite(res.get("ci_low", np.nan)):
        return None
    parts = []
    if g["x"].isna().any():
        parts.append(f"{int(g['x'].isna().sum())} targets without {m}")
    if g["y"].isna().any():
        parts.append(f"{int(g['y'].isna().sum())} targets without {c}")
    if res["n"] < MIN_N["correlation"]:
        parts.insert(0, f"n = {res['n']} pairs < {MIN_N['correlation']}")
    else:
        parts.insert(0, "an input is constant across targets")
    return "; ".join(parts)


def _row(actor: str, m: str, c: str, year, pooling, method: str, res: dict, why: str | None) -> dict:
    nan = float("nan")
    return {"actor": actor, "measure": m, "covariate": c, "year": year, "pooling": pooling,
            "method": method, "n": int(res.get("n", 0)), "r": res.get("r", nan),
            "ci_low": res.get("ci_low", nan), "ci_high": res.get("ci_high", nan),
            "p_value": res.get("p_value", nan), "missing": why}
