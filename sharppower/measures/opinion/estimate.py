"""Weighted estimates with design-based standard errors, every cell at once.

For one actor, public and year, with respondents i = 1..n who were asked the item, weights
w_i and a measure y_i (1/0 for a share; +1/-1/0 for net favourability):

    estimate  p  = sum(w y) / sum(w)                      (the weighted proportion)
    variance  v  = n / (n - 1) * sum(w^2 (y - p)^2) / sum(w)^2

which is the Taylor linearisation of the ratio estimator for a single-stage design drawn
with replacement (no strata or clusters: the harmonised Pew file has none), the variance R's
`survey` package gives for `svymean(~y, svydesign(ids = ~1, weights = ~w))`. Since
sum(w^2 (y - p)^2) = sum(w^2 y^2) - 2 p sum(w^2 y) + p^2 sum(w^2), every cell needs only the
per-response sums of w and w^2: one `np.bincount` per actor over all publics and years.
Don't know and refused stay in the denominator (Pew's convention). Intervals are
p +/- 1.96 se (Wald), clipped to the possible range. `deff` is Kish's design effect of the
weights, n sum(w^2) / sum(w)^2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.measures.opinion.schema import (
    ESTIMATE_COLUMNS,
    MEASURES,
    METHOD_VERSION,
    N_RESPONSES,
    Z95,
    coefficient_matrix,
)


def cell_index(resp: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each respondent and the cells (year, public, public_code) in order."""
    keys = ["year", "public"]
    grouped = resp.groupby(keys, sort=True, observed=True)
    groups = grouped.ngroup().to_numpy()
    cells = grouped.size().reset_index()[keys]
    published = (resp[keys + ["public_code"]].drop_duplicates().groupby(keys, observed=True)
                 ["public_code"].agg(lambda s: "+".join(sorted(map(str, s)))).reset_index())
    return groups, cells.merge(published, on=keys, how="left")


def response_sums(codes: np.ndarray, groups: np.ndarray, weight: np.ndarray,
                  n_groups: int) -> tuple[np.ndarray, ...]:
    """Per group and response: count, sum of w, sum of w^2 (arrays groups x responses)."""
    asked = codes >= 0
    key = groups[asked] * N_RESPONSES + codes[asked]
    w = weight[asked]
    size = n_groups * N_RESPONSES
    shape = (n_groups, N_RESPONSES)
    count = np.bincount(key, minlength=size).reshape(shape)
    s1 = np.bincount(key, weights=w, minlength=size).reshape(shape)
    s2 = np.bincount(key, weights=w * w, minlength=size).reshape(shape)
    return count, s1, s2


def linearised(count: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> dict[str, np.ndarray]:
    """Estimates and standard errors (proportion scale) of every measure for every group."""
    coef = coefficient_matrix()
    n = count.sum(axis=1).astype(float)
    total_w, total_w2 = s1.sum(axis=1), s2.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (s1 @ coef) / total_w[:, None]
        sum_w2y, sum_w2y2 = s2 @ coef, s2 @ (coef ** 2)
        ss = sum_w2y2 - 2 * p * sum_w2y + p ** 2 * total_w2[:, None]
        var = np.clip(ss, 0, None) / total_w[:, None] ** 2 * (n / (n - 1))[:, None]
        var[n <= 1] = np.nan
        deff = n * total_w2 / total_w ** 2
    return {"n": n, "weight_sum": total_w, "deff": deff, "p": p, "se": np.sqrt(var)}


def compute_estimates(resp: pd.DataFrame, origin: str, row_label: str,
                      actors: list[str] | None = None) -> pd.DataFrame:
    """Estimates for every actor column x public x year of a respondent frame.

    `origin` names the file; `row_label` formats `source_row` with {year} and {code}
    (the public as published), e.g. "pew_all_opi.RDS: wav={year}, sta={code}".
    Returns ESTIMATE_COLUMNS (percent / percentage points); flags are empty lists.
    """
    actors = actors or [c[4:] for c in resp.columns if c.startswith("opi_")]
    groups, cells = cell_index(resp)
    weight = resp["weight"].to_numpy(dtype=float)
    parts = [_actor_frame(actor, resp[f"opi_{actor}"].to_numpy(), groups, weight, cells)
             for actor in actors]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ESTIMATE_COLUMNS)
    out["origin"] = origin
    out["source_row"] = [row_label.format(year=y, code=c)
                         for y, c in zip(out["year"], out["public_code"])]
    out["method_version"] = METHOD_VERSION
    out["flags"] = [[] for _ in range(len(out))]
    return out.reindex(columns=ESTIMATE_COLUMNS)


def _actor_frame(actor: str, codes: np.ndarray, groups: np.ndarray, weight: np.ndarray,
                 cells: pd.DataFrame) -> pd.DataFrame:
    count, s1, s2 = response_sums(codes, groups, weight, len(cells))
    est = linearised(count, s1, s2)
    frame = cells.assign(actor=actor, n=est["n"].astype(int), weight_sum=est["weight_sum"],
                         deff=est["deff"])
    frame["self_rating"] = frame["public"] == actor
    for j, measure in enumerate(MEASURES):
        value, se = 100 * est["p"][:, j], 100 * est["se"][:, j]
        low = -100.0 if measure == "net" else 0.0
        frame[measure] = value
        frame[f"{measure}_se"] = se
        frame[f"{measure}_ci_low"] = np.clip(value - Z95 * se, low, 100.0)
        frame[f"{measure}_ci_high"] = np.clip(value + Z95 * se, low, 100.0)
    return frame[frame["n"] > 0]
