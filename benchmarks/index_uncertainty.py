"""Benchmark: Monte Carlo rank uncertainty of the composite index, vectorised vs a loop.

A synthetic problem of 200 units x 100 indicators (10 domains, 4 pillars, 1 index) and
10,000 replications varying the imputation (median, mean), the normalisation (minmax,
zscore, rank, frontier), the aggregation (arithmetic, geometric), the weights
(Dirichlet around the nominal weights) and dropping one indicator at a time.

- vectorised: sharppower.index.uncertainty.monte_carlo (all replications at once).
- loop: a straightforward pandas implementation that, for each replication, normalises
  the imputed and treated data, applies the weights, aggregates every node level by
  level and ranks; imputation and treatment are computed once per imputation method for
  both. The loop runs on the first LOOP_RUNS replications of the same design (same seed)
  and its time is extrapolated to 10,000, as printed.
Goals (issue 26): 200 x 100 x 10,000 under 1 s, 1000 x 300 x 10,000 under 10 s (printed
as ratios time / goal; the machine's load average is printed with them).
Checks: the loop's ranks equal the vectorised ranks on the shared replications, and the
vectorised 5th/50th/95th percentile ranks over those replications equal numpy's
percentiles of the loop's ranks. Last, the dashboard's live re-ranking: run_index for one
actor-year with changed weights, read from a synthetic SQLite store.

Run: .venv/bin/python benchmarks/index_uncertainty.py
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import tracemalloc

import numpy as np
import pandas as pd

from sharppower.index import impute, load_spec, run_index, treat
from sharppower.index.propagate import Propagator, build_space
from sharppower.index.ranks import quantise
from sharppower.index.run import execute
from sharppower.index.synthetic import synthetic_observations, synthetic_problem, write_observations
from sharppower.index.uncertainty import QUANTILES, monte_carlo
from sharppower.store import Database

RUNS = 10_000
LOOP_RUNS = 200
SEED = 2024
GOAL_SMALL = 1.0   # seconds: 200 units x 100 indicators x 10,000 replications (issue 26)
GOAL_LARGE = 10.0  # seconds: 1000 units x 300 indicators x 10,000 replications


def pandas_normalise(frame: pd.DataFrame, direction: pd.Series, method: str) -> pd.DataFrame:
    if method == "frontier":
        y = frame.where(direction > 0, frame.max() + frame.min() - frame, axis=1)
        y = y - y.min().clip(upper=0)
        return 100 * y / y.max()
    y = frame * direction
    if method == "minmax":
        return 100 * (y - y.min()) / (y.max() - y.min())
    if method == "zscore":
        return 100 + 10 * (y - y.mean()) / y.std()
    return 100 * y.rank(method="average") / y.count()


def pandas_aggregate(x: pd.DataFrame, w: pd.Series, method: str, floor: float) -> pd.Series:
    den = x.notna().mul(w, axis=1).sum(axis=1)
    if method == "geometric":
        num = np.log(x.clip(lower=floor)).mul(w, axis=1).sum(axis=1)
        return np.exp(num / den.where(den > 0))
    return x.mul(w, axis=1).sum(axis=1) / den.where(den > 0)


def loop_ranks(run, space, design, reps, treated: dict) -> np.ndarray:
    """The straightforward implementation: one pass of pandas code per replication."""
    tree, log = run.tree, run.log
    direction = pd.Series(run.directions, index=tree.leaves)
    units = pd.Index([f"{a}/{t}/{y}" for a, t, y in run.scores.index])
    mask = pd.DataFrame(run.screened.nodes, index=units, columns=tree.nodes)
    groups = [run.scores.index.get_level_values(k).to_numpy() for k in ("actor", "year")]
    treated = {k: v.set_axis(units) for k, v in treated.items()}
    choices = dict(space.data + space.agg)
    out = []
    for r in reps:
        pick = {a: choices[a][design.data[r, i]] for i, (a, _) in enumerate(space.data)}
        agg = choices["aggregate.method"][design.agg[r, 0]]
        z = pandas_normalise(treated[pick["impute.method"]], direction, pick["normalise.method"])
        weights = pd.Series(design.weights[r], index=range(tree.n_edges))
        if design.drop[r] >= 0:
            weights[[e for e, c in enumerate(tree.edge_child) if c == tree.leaves[design.drop[r]]]] = 0
        scores = pd.DataFrame(index=z.index)
        for node in tree.nodes:
            kids = tree.children[node]
            x = z[kids] if tree.level[node] == "domain" else scores[kids]
            w = pd.Series(weights[range(tree.slices[node].start, tree.slices[node].stop)].to_numpy(),
                          index=kids)
            scores[node] = pandas_aggregate(x, w, agg, log["aggregate"].get("floor", 1.0))
        scores = scores.where(mask)
        ranks = pd.DataFrame(quantise(scores.to_numpy()), index=scores.index, columns=scores.columns)
        out.append(ranks.groupby(groups).rank(ascending=False, method="min").to_numpy().T)
    return np.array(out)


def live_recompute() -> None:
    """The dashboard's weight sliders: run_index for one actor-year on a synthetic store."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/store.db")
        db.upgrade()
        write_observations(db, synthetic_observations(7))
        spec = load_spec()
        run_index(db, spec, actor="CHN", year=2015)  # warm-up (imports, caches)
        times = []
        for w in (0.5, 1.0, 2.0, 4.0, 8.0):
            start = time.perf_counter()
            run_index(db, spec, {"weight.weights.sharp_power": w}, actor="CHN", year=2015)
            times.append(time.perf_counter() - start)
        db.dispose()
    print(f"live re-ranking (run_index, one actor-year, new weights, from the store): "
          f"median {sorted(times)[2] * 1000:.0f} ms over 5 calls")


