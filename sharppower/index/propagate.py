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
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower import forking
from sharppower.errors import ValidationError
from sharppower.index import aggregate
from sharppower.index.noise import relative_sd, section_spread
from sharppower.index.panel import cross_sections
from sharppower.index.ranks import RankHistogram, group_ranks
from sharppower.index.spec import check_log, get_address, set_address
from sharppower.index.stages import DATA_STAGES, transform

MEMORY_BUDGET = 8_000_000  # array elements per chunk of replications x nodes x units
BLOCK_UNITS = 1000  # units per block of cross-sections (rank histograms held at once)


def block_threads() -> int:
    """Threads scoring blocks side by side: SHARPPOWER_INDEX_THREADS, else the cores this
    process may use (numpy, the random generators and the rank kernels release the GIL
    for the heavy loops; blocks write disjoint outputs, so the numbers do not depend on it)."""
    setting = os.environ.get("SHARPPOWER_INDEX_THREADS")
    if setting:
        return max(1, int(setting))
    return max(1, min(4, forking.cores()))


def block_pool() -> str:
    """How blocks run side by side: "processes" (forked: each scores its share of the
    blocks on its copy of the prepared matrices, no lock between them) where the platform
    forks and nothing in the process makes a fork unsafe (JAX's threads, once the latent
    model has run here), else "threads" (numpy releases the GIL for the large loops, but
    the many small calls of a block share it). SHARPPOWER_INDEX_POOL forces one."""
    setting = os.environ.get("SHARPPOWER_INDEX_POOL", "").strip().lower()
    if setting in ("threads", "processes"):
        return setting if setting == "threads" or forking.platform_forks() else "threads"
    return "processes" if forking.fork_safe() else "threads"


@dataclass
class Design:
    data: np.ndarray     # (R, n_data) index into each data address's values
    agg: np.ndarray      # (R, n_agg) index into each aggregation address's values
    weights: np.ndarray  # (R, E) edge weights
    drop: np.ndarray     # (R,) index into Space.drop minus 1 (-1: nothing dropped)
    noise: np.ndarray | None = None  # (R,) seed of the replication's data noise, -1 none

    def __len__(self) -> int:
        return len(self.weights)


