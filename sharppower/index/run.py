"""The run: every stage's output plus the log of the arguments that produced it.

`execute(spec, inputs, log)` runs screen -> impute -> treat -> normalise -> weight ->
aggregate. The log is the spec's stage arguments (with any overrides), addressed by dotted
paths; `run.replay(overrides)` re-executes the same inputs with the log changed at those
addresses (no override: identical numbers). `run_index(db, spec, overrides=...)` reads
the store and executes; with `actor=` and `year=` it reads and computes only what that
cross-section needs (the dashboard's weight sliders).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from sharppower.index import aggregate
from sharppower.index.hierarchy import Hierarchy, compile_hierarchy
from sharppower.index.inputs import Inputs, load_inputs
from sharppower.index.panel import cross_sections
from sharppower.index.ranks import group_ranks
from sharppower.index.screen import SCREENERS, Screened
from sharppower.index.spec import Spec, check_log, load_spec, set_address
from sharppower.index.stages import Transformed, years_needed
from sharppower.index.stages import transform as transform_values
from sharppower.index.weight import WEIGHTERS
from sharppower.store import Database

SCORE_COLUMNS = ["actor", "target", "year", "level", "node", "score", "rank", "n_ranked",
                 "coverage"]


def transform(inputs: Inputs, screened: Screened, log: dict, directions: np.ndarray) -> Transformed:
    """Impute, treat and normalise (the data stages) under the log's arguments."""
    return transform_values(inputs.values, screened.cells, inputs.region, directions, log,
                            zero=inputs.zero)


@dataclass
class Run:
    """Stage outputs of one execution. `scores` and `ranks`: DataFrames indexed like the
    inputs (actor, target, year) with one column per aggregated node."""

    spec: Spec
    log: dict[str, Any]
    inputs: Inputs
    tree: Hierarchy
    screened: Screened
    data: Transformed
    weights: dict[str, float]
    edge_weights: np.ndarray
    scores: pd.DataFrame
    ranks: pd.DataFrame
    coverage: pd.DataFrame
    uncertainty: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def directions(self) -> np.ndarray:
        return np.array([self.spec.directions[c] for c in self.tree.leaves], dtype=float)

    def replay(self, overrides: dict[str, Any] | None = None) -> Run:
        """Execute again on the same inputs with the log changed at the given addresses."""
        log = self.log
        for address, value in (overrides or {}).items():
            log = set_address(log, address, value)
        return execute(self.spec, self.inputs, log)

    def long(self, level: str | None = None, year: int | None = None,
             actor: str | None = None) -> pd.DataFrame:
        """One row per unit and node with a score: SCORE_COLUMNS (coverage: share of the
        node's children with a value, among those available in the actor x year), plus
        rank_median, rank_low, rank_high, rank_p05, rank_p95 after an uncertainty analysis."""
        return long_scores(self, level, year, actor)


def long_scores(run: Run, level=None, year=None, actor=None) -> pd.DataFrame:
    scores = run.scores.rename_axis(columns="node").stack().rename("score")
    ranks = run.ranks.rename_axis(columns="node").stack().rename("rank")
    cover = run.coverage.rename_axis(columns="node").stack().rename("coverage")
    out = pd.concat([scores, ranks, cover], axis=1).reset_index()
    out = out[out["score"].notna()]
    out["level"] = out["node"].map(run.tree.level)
    counts = out.groupby(["actor", "year", "node"])["rank"].transform("count")
    out["n_ranked"] = counts.astype(int)
    if level:
        out = out[out["level"] == level]
    if year is not None:
        out = out[out["year"] == int(year)]
    if actor:
        out = out[out["actor"] == actor]
    cols = list(SCORE_COLUMNS)
    if run.uncertainty is not None:
        out = out.merge(run.uncertainty, on=["actor", "target", "year", "node"], how="left")
        cols += [c for c in run.uncertainty.columns if c.startswith(("rank_", "score_"))]
    return out[cols].sort_values(["actor", "year", "node", "rank", "target"]).reset_index(drop=True)


def nominal_scores(tree, normalised: pd.DataFrame, edge_weights: np.ndarray, log: dict,
                   screened: Screened) -> tuple[pd.DataFrame, pd.DataFrame]:
    methods = aggregate.level_methods(log["aggregate"])
    floor = float(log["aggregate"].get("floor", 1.0))
    S = aggregate.evaluate(normalised.to_numpy(dtype=float), tree, edge_weights[None],
                           methods, screened.nodes, floor, screened.feeds)
    R = group_ranks(S, cross_sections(normalised.index))
    frame = lambda a: pd.DataFrame(a[0].T, index=normalised.index, columns=tree.nodes)
    return frame(S), frame(R)


