"""From posterior draws to scores: the display scale, ranks with intervals, the index.

Display scale (stated): 0-100 linear in theta, higher = more, anchored on the actor x
pillar's scored target-years: 0 = the lowest posterior mean theta among them, 100 = the
highest, each draw mapped the same way and clipped to 0-100. Linear, like the composite's
min-max pillars it is averaged with in the index: the many target-years with no recorded
pressure sit together near 0 with short intervals, and a target's interval is as wide as
its theta's (a percentile scale spread tied targets over 20-80 with 70-point intervals).
`score` is the posterior mean of that display value, `score_low` / `score_high` its
2.5% and 97.5% quantiles. Ranks are taken in each draw within the year (1 = highest);
`rank` ranks the posterior mean score, `rank_low` / `rank_high` are the 5% and 95%
quantiles of the draws' ranks (a 90% rank interval), `rank_median` their median.

The index per draw: the mean of its pillars' display scores, a latent pillar contributing
its draw and a composite pillar its nominal score (held fixed across draws), so the latent
pillars' uncertainty propagates into the index's interval and rank interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

COLUMNS = ["actor", "node", "target", "year", "theta_mean", "theta_sd", "theta_low",
           "theta_high", "score", "score_low", "score_high", "rank", "rank_low",
           "rank_high", "rank_median", "n_ranked", "n_indicators", "n_sources"]


def display(theta: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """(draws, T, Y) theta -> 0-100: 100 (theta - lo) / (hi - lo), clipped, where lo and
    hi are the lowest and highest posterior mean theta among the target-years `keep`
    (T, Y; default all) marks."""
    keep = np.ones(theta.shape[1:], bool) if keep is None else keep
    mean = theta.mean(axis=0)[keep]
    lo, hi = float(mean.min()), float(mean.max())
    span = hi - lo if hi > lo else 1.0
    return np.clip(100.0 * (theta - lo) / span, 0.0, 100.0)


def _ranks(draws: np.ndarray) -> np.ndarray:
    """(draws, T) -> ranks within each draw, 1 = highest (ties: average)."""
    return rankdata(-draws, axis=1, method="average")


def summarise(actor: str, node: str, targets: list[str], years: list[int],
              score: np.ndarray, theta: np.ndarray | None = None,
              n_ind: np.ndarray | None = None, n_src: np.ndarray | None = None,
              keep: np.ndarray | None = None) -> pd.DataFrame:
    """One row per target-year with `keep` True (T, Y; default all): COLUMNS from the
    draws of the display `score` (draws, T, Y) and of `theta` (None for an index)."""
    T, Y = len(targets), len(years)
    keep = np.ones((T, Y), bool) if keep is None else keep
    rows = []
    for y, year in enumerate(years):
        sel = np.flatnonzero(keep[:, y])
        if not len(sel):
            continue
        s = score[:, sel, y]
        mean = s.mean(axis=0)
        draw_ranks = _ranks(s)
        score_low, score_high = np.quantile(s, [0.025, 0.975], axis=0)
        rank_low, rank_median, rank_high = np.quantile(draw_ranks, [0.05, 0.5, 0.95], axis=0)
        frame = pd.DataFrame({
            "actor": actor, "node": node, "target": [targets[t] for t in sel], "year": year,
            "score": mean, "score_low": score_low, "score_high": score_high,
            "rank": rankdata(-mean, method="min"), "rank_low": rank_low,
            "rank_high": rank_high, "rank_median": rank_median, "n_ranked": len(sel)})
        if theta is not None:
            th = theta[:, sel, y]
            frame["theta_mean"] = th.mean(axis=0)
            frame["theta_sd"] = th.std(axis=0)
            frame["theta_low"], frame["theta_high"] = np.quantile(th, [0.025, 0.975], axis=0)
        if n_ind is not None:
            frame["n_indicators"] = n_ind[sel, y]
        if n_src is not None:
            frame["n_sources"] = n_src[sel, y]
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)
    return out.reindex(columns=COLUMNS)


def index_draws(pillars: list[str], latent: dict[str, tuple[list[str], list[int], np.ndarray]],
                nominal: pd.DataFrame, targets: list[str], years: list[int],
                draws: int) -> np.ndarray:
    """(draws, T, Y) index draws, the mean of the pillars' display scores; NaN where a
    pillar has no score. `latent`: pillar -> (targets, years, display draws);
    `nominal`: composite scores indexed (target, year) with one column per pillar."""
    T, Y = len(targets), len(years)
    parts = []
    for p in pillars:
        out = np.full((draws, T, Y), np.nan)
        if p in latent:
            lt, ly, d = latent[p]
            ti = {t: i for i, t in enumerate(lt)}
            yi = {y: i for i, y in enumerate(ly)}
            for a, t in enumerate(targets):
                if t in ti:
                    cols = [yi.get(y) for y in years]
                    ok = [b for b, c in enumerate(cols) if c is not None]
                    out[:, a, ok] = d[:, ti[t], [cols[b] for b in ok]]
        elif p in nominal.columns:
            grid = nominal[p].unstack("year").reindex(index=targets, columns=years)
            out[:] = grid.to_numpy(float)[None]
        parts.append(out)
    return np.mean(np.stack(parts), axis=0)  # NaN when any pillar is missing (like with like)
