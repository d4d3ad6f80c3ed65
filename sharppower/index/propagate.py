"""The Monte Carlo machinery: the space of choices, designs, and vectorised propagation.

A `Space` lists the varied log addresses with their values (nominal value first), the
Dirichlet concentration of the weights and the indicators that may be dropped. It maps a
(R, D) array of uniform numbers onto a `Design`: per replication, an index into each
address's values, the edge weights and the dropped indicator. The `Propagator` scores a
design: it loops over the distinct combinations of discrete choices present (and over
blocks of cross-sections and replications to bound memory), never over replications.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from sharppower.errors import ValidationError
from sharppower.index import aggregate, impute, normalise, treat
from sharppower.index.ranks import RankHistogram, group_ranks
from sharppower.index.screen import cross_sections
from sharppower.index.spec import check_log, get_address, set_address

DATA_STAGES = ("impute", "treat", "normalise")
MEMORY_BUDGET = 4_000_000  # array elements per chunk of replications x nodes x units
BLOCK_UNITS = 1000  # units per block of cross-sections (rank histograms held at once)


@dataclass
class Design:
    data: np.ndarray     # (R, n_data) index into each data address's values
    agg: np.ndarray      # (R, n_agg) index into each aggregation address's values
    weights: np.ndarray  # (R, E) edge weights
    drop: np.ndarray     # (R,) leaf index dropped, -1 for none

    def __len__(self) -> int:
        return len(self.weights)


@dataclass
class Space:
    data: list[tuple[str, list]]
    agg: list[tuple[str, list]]
    concentration: float | None
    drop: list[str | None]
    nominal_weights: np.ndarray
    slices: list[slice]
    leaves: list[str]

    def factor_columns(self) -> list[tuple[str, list[int]]]:
        """Each varied choice (factor) with its columns of uniform numbers."""
        out, col = [], 0
        for address, _ in self.data + self.agg:
            out.append((address, [col]))
            col += 1
        if self.concentration:
            n = len(self.nominal_weights)
            out.append(("weights", list(range(col, col + n))))
            col += n
        if len(self.drop) > 1:
            out.append(("drop_one", [col]))
        return out

    def factor_names(self) -> list[str]:
        return [name for name, _ in self.factor_columns()]

    @property
    def n_columns(self) -> int:
        return sum(len(c) for _, c in self.factor_columns())

    def design(self, U: np.ndarray) -> Design:
        cols = dict(self.factor_columns())
        pick = lambda u, k: np.minimum((u * k).astype(int), k - 1)
        data = np.column_stack([pick(U[:, cols[a][0]], len(v)) for a, v in self.data]
                               or [np.zeros(len(U), int)])
        agg = np.column_stack([pick(U[:, cols[a][0]], len(v)) for a, v in self.agg]
                              or [np.zeros(len(U), int)])
        weights = np.repeat(self.nominal_weights[None], len(U), axis=0)
        if "weights" in cols:
            weights = self.dirichlet(U[:, cols["weights"]])
        drop = np.full(len(U), -1)
        if "drop_one" in cols:
            drop = pick(U[:, cols["drop_one"][0]], len(self.drop)) - 1
        return Design(data, agg, weights, drop)

    def dirichlet(self, U: np.ndarray) -> np.ndarray:
        """Dirichlet(c w / sum w) draws per parent from uniforms, by the inverse gamma CDF,
        scaled to the parent's nominal total weight."""
        w = self.nominal_weights
        out = np.repeat(w[None], len(U), axis=0)
        for s in self.slices:
            total = w[s].sum()
            if s.stop - s.start < 2 or total <= 0:
                continue
            alpha = self.concentration * w[s] / total
            g = np.where(alpha > 0, gammaincinv(np.maximum(alpha, 1e-300), U[:, s]), 0.0)
            norm = g.sum(axis=1, keepdims=True)
            out[:, s] = np.where(norm > 0, total * g / np.where(norm > 0, norm, 1), w[s])
        return out


def _values(run, address: str, values: list) -> list:
    if not isinstance(values, list) or not values:
        raise ValidationError(f"uncertainty.vary.{address}", "a list of values is needed")
    try:
        nominal = get_address(run.log, address)
    except KeyError:
        nominal = None
    out = ([nominal] if nominal is not None else []) + [v for v in values if v != nominal]
    for v in out:
        check_log(set_address(run.log, address, v), f"uncertainty.vary.{address}")
    return out


def build_space(run, unc: dict) -> Space:
    data, agg = [], []
    for address, values in (unc.get("vary") or {}).items():
        stage = address.split(".")[0]
        if stage in DATA_STAGES:
            data.append((address, _values(run, address, values)))
        elif stage == "aggregate":
            agg.append((address, _values(run, address, values)))
        else:
            raise ValidationError(f"uncertainty.vary.{address}",
                                  "only impute.*, treat.*, normalise.* and aggregate.* "
                                  "addresses vary (weights: uncertainty.weights)")
    conc = (unc.get("weights") or {}).get("concentration")
    tree = run.tree
    drop = [None] + (list(tree.leaves) if unc.get("drop_one") else [])
    return Space(data, agg, float(conc) if conc else None, drop, run.edge_weights.copy(),
                 [tree.slices[n] for n in tree.nodes], list(tree.leaves))


