"""Perceived influence versus favourability, where Pew toplines exist.

Pew asks whether the actor's influence in the world is getting stronger
(``att_influence_stronger``, a topline) and, in the same waves, whether people view the actor
favourably (``att_favorable``). The disconnect is `gap = influence_stronger - favorable`:
many see the influence growing, few like the actor.

Rows are every target with either input in the years where the actor has any topline (so a
public with favourability but no topline in such a year says so in `missing`); years with
no topline at all are not listed. When a topline has `n` but no interval, its se is the
binomial sqrt(p (1 - p) / n) (no design effect: too narrow for weighted surveys, marked in
`influence_stronger_interval`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sharppower.analysis.common import (
    Z95,
    join_reasons,
    missing_reason,
    read_observations,
    year_list,
)
from sharppower.store import Database

TOPLINE = "att_influence_stronger"
FAVORABLE = "att_favorable"
COLUMNS = [
    "actor", "target", "year", "influence_stronger", "influence_stronger_ci_low",
    "influence_stronger_ci_high", "influence_stronger_n", "influence_stronger_interval",
    "favorable", "favorable_ci_low", "favorable_ci_high", "favorable_n", "gap", "gap_ci_low",
    "gap_ci_high", "missing",
]


def perceived_influence(db: Database, actor: str, years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Per target-year: share seeing the actor's influence getting stronger against the share
    favourable (both percent, 95% intervals, n), and their gap with a 95% interval
    (independent questions treated as independent: se = sqrt(se_a^2 + se_b^2), an
    approximation since both come from the same respondents).

    Columns: see :data:`COLUMNS`.
    """
    top = read_observations(db, TOPLINE, actor, years)
    if top.empty:
        return pd.DataFrame(columns=COLUMNS)
    top = binomial_fill(top)
    topline_years = sorted(int(y) for y in top["year"].dropna().unique())
    wanted = year_list(years)
    if wanted is not None:
        topline_years = [y for y in topline_years if y in wanted]
    fav = read_observations(db, FAVORABLE, actor, topline_years)
    return compare(top, fav, actor)


def binomial_fill(top: pd.DataFrame) -> pd.DataFrame:
    """se from n (binomial, percent scale) where a topline has n but no interval."""
    out = top.copy()
    out["interval"] = np.where(out["se"].notna(), "reported", "none")
    fill = out["se"].isna() & out["n"].gt(0) & out["value"].notna()
    p = out.loc[fill, "value"] / 100.0
    out.loc[fill, "se"] = 100.0 * np.sqrt(p * (1 - p) / out.loc[fill, "n"])
    out.loc[fill, "ci_low"] = out.loc[fill, "value"] - Z95 * out.loc[fill, "se"]
    out.loc[fill, "ci_high"] = out.loc[fill, "value"] + Z95 * out.loc[fill, "se"]
    out.loc[fill, "interval"] = "binomial"
    return out


def compare(top: pd.DataFrame, fav: pd.DataFrame, actor: str) -> pd.DataFrame:
    """Merge topline and favourability frames on target-year (outer) and compute the gap."""
    keys = pd.concat([top[["target", "year"]], fav[["target", "year"]]]).drop_duplicates()
    t = keys.merge(top, on=["target", "year"], how="left")
    f = keys.merge(fav, on=["target", "year"], how="left")
    gap = t["value"] - f["value"]
    se = np.sqrt(t["se"] ** 2 + f["se"] ** 2)
    out = pd.DataFrame({
        "actor": actor, "target": keys["target"].to_numpy(), "year": keys["year"].to_numpy(),
        "influence_stronger": t["value"], "influence_stronger_ci_low": t["ci_low"],
        "influence_stronger_ci_high": t["ci_high"], "influence_stronger_n": t["n"],
        "influence_stronger_interval": t["interval"].astype(object).where(t["value"].notna(), None),
        "favorable": f["value"], "favorable_ci_low": f["ci_low"],
        "favorable_ci_high": f["ci_high"], "favorable_n": f["n"],
        "gap": gap, "gap_ci_low": gap - Z95 * se, "gap_ci_high": gap + Z95 * se,
        "missing": join_reasons(missing_reason(t, TOPLINE), missing_reason(f, FAVORABLE)),
    })
    out["year"] = out["year"].astype("Int64")
    return out[COLUMNS].sort_values(["year", "target"]).reset_index(drop=True)


def perceived_medians(frame: pd.DataFrame) -> pd.DataFrame:
    """Cross-public medians per year, as Pew reports them.

    Columns: actor, year, publics (targets with both inputs), influence_stronger_median,
    favorable_median, gap_median. Medians use only publics with both inputs, so the two
    medians describe the same set of publics.
    """
    both = frame[frame["influence_stronger"].notna() & frame["favorable"].notna()]
    grouped = both.groupby(["actor", "year"])
    out = grouped.agg(publics=("target", "size"),
                      influence_stronger_median=("influence_stronger", "median"),
                      favorable_median=("favorable", "median"), gap_median=("gap", "median"))
    return out.reset_index()