def _without_empty_units(inputs: Inputs, screened: Screened) -> tuple[Inputs, Screened]:
    """Units left with no value to score after screening leave the run (counted)."""
    keep = screened.cells.any(axis=1)
    if keep.all():
        return inputs, screened
    inputs = inputs.subset(keep)
    inputs.notes["units_without_data"] = int((~keep).sum())
    feeds = None if screened.feeds is None else screened.feeds[keep]
    return inputs, Screened(screened.cells[keep], screened.nodes[keep], screened.dropped, feeds)


def coverage_frame(tree, normalised: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Per unit and node: the share of the node's children with a value, among the
    children with a value for some unit of the same actor x year (1 = complete)."""
    present = np.concatenate([normalised.notna().to_numpy(), scores.notna().to_numpy()], axis=1)
    col = {c: i for i, c in enumerate([*tree.leaves, *tree.nodes])}
    out = np.full(scores.shape, np.nan)
    for pos in cross_sections(scores.index):
        for j, node in enumerate(tree.nodes):
            kids = present[np.ix_(pos, [col[c] for c in tree.children[node]])]
            avail = kids.any(axis=0)
            if avail.any():
                out[pos, j] = kids[:, avail].mean(axis=1)
    out[~scores.notna().to_numpy()] = np.nan
    return pd.DataFrame(out, index=scores.index, columns=tree.nodes)


def execute(spec: Spec, inputs: Inputs, log: dict[str, Any] | None = None) -> Run:
    """Run every stage under `log` (default: the spec's stage arguments)."""
    with aggregate.one_blas_thread():
        return _execute(spec, inputs, log)


def _execute(spec: Spec, inputs: Inputs, log: dict[str, Any] | None) -> Run:
    log = log if log is not None else spec.log()
    check_log(log)
    inputs = inputs.sorted()
    tree = compile_hierarchy(spec)
    directions = np.array([spec.directions[c] for c in tree.leaves], dtype=float)
    screened = SCREENERS.call(log["screen"], inputs.values, tree, observed=inputs.observed)
    inputs, screened = _without_empty_units(inputs, screened)
    data = transform(inputs, screened, log, directions)
    weights = WEIGHTERS.call(log["weight"], tree, data.normalised)
    edge_weights = tree.nominal_weights(weights)
    scores, ranks = nominal_scores(tree, data.normalised, edge_weights, log, screened)
    return Run(spec, log, inputs, tree, screened, data, weights, edge_weights, scores, ranks,
               coverage_frame(tree, data.normalised, scores))


def _years_needed(log: dict, year: int | None) -> tuple[int | None, int | None] | None:
    """The years (first, last; None: open) a recompute of `year` reads, from the
    properties the chosen methods declare (None: every year)."""
    if year is None:
        return None
    needs = years_needed(log)
    if needs == "all":
        return None
    return (None, int(year)) if needs == "earlier" else (int(year), int(year))


def run_index(db: Database | None = None, spec: Spec | str | None = None,
              overrides: dict[str, Any] | None = None, actor: str | None = None,
              year: int | None = None, inputs: Inputs | None = None) -> Run:
    """Compute the index from the store (or from `inputs`), the spec's log changed at the
    `overrides` addresses, e.g. {"weight.weights.sharp_power": 2.0}. With `actor` and
    `year`, only the years that cross-section depends on are read and computed."""
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    log = spec.log()
    for address, value in (overrides or {}).items():
        log = set_address(log, address, value)
    check_log(log)
    years = _years_needed(log, year)
    read = years
    if years and years[0] is not None and spec.max_age > 0:
        read = (None, years[1])  # stale values come from earlier years
    if inputs is None:
        inputs = load_inputs(db, spec, [actor] if actor else None, read)
        if read != years:  # completed over the earlier years, computed for the year alone
            inputs = _restrict(inputs, None, years)
    else:
        inputs = _restrict(inputs, actor, years)
    return execute(spec, inputs, log)


def _restrict(inputs: Inputs, actor: str | None, years) -> Inputs:
    inputs = replace(inputs, observed=inputs.seen())
    keep = np.ones(len(inputs.values), dtype=bool)
    if actor:
        keep &= np.asarray(inputs.units.get_level_values("actor") == actor)
    y = inputs.units.get_level_values("year")
    if years and years[0] is not None:
        keep &= np.asarray(y >= years[0])
    if years and years[1] is not None:
        keep &= np.asarray(y <= years[1])
    return inputs if keep.all() else inputs.subset(keep)