def _positions(block: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A block's unit positions and each cross-section's positions within the block."""
    bounds = np.cumsum([0] + [len(g) for g in block])
    return np.concatenate(block), [np.arange(a, b) for a, b in itertools.pairwise(bounds)]


def _kw(args: dict) -> dict:
    return {k: v for k, v in args.items() if k != "method"}


class Propagator:
    """Scores designs for one run: data choices cached, aggregation vectorised."""

    def __init__(self, run, space: Space):
        self.run, self.space = run, space
        self.cache: dict[tuple, np.ndarray] = {}
        self.stages: dict[tuple, pd.DataFrame] = {}
        self.groups = cross_sections(run.scores.index)
        self.nominal = run.ranks.to_numpy()
        self.edge_leaf = run.tree.leaf_edges()
        self.actor, _ = pd.factorize(run.scores.index.get_level_values("actor"), sort=True)
        self.floor = float(run.log["aggregate"].get("floor", 1.0))

    def data(self, key: tuple) -> np.ndarray:
        """The normalised matrix under the data choices `key` (stages cached separately,
        so that varying the normalisation reuses one imputation and treatment)."""
        if key not in self.cache:
            log = self.run.log
            for (address, values), i in zip(self.space.data, key):
                log = set_address(log, address, values[i])
            self.cache[key] = self._normalised(log).to_numpy(dtype=float)
        return self.cache[key]

    def _stage(self, stage: str, log: dict, compute):
        key = (stage, json.dumps([log[s] for s in DATA_STAGES[:DATA_STAGES.index(stage) + 1]],
                                 sort_keys=True, default=str))
        if key not in self.stages:
            self.stages[key] = compute()
        return self.stages[key]

    def _normalised(self, log: dict) -> pd.DataFrame:
        run = self.run
        if log == run.log:
            return run.data.normalised
        imputed = self._stage("impute", log, lambda: impute.IMPUTERS[log["impute"]["method"]](
            run.inputs.values, run.screened.cells, run.inputs.region, **_kw(log["impute"])))
        treated = self._stage("treat", log, lambda: treat.TREATERS[log["treat"]["method"]](
            imputed, **_kw(log["treat"]))[0])
        return normalise.normalise(treated, run.directions, log["normalise"]["method"],
                                   **_kw(log["normalise"]))

    def methods(self, key: tuple) -> dict[str, str]:
        log = self.run.log
        for (address, values), i in zip(self.space.agg, key):
            log = set_address(log, address, values[i])
        return aggregate.level_methods(log["aggregate"])

    def _blocks(self) -> list[list[np.ndarray]]:
        """Cross-sections packed into blocks of at most BLOCK_UNITS units."""
        blocks, current = [], []
        for g in self.groups:
            if current and sum(map(len, current)) + len(g) > BLOCK_UNITS:
                blocks.append(current)
                current = []
            current.append(g)
        return blocks + ([current] if current else [])

    def _scores(self, design: Design, reps: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """(len(reps), A, len(pos)) scores: one vectorised evaluation per combination of
        discrete choices among these replications."""
        tree = self.run.tree
        keys = np.column_stack([design.data[reps], design.agg[reps]])
        combos, inverse = np.unique(keys, axis=0, return_inverse=True)
        S = np.empty((len(reps), len(tree.nodes), len(pos)))
        nd = design.data.shape[1]
        mask = self.run.screened.nodes[pos]
        for c, combo in enumerate(combos):
            idx = np.flatnonzero(inverse.ravel() == c)
            W = design.weights[reps[idx]]
            dropped = design.drop[reps[idx], None]
            W = W * ~((self.edge_leaf[None] == dropped) & (dropped >= 0))
            X = self.data(tuple(combo[:nd]))[pos]
            S[idx] = aggregate.evaluate(X, tree, W, self.methods(tuple(combo[nd:])), mask,
                                        self.floor)
        return S

    def ranks(self, design: Design, reps: np.ndarray) -> np.ndarray:
        """(len(reps), A, n) ranks of the given replications (for checks and tests)."""
        out = np.full((len(reps), len(self.run.tree.nodes), len(self.nominal)), np.nan)
        for block in self._blocks():
            pos, local = _positions(block)
            out[:, :, pos] = group_ranks(self._scores(design, np.asarray(reps), pos), local)
        return out

    def propagate(self, design: Design, quantiles: list[float] | None):
        """(Q, Y): Q (len(quantiles), n, A) rank quantiles over replications (None when
        not asked); Y (R, actors, A) mean absolute rank shift from the nominal ranks."""
        R, A = len(design), len(self.run.tree.nodes)
        n_act = int(self.actor.max()) + 1 if len(self.actor) else 0
        Q = np.full((len(quantiles), len(self.nominal), A), np.nan) if quantiles else None
        shift, count = np.zeros((R, n_act, A)), np.zeros((R, n_act, A))
        for block in self._blocks():
            pos, local = _positions(block)
            hist = RankHistogram(A * len(pos), max(len(g) for g in block))
            nominal = self.nominal[pos].T[None]
            actor = self.actor[pos]
            step = max(1, MEMORY_BUDGET // (len(pos) * A))
            for r0 in range(0, R, step):
                reps = np.arange(r0, min(R, r0 + step))
                ranks = group_ranks(self._scores(design, reps, pos), local, dtype=np.float32)
                if Q is not None:
                    hist.add(ranks)
                dev = np.abs(ranks - nominal)
                for a in np.unique(actor):
                    shift[reps, a] += np.nansum(dev[:, :, actor == a], axis=2)
                    count[reps, a] += np.sum(~np.isnan(dev[:, :, actor == a]), axis=2)
            if Q is not None:
                Q[:, pos] = hist.quantiles(quantiles).reshape(len(quantiles), A, len(pos)) \
                    .transpose(0, 2, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return Q, shift / count
