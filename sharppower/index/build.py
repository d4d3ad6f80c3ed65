"""Build the index into the store: nominal run, Monte Carlo rank intervals, sensitivity.

`index_step(ctx)` is a step of `sharppower build` (STEPS, after every step that writes
observations, sources or countries). It is incremental: its state (`fingerprint`) covers the observations the spec reads (per source: rows, largest id, sum of
values, total length of flags), the sources' sha256 and starter flags, the targets'
regions, the spec (sha256) and the codebook's directions, and ENGINE_VERSION (and the latent model's versions when the spec uses it); when none
changed since the last successful build the step does nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.index.inputs import load_inputs
from sharppower.index.run import Run, execute
from sharppower.index.spec import Spec, load_spec
from sharppower.index.store import save_run
from sharppower.index.summary import indicator_table, run_summary
from sharppower.index.uncertainty import monte_carlo, sensitivity
from sharppower.steps import LoadResult, Step
from sharppower.store import Database
from sharppower.store.tables import countries, observations, sources

STEP = "index"
ENGINE_VERSION = "2"  # influence v2: completion, partial components, data noise, score intervals


def fingerprint(db: Database, spec: Spec) -> str:
    """What the default run reads (`index_state`). The values' sums are exact decimals: a
    float sum depends on the order the rows are added in, which PostgreSQL's parallel
    scans vary between two reads of the same rows (every build found the index changed)."""
    o = observations.c
    per_source = db.read(
        sa.select(o.source, sa.func.count(), sa.func.max(o.id),
                  sa.func.sum(sa.cast(o.value, sa.Numeric)),
                  sa.func.sum(sa.func.length(sa.func.coalesce(o.flags, ""))))
        .where(o.indicator.in_(spec.needed)).group_by(o.source).order_by(o.source))
    rows = [[r[0], int(r[1]), int(r[2]), round(float(r[3] or 0), 6), int(r[4] or 0)]
            for r in per_source.itertuples(index=False)]
    srcs = db.read(sa.select(sources.c.name, sources.c.sha256, sources.c.starter)
                   .order_by(sources.c.name))
    regions = db.read(sa.select(countries.c.iso3, countries.c.region).order_by(countries.c.iso3))
    parts = [ENGINE_VERSION, _latent_version(spec), spec.sha256, sorted(spec.directions.items()),
             sorted((k, v or []) for k, v in spec.applies.items()),
             sorted(spec.territories.items()), rows,
             srcs.astype(str).values.tolist(), regions.astype(str).values.tolist()]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _latent_version(spec: Spec) -> str | None:
    """The latent model's version when the spec uses it (its code changes rebuild)."""
    if not spec.latent_pillars:
        return None
    from sharppower.index.latent import MODEL_VERSION, OUTPUT_VERSION
    return f"{MODEL_VERSION}.{OUTPUT_VERSION}"


@dataclass
class Built:
    run_id: int | None
    run: Run | None
    summary: dict[str, Any]
    sensitivity: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None  # summary.INDICATOR_COLUMNS


def build_index(db: Database, spec: Spec | None = None, runs: int | None = None,
                seed: int | None = None, sensitivity_runs: int | None = None,
                fingerprint_: str | None = None, latent_worker: bool = False,
                latent_split: bool = False) -> Built:
    """Execute the spec on the store's observations, add rank intervals (Monte Carlo) and
    sensitivity indices, and store the run (replacing the spec's previous run).

    `latent_worker`: fit the latent model in a forked worker beside the Monte Carlo
    (`_measure_ahead`; the build command's choice: one build per process, JAX loaded only
    in the worker). Off by default: a process that builds again and again (a notebook,
    the tests) keeps JAX and its compiled programs loaded between builds instead of
    loading them in a new worker each time.

    `latent_split`: where no worker fits beside the Monte Carlo, fit the actors after it
    in two forked workers side by side (`_measure_split`; the build command's choice, for
    the same reason)."""
    spec = spec or load_spec()
    fingerprint_ = fingerprint_ or fingerprint(db, spec)
    inputs = load_inputs(db, spec)
    if inputs.values.empty:
        return Built(None, None, {"spec": spec.name, "units": 0,
                                  "warnings": ["no observation of the spec's indicators"]})
    run = execute(spec, inputs)
    ahead = _measure_ahead(db, spec, run) if spec.latent_pillars and latent_worker else None
    monte_carlo(run, runs, seed)
    n_sa = sensitivity_runs if sensitivity_runs is not None else spec.uncertainty.get(
        "sensitivity_runs", 0)
    table = sensitivity(run, int(n_sa), seed) if n_sa else None
    indicators = indicator_table(run)
    summary = run_summary(run, indicators)
    if spec.latent_pillars:
        started = time.perf_counter()
        where = "beside the Monte Carlo" if ahead is not None else None
        if ahead is None and latent_split:
            ahead = _measure_split(db, spec, run)
            where = "after the Monte Carlo, two side by side" if ahead is not None else None
        summary = _with_latent(db, spec, run, summary, ahead)
        if summary["measurement_worker_seconds"] is not None:
            summary["measurement_workers"] = where  # where the worker(s) made the fits
        # the measurement model's whole share of the build's wall clock (loading it, its
        # data, fits, summaries, overlay, stored scores; with the fits in a worker beside
        # the Monte Carlo, the wait for them): benchmarks/build_speed.py reports the rest
        summary["measurement_seconds"] = round(time.perf_counter() - started, 3)
    run_id = save_run(db, run, indicators, summary, fingerprint_, table)
    return Built(run_id, run, summary, table, indicators)


