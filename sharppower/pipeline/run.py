"""Run the build: the discovered steps in their order, each skipped when its fingerprint is
that of its last successful run; then the build's log row; then the unlogged steps.

`progress(label, done, total)` follows the items of a stage (the sources, ...); `stage(name,
done, total)` is called before each stage and once after the last (`done`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sharppower.build_warnings import record_build
from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import resolver
from sharppower.errors import SharppowerError
from sharppower.pipeline import discover
from sharppower.pipeline.context import BuildContext
from sharppower.pipeline.dag import PipelineError, inputs_of, order
from sharppower.pipeline.fingerprints import last_run, record_run, step_fingerprint
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
    fp = step_fingerprint(ctx, step, inputs)
    ctx.fingerprints[step.name] = fp
    last = last_run(ctx.db, step.name) if step.logged and not ctx.force else None
    if last is not None and last.fingerprint == fp:
        results = last.results
    else:
        started = datetime.now(UTC)
        results = step.run(ctx)
        if step.logged and not any(r.status == "skipped" for r in results):
            record_run(ctx.db, step.name, fp, results, started)
    ctx.results.extend(results)
    return results


def stages(steps: list[Step]) -> list[list[Step]]:
    """Consecutive steps of one stage, in order."""
    out: list[list[Step]] = []
    for step in steps:
        if out and out[-1][0].stage_name == step.stage_name:
            out[-1].append(step)
        else:
            out.append([step])
    return out


def stage_names(steps: list[Step] | None = None) -> list[str]:
    """The stages of the build, in the order they run."""
    ordered = order(discover.all_steps() if steps is None else steps)
    return [group[0].stage_name for group in stages(_logged_first(ordered))]


def _logged_first(ordered: list[Step], inputs: dict[str, list[str]] | None = None) -> list[Step]:
    logged = [s for s in ordered if s.logged]
    unlogged = [s for s in ordered if not s.logged]
    inputs = inputs or inputs_of(ordered)
    names = {s.name for s in unlogged}
    for step in logged:
        late = [i for i in inputs[step.name] if i in names]
        if late:
            raise PipelineError(f"step {step.name!r} needs {late[0]!r}, which runs after the "
                                "build's log row (logged=False)")
    return logged + unlogged


def run_steps(ctx: BuildContext, steps: list[Step] | None = None,
              names: list[str] | None = None, stage: StageCallback | None = None,
              after_logged: Callable[[], None] | None = None) -> list[LoadResult]:
    """Run `steps` (default: every discovered step; `names` keeps only those) in order.

    A step that fails on bad input (a SharppowerError) stops only the steps that need it,
    directly or not: the others run, so nothing a good source brings is lost; then the
    first error is raised (before the build's log row)."""
    everything = discover.all_steps() if steps is None else steps
    inputs = inputs_of(everything)
    chosen = [s for s in everything if names is None or s.name in names]
    if names is not None and len(chosen) != len(set(names)):
        unknown = sorted(set(names) - {s.name for s in chosen})
        raise PipelineError(f"unknown step(s): {', '.join(unknown)}")
    groups = stages(_logged_first(order(chosen, inputs), inputs))
    results: list[LoadResult] = []
    failed: dict[str, SharppowerError] = {}
    for i, group in enumerate(groups):
        if not group[0].logged:
            if failed:
                break
            if after_logged:
                after_logged()
                after_logged = None
        if stage:
            stage(group[0].stage_name, i, len(groups))
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
    if failed:
        raise next(iter(failed.values()))
    if after_logged:
        after_logged()
    if stage:
        stage("done", len(groups), len(groups))
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
