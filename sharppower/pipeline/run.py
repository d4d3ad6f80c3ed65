"""Run the build: the discovered steps in their order, each skipped when its fingerprint is
that of its last successful run; then the build's log row; then the unlogged steps.

`progress(label, done, total)` follows the items of a stage (the sources, ...); `stage(name,
done, total)` is called before each stage and once after the last (`done`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sharppower import forking
from sharppower.build_warnings import record_build
from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import resolver
from sharppower.errors import SharppowerError
from sharppower.pipeline import discover
from sharppower.pipeline.context import BuildContext
from sharppower.pipeline.dag import PipelineError, inputs_of, order
from sharppower.pipeline.fingerprints import note_run, previous_run, record_run, step_fingerprint
from sharppower.settings import Settings
from sharppower.sources.base import Source
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.snapshot import Snapshot
from sharppower.steps import LoadResult, Step
from sharppower.store import Database
from sharppower.store.locking import build_lock

# seconds a build waits for another build of the same store before it gives up (BuildBusy)
BUILD_WAIT = 5.0

StageCallback = Callable[[str, int, int], None]


def run_step(ctx: BuildContext, step: Step, inputs: list[str]) -> list[LoadResult]:
    """Run one step unless its fingerprint is that of its last successful run."""
    fp = ctx.planned.pop(step.name, None) or step_fingerprint(ctx, step, inputs)
    ctx.fingerprints[step.name] = fp
    last = previous_run(ctx, step.name) if step.logged and not ctx.force else None
    if last is not None and last.fingerprint == fp:
        results = last.results
    else:
        started = datetime.now(UTC)
        results = step.run(ctx)
        if step.logged and not any(r.status == "skipped" for r in results):
            record_run(ctx.db, step.name, fp, results, started)
            note_run(ctx, step.name)
    ctx.results.extend(results)
    return results


@dataclass(frozen=True)
class Plan:
    """The stages to run (consecutive steps of one stage, logged steps first) and each
    step's inputs in the whole pipeline."""

    groups: list[list[Step]]
    inputs: dict[str, list[str]]


def plan(steps: list[Step] | None = None, names: list[str] | None = None) -> Plan:
    """The plan of `steps` (default: every discovered step); `names` keeps only those (their
    inputs outside the plan count with their last recorded fingerprints)."""
    everything = discover.all_steps() if steps is None else steps
    inputs = inputs_of(everything)
    chosen = [s for s in everything if names is None or s.name in names]
    unknown = sorted(set(names or ()) - {s.name for s in chosen})
    if unknown:
        raise PipelineError(f"unknown step(s): {', '.join(unknown)}")
    ordered = order(chosen, inputs)
    logged = [s for s in ordered if s.logged]
    unlogged = {s.name for s in ordered if not s.logged}
    for step in logged:
        late = [i for i in inputs[step.name] if i in unlogged]
        if late:
            raise PipelineError(f"step {step.name!r} needs {late[0]!r}, which runs after the "
                                "build's log row (logged=False)")
    return Plan(_stages(logged + [s for s in ordered if not s.logged]), inputs)


def _stages(steps: list[Step]) -> list[list[Step]]:
    out: list[list[Step]] = []
    for step in steps:
        if out and out[-1][0].stage_name == step.stage_name:
            out[-1].append(step)
        else:
            out.append([step])
    return out


def stage_names(steps: list[Step] | None = None) -> list[str]:
    """The stages of the build, in the order they run."""
    return [group[0].stage_name for group in plan(steps).groups]


def _prefetch_one(step: Step, ctx: BuildContext) -> tuple[str, object]:
    """In a forked worker: a step's prefetch, ("ok", result) or ("failed", None) (the
    step then computes it itself and raises its error in the build's process)."""
    try:
        return "ok", step.prefetch(ctx)
    except Exception:  # noqa: BLE001 - raised again where the step runs (same message)
        return "failed", None