def spare_core() -> bool:
    """Whether a core is left beside the Monte Carlo's workers (`propagate.block_threads`),
    so that fitting the latent model in a worker meanwhile shortens a build: on 2 cores
    both are the Monte Carlo's, and a worker beside it measured no faster (128-133 s
    either way on the mirror, the fits taking twice as long in the worker) for 10% more
    CPU (JAX loaded and the programs traced there)."""
    from sharppower import forking
    from sharppower.index.propagate import block_threads

    return forking.cores() > block_threads()


def _measure_ahead(db: Database, spec: Spec, run: Run):
    """The latent model's fits started in a forked process (`forking.fork_call`) while
    this one runs the Monte Carlo: they read the nominal scores and the inputs, which the
    Monte Carlo leaves as they are, and the store's cached fits, read here first (the
    worker uses no store connection; the fits are stored here when it is done). None
    where no fork is safe (JAX already loaded here) or one core is all there is."""
    from sharppower import forking

    if not forking.fork_safe() or forking.cores() < 2:
        return None
    from sharppower.index.latent.measure import measure, stored_fits

    stored = stored_fits(db, spec, run.inputs)

    def in_worker():
        started = time.perf_counter()
        measured = measure(spec, run.inputs, run.scores, stored=stored)
        return measured, time.perf_counter() - started

    return forking.fork_call(in_worker)


def _measure_each(spec: Spec, run: Run, actors: list[str], stored: dict) -> dict:
    """actor -> Measured: each actor's fits and scores (`measure`, one actor at a time)."""
    from sharppower.index.latent.measure import measure

    return {a: measure(spec, run.inputs, run.scores, stored=stored, actors=[a]) for a in actors}


def _actor_shares(spec: Spec, run: Run, actors: list[str]) -> list[list[str]]:
    """The actors in two shares of about equal work (`forking.two_shares` by their
    observations of the latent pillars' indicators)."""
    from sharppower import forking

    codes = [c for p in spec.latent_pillars for codes in spec.pillars[p].values() for c in codes]
    values = run.inputs.values[[c for c in codes if c in run.inputs.values.columns]]
    work = values.notna().sum(axis=1).groupby(level="actor").sum()
    return [s for s in forking.two_shares(actors, lambda a: int(work.get(a, 0))) if s]


@dataclass
class _Split:
    """`_measure_split`'s workers: `result()` waits for them and merges their fits."""

    spec: Spec
    run: Run
    actors: list[str]
    shares: list[list[str]]
    stored: dict
    forked: list

    def result(self):
        """(Measured, the slowest worker's seconds or None), as from a `_measure_ahead`
        worker: every actor's fits and scores in the actors' order, as one `measure` of
        them all gives them. A share whose worker failed is fitted here."""
        from sharppower.index.latent.measure import Measured
        from sharppower.index.latent.outputs import COLUMNS

        by_actor: dict = {}
        seconds: list[float | None] = []
        for share, forked in zip(self.shares, self.forked, strict=True):
            done = forked.result() if forked is not None else None
            if done is None:
                done = (_measure_each(self.spec, self.run, share, self.stored), None)
            by_actor.update(done[0])
            seconds.append(done[1])
        merged = Measured(pd.DataFrame(columns=COLUMNS))
        frames = []
        for actor in self.actors:
            one = by_actor[actor]
            if not one.scores.empty:
                frames.append(one.scores)
            merged.fits.update(one.fits)
            merged.warnings += one.warnings
            merged.notes += one.notes
        if frames:
            merged.scores = pd.concat(frames, ignore_index=True)
        return merged, None if None in seconds else max(seconds)


def _measure_split(db: Database, spec: Spec, run: Run) -> _Split | None:
    """The latent fits made after the Monte Carlo in two forked workers side by side
    (`forking.fork_call`; JAX is loaded in each, never here), the actors shared by
    `_actor_shares`; the store's cached fits are read here first. An actor's fit is the
    same wherever it is made (its data, the settings and its stored fit alone). None
    where no fork is safe, one core is all there is or one actor is all there is."""
    from sharppower import forking

    actors = [str(a) for a in run.inputs.units.get_level_values("actor").unique()]
    if not forking.fork_safe() or forking.cores() < 2 or len(actors) < 2:
        return None
    from sharppower.index.latent.measure import stored_fits

    stored = stored_fits(db, spec, run.inputs)
    shares = _actor_shares(spec, run, actors)

    def job(share: list[str]):
        def in_worker():
            started = time.perf_counter()
            return _measure_each(spec, run, share, stored), time.perf_counter() - started
        return in_worker

    return _Split(spec, run, actors, shares, stored, [forking.fork_call(job(s)) for s in shares])