@dataclass
class Propagated:
    ranks: np.ndarray | None   # (q, n, A) rank quantiles
    shift: np.ndarray          # (R, actors, A) summed absolute rank shifts
    count: np.ndarray          # (R, actors, A) ranks compared

    @property
    def mean_shift(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.shift / self.count


@dataclass
class Space:
    data: list[tuple[str, list]]
    agg: list[tuple[str, list]]
    concentration: float | None
    drop: list[str | None]
    nominal_weights: np.ndarray
    slices: list[slice]
    leaves: list[str]
    noise: bool = False  # data noise (standard errors, staleness) as one factor

    def restricted(self, keep) -> Space:
        """The same space varying only the data addresses `keep(address)` accepts and no
        aggregation choice (score intervals: choices that keep the scores' scale)."""
        return Space([(a, v) for a, v in self.data if keep(a)], [], self.concentration,
                     self.drop, self.nominal_weights, self.slices, self.leaves, self.noise)

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
            col += 1
        if self.noise:
            out.append(("data_noise", [col]))
        return out

    def factor_names(self) -> list[str]:
        return [name for name, _ in self.factor_columns()]

    @property
    def n_columns(self) -> int:
        return sum(len(c) for _, c in self.factor_columns())

    def sample(self, runs: int, rng: np.random.Generator) -> Design:
        """A Monte Carlo design: discrete choices from uniforms, Dirichlet weights drawn
        directly (gamma variates, faster than the inverse CDF the Saltelli design needs)."""
        return self.design(rng.random((runs, self.n_columns)), rng)

    def design(self, U: np.ndarray, rng: np.random.Generator | None = None) -> Design:
        """Map uniforms (R, n_columns) onto choices; the weights come from the uniforms by
        the inverse gamma CDF, or from `rng` when given."""
        cols = dict(self.factor_columns())
        pick = lambda u, k: np.minimum((u * k).astype(int), k - 1)
        data = np.column_stack([pick(U[:, cols[a][0]], len(v)) for a, v in self.data]
                               or [np.zeros(len(U), int)])
        agg = np.column_stack([pick(U[:, cols[a][0]], len(v)) for a, v in self.agg]
                              or [np.zeros(len(U), int)])
        weights = np.repeat(self.nominal_weights[None], len(U), axis=0)
        if "weights" in cols:
            weights = self.dirichlet(U[:, cols["weights"]], rng)
        drop = np.full(len(U), -1)
        if "drop_one" in cols:
            drop = pick(U[:, cols["drop_one"][0]], len(self.drop)) - 1
        noise = None
        if "data_noise" in cols:  # a seed per replication: the same uniform, the same noise
            noise = (U[:, cols["data_noise"][0]] * 2.0 ** 52).astype(np.int64)
        return Design(data, agg, weights, drop, noise)

    def dirichlet(self, U: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """Dirichlet(c w / sum w) draws per parent, scaled to the parent's nominal total
        weight: gamma variates from the uniforms by the inverse gamma CDF (or from `rng`)."""
        from scipy.special import gammaincinv  # scipy loads when weights vary

        w = self.nominal_weights
        out = np.repeat(w[None], len(U), axis=0)
        for s in self.slices:
            total = w[s].sum()
            if s.stop - s.start < 2 or total <= 0:
                continue
            alpha = self.concentration * w[s] / total
            a = np.maximum(alpha, 1e-300)
            g = (rng.standard_gamma(a, size=U[:, s].shape) if rng is not None
                 else gammaincinv(a, U[:, s]))
            g = np.where(alpha > 0, g, 0.0)
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
    return Space(data, agg, float(conc) if conc else None, _droppable(run.tree, unc),
                 run.edge_weights.copy(), [run.tree.slices[n] for n in run.tree.nodes],
                 list(run.tree.leaves), bool(unc.get("data_noise")))


DROP_ONE = {True: "indicators", False: None, None: None, "indicators": "indicators",
            "components": "components"}


def _droppable(tree, unc: dict) -> list[str | None]:
    """None (nothing dropped) and what `drop_one` may leave out: indicators (leaves) or
    components (domains)."""
    mode = unc.get("drop_one")
    if mode not in DROP_ONE:
        raise ValidationError("uncertainty.drop_one", "true, false, indicators or components, "
                              f"not {mode!r}")
    kind = DROP_ONE[mode]
    items = {"indicators": list(tree.leaves), "components": tree.by_level("domain"),
             None: []}[kind]
    return [None, *items]


def _positions(block: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A block's unit positions and each cross-section's positions within the block."""
    bounds = np.cumsum([0] + [len(g) for g in block])
    return np.concatenate(block), [np.arange(a, b) for a, b in itertools.pairwise(bounds)]


def _split_groups(groups: dict[str, list[tuple]]) -> tuple[list, list]:
    """The groups of data choices in two shares of about equal work (`forking.two_shares`;
    a k-nearest-neighbour imputation costs about three times the other stages)."""
    cost = {g: len(keys) * (3 if '"knn"' in g else 1) for g, keys in groups.items()}
    ours, theirs = forking.two_shares(groups, cost.__getitem__)
    return [groups[g] for g in ours], [groups[g] for g in theirs]


def _load_stage_libraries(logs: list[dict]) -> None:
    """Import what the data choices' stages load on first use (scikit-learn's KNN imputer,
    scipy's ranks), so that a forked worker does not import them a second time."""
    text = json.dumps([[log[s] for s in DATA_STAGES] for log in logs], default=str)
    if '"knn"' in text:
        import sklearn.impute  # noqa: F401
    if '"rank"' in text:
        import scipy.stats  # noqa: F401


class Propagator:
    """Scores designs for one run: data choices cached, aggregation vectorised."""

    def __init__(self, run, space: Space, share: Propagator | None = None):
        """`share`: another Propagator of the same run whose computed data stages and
        normalised matrices this one reuses (they are keyed by the stages' arguments)."""
        self.run, self.space = run, space
        self.cache: dict[tuple, np.ndarray] = {}
        self.stages: dict[tuple, pd.DataFrame] = share.stages if share else {}
        self.matrices: dict[str, np.ndarray] = share.matrices if share else {}
        self.groups = cross_sections(run.scores.index)
        self.nominal = run.ranks.to_numpy()
        edge_of = {c: e for e, c in enumerate(run.tree.edge_child)}
        self.drop_edge = np.array([edge_of[c] for c in space.drop[1:]] or [-1])
        self.edge_ids = np.arange(run.tree.n_edges)
        self.noise_sd: dict[tuple, tuple] = {}
        self._rel_sd: np.ndarray | None = share._rel_sd if share else None
        actors = np.asarray(run.scores.index.get_level_values("actor"), dtype=object)
        self.actor, _ = pd.factorize(actors, sort=True)
        # a unit's noise stream is keyed by its actor and its place among that actor's units,
        # so an actor's intervals never depend on which other actors the run holds
        self.unit_key = np.column_stack([
            np.array([zlib.crc32(str(a).encode()) for a in actors], dtype=np.int64),
            pd.Series(np.arange(len(actors))).groupby(actors).cumcount().to_numpy(np.int64)])
        self.floor = float(run.log["aggregate"].get("floor", 1.0))

    def data(self, key: tuple) -> np.ndarray:
        """The normalised matrix under the data choices `key` (stages cached separately,
        so that varying the normalisation reuses one imputation and treatment)."""
        if key not in self.cache:
            args = self._args(key)
            if args not in self.matrices:
                self.matrices[args] = self._normalised(self._log(key)).to_numpy(dtype=float)
            self.cache[key] = self.matrices[args]
        return self.cache[key]

    def _args(self, key: tuple) -> str:
        """The data stages' arguments under the data choices `key` (what a matrix is kept by)."""
        log = self._log(key)
        return json.dumps([log[s] for s in DATA_STAGES], sort_keys=True, default=str)

    def _log(self, key: tuple) -> dict:
        """The run's log under the data choices `key`."""
        log = self.run.log
        for (address, values), i in zip(self.space.data, key):
            log = set_address(log, address, values[i])
        return log

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
        return transform(run.inputs.values, run.screened.cells, run.inputs.region,
                         run.directions, log,
                         lambda stage, compute: self._stage(stage, log, compute),
                         zero=run.inputs.zero).normalised

    def methods(self, key: tuple) -> dict[str, str]:
        log = self.run.log
        for (address, values), i in zip(self.space.agg, key):
            log = set_address(log, address, values[i])
        return aggregate.level_methods(log["aggregate"])

    def _blocks(self, limit: int = BLOCK_UNITS) -> list[list[np.ndarray]]:
        """Cross-sections packed into blocks of at most `limit` units (or one section), one
        actor per block (its blocks, and so its noise draws, are its own)."""
        blocks, current = [], []
        for g in self.groups:
            other_actor = current and self.actor[current[0][0]] != self.actor[g[0]]
            if current and (other_actor or sum(map(len, current)) + len(g) > limit):
                blocks.append(current)
                current = []
            current.append(g)
        return blocks + ([current] if current else [])

    def _combos(self, design: Design) -> list[tuple[tuple, np.ndarray]]:
        """The distinct combinations of discrete choices, each with its replications.
        (Grouping by the aggregation choices only, data choices varying within a piece under
        data noise, measured slower on the mirror store: larger arrays, same work.)"""
        keys = np.column_stack([design.data, design.agg])
        combos, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        return [(tuple(int(v) for v in combo), np.flatnonzero(inverse == c))
                for c, combo in enumerate(combos)]

    def _chunks(self, design: Design, n_units: int):
        """(combo, replications) pieces small enough for MEMORY_BUDGET."""
        step = max(1, MEMORY_BUDGET // (n_units * len(self.run.tree.nodes)))
        for combo, reps in self._combos(design):
            for r0 in range(0, len(reps), step):
                yield combo, reps[r0:r0 + step]

    def _scores(self, design: Design, combo: tuple, reps: np.ndarray,
                pos: np.ndarray) -> np.ndarray:
        """(len(reps), A, len(pos)) scores of replications sharing one combination of
        discrete choices: one vectorised evaluation of the hierarchy."""
        nd = design.data.shape[1]
        W = design.weights[reps]
        dropped = design.drop[reps, None]
        edge = self.drop_edge[np.maximum(dropped, 0)]
        W = W * ~((self.edge_ids[None] == edge) & (dropped >= 0))
        X = self.data(combo[:nd])[pos]
        noise = None if design.noise is None else self._noisy(
            X, combo[:nd], design.noise[reps], pos)
        feeds = self.run.screened.feeds
        return aggregate.evaluate(X, self.run.tree, W, self.methods(combo[nd:]),
                                  self.run.screened.nodes[pos], self.floor,
                                  None if feeds is None else feeds[pos], noise)

    def rel_sd(self) -> np.ndarray:
        """(n, K) relative noise of each input value (index.noise), computed once."""
        if self._rel_sd is None:
            inputs = self.run.inputs
            self._rel_sd = relative_sd(inputs.values, inputs.cell_frame("se"),
                                       inputs.cell_frame("age"))
        return self._rel_sd

    def _noise_scale(self, key: tuple) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """(n, K) noise standard deviations in the normalised units of `key`, and the
        normalised values' range per indicator (computed once per key)."""
        if key not in self.noise_sd:
            full = self.data(key)
            # nanmin/nanmax without their all-NaN warning (whose filter is not thread-safe)
            bounds = (np.fmin.reduce(full, axis=0), np.fmax.reduce(full, axis=0))
            self.noise_sd[key] = (self.rel_sd() * section_spread(full, self.groups), bounds)
        return self.noise_sd[key]

    def _noisy(self, X: np.ndarray, key: tuple, seeds: np.ndarray,
               pos: np.ndarray) -> aggregate.NoisyCells | None:
        """The cells of X (n, K) that each replication's noise moves, with their values in
        every replication, in the normalised units of `key` and within the normalised
        values' range; None when no cell is noisy. Only the cells holding a value and a
        noise scale (a published standard error or a stale value: a few in a hundred on
        the mirror) get a draw: each replication's stream, keyed by its seed and the
        block's first noisy unit (blocks are fixed per actor: the same seed and unit
        always get the same draw), gives one standard normal per such cell in row order."""
        scale, (lo, hi) = self._noise_scale(key)
        sd = scale[pos]
        rows, cols = np.nonzero((sd != 0) & ~np.isnan(X))
        if not len(rows):
            return None
        actor_code, ordinal = (int(v) for v in self.unit_key[pos[rows[0]]])
        values = np.zeros((len(seeds), len(rows)))
        for r, seed in enumerate(seeds):
            if seed >= 0:
                np.random.default_rng([int(seed), actor_code, ordinal]).standard_normal(
                    out=values[r])
        values *= sd[rows, cols]
        values += X[rows, cols]
        # noise stays inside the normalised scale (X itself always is)
        np.clip(values, lo[cols], hi[cols], out=values)
        return aggregate.NoisyCells(rows, cols, values)

    def prepare(self, design: Design, threads: int = 1) -> None:
        """Compute every normalised matrix and noise scale the design's combinations use,
        before the blocks are scored (the threads scoring them then only read them): the
        choices sharing an imputation and treatment together, such groups side by side
        on `threads` threads (each group's stages are its own, so none is computed twice)."""
        nd = design.data.shape[1]
        groups: dict[str, list[tuple]] = {}
        for combo, _ in self._combos(design):
            log = self._log(combo[:nd])
            shared = json.dumps([log["impute"], log["treat"]], sort_keys=True, default=str)
            groups.setdefault(shared, []).append(combo[:nd])

        def compute(keys: list[tuple]) -> None:
            for key in keys:
                self.data(key)
                if design.noise is not None:
                    self._noise_scale(key)

        if threads <= 1 or len(groups) < 2:
            for keys in groups.values():
                compute(keys)
            return
        if design.noise is not None:
            self.rel_sd()  # shared by every group's noise scales
        if self._prepare_forked(groups, compute):
            return
        with ThreadPoolExecutor(min(threads, len(groups)), thread_name_prefix="index-data") as pool:
            list(pool.map(compute, groups.values()))

    def _prepare_forked(self, groups: dict[str, list[tuple]], compute) -> bool:
        """`prepare`'s groups shared between this process and one forked worker
        (`forking.fork_call`), where a fork is safe and the pool is processes: the stages
        are pandas and scikit-learn code that holds the GIL, so threads measured no faster
        than one after another. The worker returns its normalised matrices and noise
        scales, the same arrays this process would compute (the same code on the same
        inputs); if it fails, its groups are computed here. False where no fork is safe."""
        groups = {g: todo for g, keys in groups.items()
                  if (todo := [k for k in keys if k not in self.cache])}
        if block_pool() != "processes" or len(groups) < 2:
            return False
        # once, before the fork: not once in each process
        _load_stage_libraries([self._log(k) for keys in groups.values() for k in keys])
        ours, theirs = _split_groups(groups)

        def in_worker() -> tuple[dict, dict]:
            for keys in theirs:
                compute(keys)
            done = [k for keys in theirs for k in keys]
            return ({k: self.data(k) for k in done},
                    {k: self.noise_sd[k] for k in done if k in self.noise_sd})

        forked = forking.fork_call(in_worker)
        if forked is None:
            return False
        for keys in ours:
            compute(keys)
        result = forked.result()
        if result is None:  # the worker failed: its groups are computed here
            for keys in theirs:
                compute(keys)
            return True
        matrices, noise = result
        for key, matrix in matrices.items():
            self.cache[key] = self.matrices.setdefault(self._args(key), matrix)
        for key, scale in noise.items():
            self.noise_sd.setdefault(key, scale)
        return True

    def _each_block(self, design: Design, work) -> list:
        """`work(block, threads)` for every block, its results in the blocks' order: blocks
        side by side when there are enough of them (`block_pool`: forked processes, or
        threads), else one after another, each spreading its chunks over `threads`
        threads; the shared matrices are computed first (BLAS on one thread throughout:
        its limit is process-wide)."""
        blocks = self._blocks()
        threads = block_threads()
        with aggregate.one_blas_thread():
            self.prepare(design, threads)
            if threads <= 1 or len(blocks) < threads:
                return [work(b, threads) for b in blocks]
            if block_pool() == "processes":
                return forking.map_forked(lambda b: work(b, 1), blocks, threads)
            with ThreadPoolExecutor(threads, thread_name_prefix="index-block") as pool:
                return list(pool.map(lambda b: work(b, 1), blocks))

    def _chunk_parts(self, design: Design, n_units: int, threads: int, work) -> list:
        """`work(chunks)` on `threads` interleaved shares of the block's chunks (each
        replication is in one chunk: the shares hold disjoint replications), side by side
        on threads when threads > 1 (`work` returns its part or writes its replications'
        rows of an array; forked processes measured no faster here: the parts are large);
        the results in the shares' order."""
        chunks = list(self._chunks(design, n_units))
        threads = max(1, min(threads, len(chunks)))
        if threads == 1:
            return [work(chunks)]
        with ThreadPoolExecutor(threads, thread_name_prefix="index-chunk") as pool:
            return list(pool.map(work, [chunks[i::threads] for i in range(threads)]))

    def ranks(self, design: Design, reps: np.ndarray) -> np.ndarray:
        """(len(reps), A, n) ranks of the given replications (for checks and tests)."""
        reps = np.asarray(reps)
        sub = Design(design.data[reps], design.agg[reps], design.weights[reps], design.drop[reps],
                     None if design.noise is None else design.noise[reps])
        out = np.full((len(reps), len(self.run.tree.nodes), len(self.nominal)), np.nan)
        with aggregate.one_blas_thread():
            for block in self._blocks():
                pos, local = _positions(block)
                for combo, idx in self._chunks(sub, len(pos)):
                    S = self._scores(sub, combo, idx, pos)
                    out[np.ix_(idx, np.arange(S.shape[1]), pos)] = group_ranks(S, local)
        return out

    def score_quantiles(self, design: Design, quantiles: list[float]) -> np.ndarray:
        """(q, n, A) quantiles of the scores over the replications (NaN where a unit has
        no score at a node). Meaningful for designs that keep the scores' scale (no change
        of normalisation or aggregation: Space.restricted)."""
        A = len(self.run.tree.nodes)
        out = np.full((len(quantiles), len(self.nominal), A), np.nan)

        def work(block, threads: int) -> np.ndarray:
            pos, _ = _positions(block)
            S = np.full((len(design), A, len(pos)), np.nan, dtype=np.float32)

            def fill(chunks) -> None:  # the shares hold disjoint replications of S
                for combo, reps in chunks:
                    S[reps] = self._scores(design, combo, reps, pos)

            self._chunk_parts(design, len(pos), threads, fill)
            mask = self.run.screened.nodes[pos].T  # (A, n)
            S[:, ~mask] = np.nan
            return nan_quantiles(S, quantiles).transpose(0, 2, 1)

        for block, q in zip(self._blocks(), self._each_block(design, work)):
            out[:, _positions(block)[0], :] = q  # blocks hold disjoint units
        return out

    def propagate(self, design: Design, quantiles: list[float] | None,
                  shifts: bool = True) -> Propagated:
        """Rank quantiles over the replications (when `quantiles` is given) and, unless
        `shifts` is False (shift and count then stay 0), the absolute rank shifts from the
        nominal ranks per replication. (Scores are not summarised: under different
        normalisations they are on different scales.)"""
        R, A = len(design), len(self.run.tree.nodes)
        n_act = int(self.actor.max()) + 1 if len(self.actor) else 0
        shape = (len(quantiles), len(self.nominal), A) if quantiles else None
        out = Propagated(np.full(shape, np.nan) if shape else None,
                         np.zeros((R, n_act, A)), np.zeros((R, n_act, A)))
        parts = self._each_block(design, lambda block, threads: self._block(
            design, block, quantiles, n_act, shifts, threads))
        for shift, count, ranks in parts:  # in block order: the sums of one block after another
            if ranks is not None:
                out.ranks[:, ranks[0], ranks[1]] = ranks[2]
            if shifts:
                out.shift += shift
                out.count += count
        return out

    def _block(self, design: Design, block, quantiles, n_act: int, shifts: bool = True,
               threads: int = 1) -> tuple:
        """Score one block of cross-sections for every replication (per combination of
        discrete choices, in chunks, spread over `threads`) and rank only the lanes (unit x
        node) that screening lets have a score. Returns its (R, actors, A) rank-shift sums
        and counts (None without `shifts`) and its rank quantiles as (units, nodes, (q,
        lanes) values) (None without `quantiles`)."""
        R, A = len(design), len(self.run.tree.nodes)
        pos, local = _positions(block)
        lanes = Lanes(self.run.screened.nodes[pos], local, self.actor[pos],
                      self.nominal[pos], n_act)
        onehot = lanes.onehot if shifts else None  # built once, before the threads
        max_rank = max(len(g) for g in block)

        def score(chunks) -> tuple:
            hist = RankHistogram(lanes.size, max_rank)
            shift = np.zeros((R, n_act, A)) if shifts else None
            count = np.zeros((R, n_act, A)) if shifts else None
            for combo, reps in chunks:
                S = self._scores(design, combo, reps, pos)[:, lanes.node, lanes.unit]
                ranks = group_ranks(S, lanes.groups, dtype=np.float32)
                if quantiles:
                    hist.add(ranks)
                if not shifts:
                    continue
                dev = np.abs(ranks - lanes.nominal)
                present = ~np.isnan(dev)
                dev[~present] = 0.0
                shift[reps] += (dev @ onehot).reshape(len(reps), -1, A)
                count[reps] += (present.astype(np.float32) @ onehot).reshape(
                    len(reps), -1, A)
            return hist, shift, count

        parts = self._chunk_parts(design, len(pos), threads, score)
        hist, shift, count = parts[0]
        for other, more_shift, more_count in parts[1:]:  # shares: disjoint replications
            hist.merge(other)
            if shifts:
                shift += more_shift
                count += more_count
        ranks = (pos[lanes.unit], lanes.node, hist.quantiles(quantiles)) if quantiles else None
        return shift, count, ranks


def nan_quantiles(S: np.ndarray, quantiles: list[float]) -> np.ndarray:
    """np.nanquantile(S, quantiles, axis=0) (linear interpolation between order
    statistics, NaN where a lane has no value), instead of numpy's per-lane loop for
    arrays holding NaN: lanes with a value in every replication take the order statistics
    they need from one partition along the first axis, the other lanes from one sort (NaN
    sort last)."""
    lanes = S.reshape(S.shape[0], -1)
    count = lanes.shape[0] - np.isnan(lanes).sum(axis=0)
    out = np.full((len(quantiles), lanes.shape[1]), np.nan, dtype=S.dtype)
    full = np.flatnonzero(count == lanes.shape[0])
    some = np.flatnonzero((count > 0) & (count < lanes.shape[0]))
    if len(full):
        last = np.full(len(full), lanes.shape[0] - 1)
        positions = np.unique([_order_positions(last[:1], q) for q in quantiles]).tolist()
        ordered = np.partition(lanes[:, full], positions, axis=0)
        out[:, full] = _interpolated(ordered, last, quantiles)
    if len(some):
        ordered = np.sort(lanes[:, some], axis=0)
        out[:, some] = _interpolated(ordered, count[some] - 1, quantiles)
    return out.reshape((len(quantiles),) + S.shape[1:])


def _order_positions(last: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """The two order statistics (lower, upper) the q-quantile interpolates between, for
    lanes whose last order statistic is `last`."""
    lo = np.floor(last * q).astype(np.intp)
    return lo, np.minimum(lo + 1, last)


def _interpolated(ordered: np.ndarray, last: np.ndarray, quantiles: list[float]) -> np.ndarray:
    """(q, lanes) quantiles of lanes whose order statistics 0..last sit in place along
    the first axis of `ordered`."""
    out = np.empty((len(quantiles), ordered.shape[1]), dtype=ordered.dtype)
    for i, q in enumerate(quantiles):
        h = last * q
        lo, hi = _order_positions(last, q)
        a = np.take_along_axis(ordered, lo[None], axis=0)[0]
        b = np.take_along_axis(ordered, hi[None], axis=0)[0]
        t = h - lo
        diff = b - a
        # numpy's _lerp: from the lower value below the midpoint, from the upper above
        out[i] = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return out


class Lanes:
    """The (unit, node) pairs of a block that may have a score, grouped by node and
    cross-section (the sets ranked together), with their nominal ranks and a one-hot map
    onto (actor, node) for the rank-shift sums."""

    def __init__(self, mask: np.ndarray, local: list[np.ndarray], actor: np.ndarray,
                 nominal: np.ndarray, n_actors: int):
        self.unit, self.node = np.nonzero(mask)
        self.size = len(self.unit)
        section = np.empty(len(mask), dtype=int)
        for i, g in enumerate(local):
            section[g] = i
        key = self.node * len(local) + section[self.unit]
        order = np.argsort(key, kind="stable")
        bounds = np.flatnonzero(np.diff(key[order])) + 1
        self.groups = np.split(order, bounds) if self.size else []
        self.nominal = nominal[self.unit, self.node].astype(np.float32)
        self._map = (actor, n_actors, mask.shape[1])
        self._onehot: np.ndarray | None = None

    @property
    def onehot(self) -> np.ndarray:
        """(lanes, actors x A) float32: each lane's (actor, node), for the shift sums."""
        if self._onehot is None:
            actor, n_actors, A = self._map
            self._onehot = np.zeros((self.size, n_actors * A), dtype=np.float32)
            self._onehot[np.arange(self.size), actor[self.unit] * A + self.node] = 1.0
        return self._onehot
