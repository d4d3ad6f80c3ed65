"""Reuse statistics per local outlet and per country-year (the `media report` tables).

Per outlet x country x year x actor: articles (all the outlet's articles that year),
reused (articles matching at least one wire article of that actor), the rate with its
95% Wilson interval, the attribution of each reused article (its best match: highest
containment, then lowest wire id) and the top wire sources.

Per country x year x actor, outlets are weighted explicitly (`weighting`):
- `articles` (default): each outlet by its number of articles, i.e. the pooled rate
  sum(reused) / sum(articles); the interval is Wilson's on the pooled counts;
- `equal`: each outlet counts the same (the mean of the outlet rates), so a big outlet
  does not drown the others; the interval is Wilson's with Kish's effective sample size
  n_eff = 1 / sum(w_i^2 / n_i).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

WEIGHTINGS = ("articles", "equal")
Z = 1.959963984540054
KEYS = ["outlet", "country", "year", "actor"]


def wilson(k, n, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of k successes in n trials (k may be fractional)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def best_matches(matches: pd.DataFrame) -> pd.DataFrame:
    """One match per local article and actor: the highest containment, then the lowest wire id."""
    ordered = matches.sort_values(["local_id", "actor", "containment", "wire_id"],
                                  ascending=[True, True, False, True], kind="stable")
    return ordered.drop_duplicates(["local_id", "actor"])


def _top(series: pd.Series, n: int = 3) -> str:
    counts = series.value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    return json.dumps({k: int(v) for k, v in counts.head(n).items()})


def outlet_table(local: pd.DataFrame, matches: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    """Per outlet x country x year x actor (columns of media_outlets, without run)."""
    arts = local.assign(year=local["date"].str[:4].astype(int))
    base = arts.groupby(["outlet", "country", "year"]).size().rename("articles").reset_index()
    base = base.merge(pd.DataFrame({"actor": actors}), how="cross")
    best = best_matches(matches).merge(arts[["id", "year"]], left_on="local_id", right_on="id")
    best = best.rename(columns={"local_outlet": "outlet"})
    grouped = best.groupby(KEYS)
    counts = grouped["attribution"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=["attributed", "unattributed", "reattributed"], fill_value=0)
    counts["reused"] = counts.sum(axis=1)
    counts["top_wire"] = grouped["wire_outlet"].apply(_top)
    out = base.merge(counts.reset_index(), on=KEYS, how="left")
    for col in ("reused", "attributed", "unattributed", "reattributed"):
        out[col] = out[col].fillna(0).astype(int)
    out["top_wire"] = out["top_wire"].fillna("{}")
    out["rate"] = out["reused"] / out["articles"]
    out["ci_low"], out["ci_high"] = wilson(out["reused"], out["articles"])
    out["unattributed_share"] = (out["unattributed"] / out["reused"]).where(out["reused"] > 0)
    return out.sort_values(KEYS).reset_index(drop=True)


def country_table(outlets: pd.DataFrame, weighting: str = "articles") -> pd.DataFrame:
    """Per country x year x actor: outlets, articles, reused, rate and interval, weighting."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    rows = []
    for (country, year, actor), g in outlets.groupby(["country", "year", "actor"]):
        w = g["articles"] / g["articles"].sum() if weighting == "articles" else pd.Series(
            1 / len(g), index=g.index)
        rate = float((w * g["rate"]).sum())
        n_eff = float(1 / (w ** 2 / g["articles"]).sum())
        low, high = wilson(rate * n_eff, n_eff)
        reused = int(g["reused"].sum())
        rows.append({
            "country": country, "year": int(year), "actor": actor, "outlets": len(g),
            "articles": int(g["articles"].sum()), "reused": reused, "rate": rate,
            "ci_low": float(low), "ci_high": float(high), "n_eff": n_eff,
            "unattributed_share": g["unattributed"].sum() / reused if reused else np.nan,
            "reattributed_share": g["reattributed"].sum() / reused if reused else np.nan,
            "weighting": weighting})
    return pd.DataFrame(rows)


def actors_of(matches: pd.DataFrame, actors: list[str] | None) -> list[str]:
    found = sorted(a for a in matches["actor"].dropna().unique()) if len(matches) else []
    return list(actors) if actors else found