def main() -> None:
    print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    spec, inputs = synthetic_problem(n_units=200, n_indicators=100, seed=SEED)
    run = execute(spec, inputs)
    print(f"problem: {len(run.scores)} units x {len(run.tree.leaves)} indicators, "
          f"{len(run.tree.nodes)} aggregated nodes, {RUNS} replications")

    start = time.perf_counter()
    monte_carlo(run, runs=RUNS, seed=SEED)
    first_time = time.perf_counter() - start
    times = []
    for _ in range(3):  # the imputation and treatment are computed again in each call
        start = time.perf_counter()
        monte_carlo(run, runs=RUNS, seed=SEED)
        times.append(time.perf_counter() - start)
    vector_time = sorted(times)[1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    monte_carlo(run, runs=RUNS, seed=SEED)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"vectorised: {vector_time:.2f} s wall for {RUNS} replications (median of 3; first "
          f"call {first_time:.2f} s; imputation and treatment per method included); peak memory: "
          f"{peak / 2**20:.0f} MiB allocated (tracemalloc), {rss:.0f} MiB peak RSS of the process")
    print(f"goal 200 x 100 x {RUNS:,} under {GOAL_SMALL:.0f} s: {vector_time / GOAL_SMALL:.2f} x "
          "the goal (below 1 meets it)")
    large_spec, large_inputs = synthetic_problem(n_units=1000, n_indicators=300, n_domains=30,
                                                 seed=SEED, years=5)  # 5 years x 200 targets
    large = execute(large_spec, large_inputs)
    start = time.perf_counter()
    monte_carlo(large, runs=RUNS, seed=SEED)
    large_time = time.perf_counter() - start
    print(f"{len(large.scores)} units x {len(large.tree.leaves)} indicators x {RUNS:,} replications: {large_time:.2f} s = "
          f"{large_time / GOAL_LARGE:.2f} x the {GOAL_LARGE:.0f} s goal")

    space = build_space(run, spec.uncertainty)
    design = space.sample(RUNS, np.random.default_rng(SEED))
    treated = {}
    for method in dict(space.data)["impute.method"]:
        imputed = impute.IMPUTERS[method](inputs.values, run.screened.cells, inputs.region)
        treated[method] = treat.TREATERS[run.log["treat"]["method"]](
            imputed, **{k: v for k, v in run.log["treat"].items() if k != "method"})[0]
    reps = np.arange(LOOP_RUNS)
    start = time.perf_counter()
    looped = loop_ranks(run, space, design, reps, treated)
    loop_time = (time.perf_counter() - start) * RUNS / LOOP_RUNS
    print(f"pandas loop: {loop_time:.1f} s for {RUNS} replications, extrapolated from "
          f"{LOOP_RUNS} replications ({loop_time / RUNS * 1000:.1f} ms each)")
    print(f"speed-up: {loop_time / vector_time:.0f}x (goal: at least 30x, under 10 s)")

    prop = Propagator(run, space)
    vector_ranks = prop.ranks(design, reps)
    same = np.array_equal(vector_ranks, looped, equal_nan=True)
    sub = type(design)(design.data[reps], design.agg[reps], design.weights[reps], design.drop[reps])
    Q = prop.propagate(sub, QUANTILES).ranks
    expected = np.nanpercentile(looped, [100 * q for q in QUANTILES], axis=0).transpose(0, 2, 1)
    same_q = np.allclose(Q, expected, equal_nan=True)
    print(f"identical ranks on the {LOOP_RUNS} shared replications: {same}; "
          f"identical rank percentiles: {same_q}")
    if not (same and same_q):
        raise SystemExit("vectorised and loop results differ")
    live_recompute()


if __name__ == "__main__":
    main()