def _start_prefetch(ctx: BuildContext, group: list[Step], inputs: dict[str, list[str]]):
    """Start the prefetch of the stage's steps that will run (their fingerprint changed)
    and need nothing of the stage itself, in forked workers (at least two such steps and
    a safe fork, else None: each step parses when it runs). Their fingerprints are kept
    for `run_step`."""
    members = {s.name for s in group}
    ahead = [s for s in group if s.prefetch is not None and s.logged
             and not members.intersection(inputs[s.name])]
    if len(ahead) < 2 or not forking.fork_safe() or forking.cores() < 2:
        return None
    todo = []
    for step in ahead:
        fp = step_fingerprint(ctx, step, inputs[step.name])
        ctx.planned[step.name] = fp
        last = None if ctx.force else previous_run(ctx, step.name)
        if last is None or last.fingerprint != fp:
            todo.append(step)
    if len(todo) < 2:
        return None
    pool, futures = forking.start(lambda step: _prefetch_one(step, ctx), todo, forking.cores())
    ctx.prefetched.update({s.name: f for s, f in zip(todo, futures)})
    return pool


def _run_group(ctx: BuildContext, group: list[Step], inputs: dict[str, list[str]],
               failed: dict[str, SharppowerError]) -> list[LoadResult]:
    """Run a stage's steps (their prefetch ahead in forked workers: `_start_prefetch`); a
    step whose input failed is not run and counts as failed."""
    pool = _start_prefetch(ctx, group, inputs)
    try:
        return _run_steps_of(ctx, group, inputs, failed)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            ctx.prefetched.clear()
        ctx.planned.clear()


def _run_steps_of(ctx: BuildContext, group: list[Step], inputs: dict[str, list[str]],
                  failed: dict[str, SharppowerError]) -> list[LoadResult]:
    results: list[LoadResult] = []
    for j, step in enumerate(group):
        if len(group) > 1:
            ctx.progress(f"{step.stage_name}: {step.name}", j, len(group))
        blocked = [n for n in inputs[step.name] if n in failed]
        if blocked:
            failed[step.name] = failed[blocked[0]]
            continue
        try:
            results += run_step(ctx, step, inputs[step.name])
        except SharppowerError as err:
            failed[step.name] = err
    return results


def run_steps(ctx: BuildContext, steps: list[Step] | None = None,
              names: list[str] | None = None, stage: StageCallback | None = None,
              after_logged: Callable[[], None] | None = None) -> list[LoadResult]:
    """Run `steps` (default: every discovered step; `names` keeps only those) in order;
    `after_logged()` is called between the logged steps and the others.

    A step that fails on bad input (a SharppowerError) stops only the steps that need it,
    directly or not: the others run, so nothing a good source brings is lost; then the
    first error is raised (before `after_logged`)."""
    todo = plan(steps, names)
    # later steps' imports, made while the build's process waits for a worker's prefetch
    ctx.warmers = [s.warm for group in todo.groups for s in group if s.warm is not None]
    results: list[LoadResult] = []
    failed: dict[str, SharppowerError] = {}
    pending = after_logged
    for i, group in enumerate(todo.groups):
        if not group[0].logged:
            if failed:
                break
            if pending:
                pending()
                pending = None
        if stage:
            stage(group[0].stage_name, i, len(todo.groups))
        results += _run_group(ctx, group, todo.inputs, failed)
    if failed:
        raise next(iter(failed.values()))
    if pending:
        pending()
    if stage:
        stage("done", len(todo.groups), len(todo.groups))
    return results


def build(settings: Settings, db: Database | None = None, force: bool = False,
          progress: Callable[[str, int, int], None] | None = None,
          codebook: Codebook | None = None, stage: StageCallback | None = None,
          log: Path | None = None) -> list[LoadResult]:
    """Run every build step; returns one LoadResult per source or derived table.

    Every warning goes to the `build_log` row of step `build` and, when `log` is given, to
    that text file (one line per warning, `source: warning`)."""
    db = db or Database(settings.database_url)
    db.upgrade()
    ctx = BuildContext(settings, db, codebook or load_codebook(), resolver(), force)
    if progress:
        ctx.progress = progress
    started = datetime.now(UTC)
    with build_lock(db, wait=BUILD_WAIT):  # one build at a time per store
        run_steps(ctx, stage=stage,
                  after_logged=lambda: record_build(db, ctx.results, started, log))
    return ctx.results


def load_snapshot(ctx: LoadContext, source: Source, snapshot: Snapshot) -> LoadResult:
    """Load one snapshot with the loader its declared step uses (`load_source`: skipped
    when this snapshot, codebook and code were loaded by it last)."""
    step = discover.source_steps().get(source.name)
    return load_source(ctx, source, snapshot, step.loader if step else None)