def _with_latent(db: Database, spec: Spec, run: Run, summary: dict, ahead=None) -> dict:
    """Fit (or reuse from the cache) the latent pillars, store their scores and the
    indices per draw, and make them the run's scores of those pillars and indices
    (`latent.overlay`: what users see), the composite's kept beside them in latent_scores
    (node "composite:<node>"); the summary gets each fit's diagnostics, any convergence
    warning and `measurement` (which method scores which node). `ahead`: the fits being
    made in a forked worker (`_measure_ahead`); if it failed, they are made here."""
    from sharppower.index.latent.measure import measure, save_fits
    from sharppower.index.latent.overlay import overlay
    from sharppower.index.latent.store import save_scores

    done = ahead.result() if ahead is not None else None
    if done is None:
        measured, worker = measure(spec, run.inputs, run.scores, db), None
    else:
        (measured, worker) = done
        save_fits(db, spec, measured)
    shown = overlay(run, measured.scores, measured.fits, spec) if not measured.scores.empty \
        else None
    if not measured.scores.empty:
        save_scores(db, pd.concat([measured.scores, shown.composite], ignore_index=True))
    summary = dict(summary)
    # the fits' own time when workers made them (beside the Monte Carlo: the build's
    # measurement_seconds is then only what they add to its wall clock; after it, side
    # by side: the slowest worker's)
    summary["measurement_worker_seconds"] = None if worker is None else round(worker, 3)
    if shown is not None:
        summary["measurement"] = {
            "method": "latent", "nodes": shown.nodes,
            "text": f"{', '.join(spec.latent_pillars)}: the latent measurement model's "
                    "scores (posterior mean, 95% interval from its draws), 0-100 linear in "
                    "the model's score (0 = the actor's lowest target-year of any year, "
                    "100 = its highest; higher = more pressure); the indices containing it "
                    "are computed per draw; the weighted-arithmetic composite is kept for "
                    "comparison (validate --against)",
            "added": shown.added, "outside": shown.outside}
    summary["warnings"] = [*summary.get("warnings", []), *measured.warnings]
    if measured.notes:
        summary["latent_notes"] = measured.notes
    summary["latent"] = [{"actor": a, "pillar": p, **_stored_diagnostics(db, a, p),
                          **f.diagnostics} for (a, p), f in measured.fits.items()]
    return summary


def _stored_diagnostics(db: Database, actor: str, pillar: str) -> dict:
    """The stored fit's convergence diagnostics (a cached fit reports them too)."""
    from sharppower.index.latent.store import read_fits

    fits = read_fits(db)
    row = fits[(fits["actor"] == actor) & (fits["pillar"] == pillar)]
    if row.empty:
        return {}
    r = row.iloc[0]
    return {"final_elbo": float(r["final_elbo"]), "elbo_rel_change": float(r["elbo_rel_change"]),
            "converged": bool(r["converged"]), "fit_seconds": float(r["seconds"])}


def _result(built: Built) -> LoadResult:
    if built.run is None:
        return LoadResult(STEP, "skipped", warnings=built.summary["warnings"])
    units = built.run.inputs.units
    years = units.get_level_values("year")
    return LoadResult(STEP, "loaded", int(built.run.scores.notna().to_numpy().sum()),
                      int(units.get_level_values("target").nunique()),
                      (int(years.min()), int(years.max())), list(built.summary["warnings"]))


def index_state(ctx) -> str:
    """What the default run reads: the store's inputs and the spec (`fingerprint`), and the
    number of Monte Carlo runs when a setting overrides the spec's."""
    spec = load_spec(codebook=ctx.codebook)
    runs = getattr(ctx.settings, "index_runs", None)
    fp = fingerprint(ctx.db, spec)
    if runs is not None:  # 64 hex digits still (index_runs.fingerprint is VARCHAR(64))
        fp = hashlib.sha256(f"{fp}:{runs}".encode()).hexdigest()
    return fp


def index_step(ctx) -> list[LoadResult]:
    """Build step: the default spec's run (the pipeline skips it when its state is unchanged)."""
    spec = load_spec(codebook=ctx.codebook)
    runs = getattr(ctx.settings, "index_runs", None)
    ctx.progress("index", 0, 1)
    result = _result(build_index(ctx.db, spec, runs=runs, fingerprint_=index_state(ctx),
                                 latent_worker=spare_core(), latent_split=True))
    ctx.progress("index", 1, 1)
    return [result]


def warm_index(ctx) -> None:
    """The libraries the Monte Carlo's data choices load (scikit-learn's KNN imputer,
    scipy's ranks: 1 s of imports), never JAX (a fork after it is unsafe)."""
    import scipy.stats  # noqa: F401
    import sklearn.impute  # noqa: F401


STEPS = [Step(STEP, index_step, reads=("observations", "sources", "countries"),
              writes=("index_runs", "index_scores"), state=index_state, warm=warm_index)]
