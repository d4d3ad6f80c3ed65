"""Uncertainty and sensitivity analysis of the ranks, vectorised across replications.

The choices varied are log addresses (`uncertainty.vary` in the spec): data choices
(impute.*, treat.*, normalise.* : each combination's normalised matrix is computed once),
aggregation choices (aggregate.*), the weights (Dirichlet(c w) around the nominal weights
w of each parent's children, c = `uncertainty.weights.concentration`) and, with
`drop_one`, leaving out one indicator (or none). A replication is a row of uniform numbers
mapped onto these choices. All replications are scored at once: per combination of
discrete choices (a handful), the hierarchy is aggregated for every replication's weights
with matrix products, and ranks come from one argsort along the units axis.

`monte_carlo(run)` -> per unit and node: nominal rank, median, 5th and 95th percentile
ranks (rank_low / rank_high: that interval widened to include the nominal rank if needed),
and the score's 95% interval (score_low / score_high: 2.5th and 97.5th percentiles of the
score over `uncertainty.score_runs` replications that vary what keeps the score's scale
(data noise, declared zeros, imputation, weights, dropping one), widened to include the
nominal score). The data noise (`uncertainty.data_noise`: published standard errors and
the age of stale values, index.noise) is one factor of both analyses.
`sensitivity(run, n)` -> first- and total-order indices (sharppower.index.sobol) of the
mean absolute rank shift from the nominal ranks, per actor and node, for each choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.index.propagate import Design, Propagator, Space, build_space
from sharppower.index.sobol import saltelli_design, sobol_indices

QUANTILES = [0.05, 0.5, 0.95]
SCORE_QUANTILES = [0.025, 0.975]
UNCERTAINTY_COLUMNS = ["actor", "target", "year", "node", "rank_median", "rank_low",
                       "rank_high", "rank_p05", "rank_p95", "score_low", "score_high"]
SENSITIVITY_COLUMNS = ["actor", "node", "level", "factor", "first_order", "total_order",
                       "variance", "n_base", "evaluations"]


@dataclass
class Result:
    space: Space
    design: Design
    table: pd.DataFrame


def _settings(run, runs, seed):
    unc = run.spec.uncertainty
    return int(runs or unc.get("runs", 1000)), int(seed if seed is not None else unc.get("seed", 0))


def monte_carlo(run, runs: int | None = None, seed: int | None = None,
                space: Space | None = None) -> pd.DataFrame:
    """Rank intervals per unit and node (UNCERTAINTY_COLUMNS); also sets run.uncertainty."""
    runs, seed = _settings(run, runs, seed)
    space = space or build_space(run, run.spec.uncertainty)
    design = space.sample(runs, np.random.default_rng(seed))
    ranks = Propagator(run, space)
    Q = ranks.propagate(design, quantiles=QUANTILES, shifts=False).ranks
    kept = score_space(space)
    score_runs = min(runs, int(run.spec.uncertainty.get("score_runs", 500)))
    SQ = Propagator(run, kept, share=ranks).score_quantiles(
        kept.sample(score_runs, np.random.default_rng(seed + 1)), SCORE_QUANTILES)
    run.uncertainty = interval_table(run, Q, SQ)
    run.extra["monte_carlo"] = {"runs": runs, "seed": seed, "factors": space.factor_names(),
                                "score_runs": score_runs, "score_factors": kept.factor_names()}
    return run.uncertainty


def score_space(space: Space) -> Space:
    """The choices behind the score intervals: those that keep the scores' scale (the
    data: noise, declared zeros, imputation; weights; dropping one), not the
    normalisation, treatment or aggregation method, whose scores are on other scales."""
    return space.restricted(lambda address: address.startswith("impute."))


def interval_table(run, Q: np.ndarray, SQ: np.ndarray | None = None) -> pd.DataFrame:
    nominal = run.ranks.to_numpy()
    index = run.scores.index
    rows, cols = np.nonzero(~np.isnan(run.scores.to_numpy()))
    p05, med, p95 = (Q[i][rows, cols] for i in range(3))
    nom = nominal[rows, cols]
    score = run.scores.to_numpy()[rows, cols]
    lo, hi = (SQ[0][rows, cols], SQ[1][rows, cols]) if SQ is not None else (score, score)
    return pd.DataFrame({
        "actor": index.get_level_values("actor")[rows],
        "target": index.get_level_values("target")[rows],
        "year": index.get_level_values("year")[rows],
        "node": np.array(run.tree.nodes, dtype=object)[cols],
        "rank_median": med, "rank_low": np.fmin(p05, nom), "rank_high": np.fmax(p95, nom),
        "rank_p05": p05, "rank_p95": p95,
        "score_low": np.fmin(lo, score), "score_high": np.fmax(hi, score),
    }, columns=UNCERTAINTY_COLUMNS)


def sensitivity(run, n: int | None = None, seed: int | None = None,
                space: Space | None = None) -> pd.DataFrame:
    """SENSITIVITY_COLUMNS: per actor, node and varied choice, the first- and total-order
    indices of the mean absolute rank shift (n base samples, n (F + 2) evaluations)."""
    n, seed = _settings(run, n, seed)
    space = space or build_space(run, run.spec.uncertainty)
    groups = space.factor_columns()
    A, B, AB = saltelli_design(n, [cols for _, cols in groups], np.random.default_rng(seed))
    U = np.concatenate([A, B, AB.reshape(-1, A.shape[1])])
    Y = Propagator(run, space).propagate(space.design(U), quantiles=None).mean_shift
    F = len(groups)
    fA, fB, fAB = Y[:n], Y[n:2 * n], Y[2 * n:].reshape((F, n) + Y.shape[1:])
    S1, ST = sobol_indices(fA, fB, fAB)
    V = np.var(np.concatenate([fA, fB]), axis=0)
    actors = list(pd.unique(run.scores.index.get_level_values("actor")))
    rows = []
    for f, (name, _) in enumerate(groups):
        for a, actor in enumerate(actors):
            for j, node in enumerate(run.tree.nodes):
                if np.isnan(S1[f, a, j]):
                    continue
                rows.append({"actor": actor, "node": node, "level": run.tree.level[node],
                             "factor": name, "first_order": float(S1[f, a, j]),
                             "total_order": float(ST[f, a, j]), "variance": float(V[a, j]),
                             "n_base": n, "evaluations": len(U)})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
