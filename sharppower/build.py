"""`build`: bring the store up to date from snapshots, the starter data and the measures.

After the steps and the build log, the country profiles are stored for the dashboard
(`sharppower.web.profiles`): the first visitor after a build is served at once.

Steps run in order; each returns LoadResult rows for the summary table. A step is a
function `step(ctx) -> list[LoadResult]`, named by dotted path in BUILD_STEPS so that a
measure adds itself with one line. Steps are incremental: sources skip snapshots whose
checksum is already loaded, and derived steps compare a fingerprint of their inputs with
the last successful run in `build_log` (`ctx.fresh` / `ctx.record`).

This orchestrator sits above sources, measures and index (import contract in
pyproject.toml): it wires each source a measure owns to that measure's loader (LOADERS,
combined from every measure's `build.LOADERS`); web and report never import it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from sharppower.build_warnings import record_build
from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.measures.evidence import build as evidence_build
from sharppower.measures.media import build as media_build
from sharppower.measures.opinion import build as opinion_build
from sharppower.reference import sync_reference
from sharppower.settings import Settings
from sharppower.sources.base import Source
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import Snapshot, open_snapshot, pull
from sharppower.steps import LoadResult, fingerprint
from sharppower.store import Database
from sharppower.store.locking import build_lock
from sharppower.store.tables import build_log
from sharppower.web.pages.country import store_profiles

BUILD_STEPS = [
    "sharppower.build:reference_step",
    "sharppower.build:sources_step",
    "sharppower.measures.opinion.build:opinion_step",
    "sharppower.starter.load:starter_step",
    "sharppower.measures.evidence.build:evidence_step",
    "sharppower.index.build:index_step",
]

# source name -> loader(ctx, snapshot) of the measure that owns the source's tables
LOADERS = {**opinion_build.LOADERS, **evidence_build.LOADERS, **media_build.LOADERS}


def load_snapshot(ctx: LoadContext, source: Source, snapshot: Snapshot) -> LoadResult:
    """Load one snapshot, through its measure's loader when a measure owns the source."""
    return load_source(ctx, source, snapshot, LOADERS.get(source.name))


@dataclass
class BuildContext:
    settings: Settings
    db: Database
    codebook: Codebook
    resolver: CountryResolver
    force: bool = False
    progress: Callable[[str, int, int], None] = lambda label, done, total: None
    results: list[LoadResult] = field(default_factory=list)

    @property
    def load_context(self) -> LoadContext:
        return LoadContext(self.db, self.codebook, self.resolver, self.force)

    def fingerprint(self, *parts: object) -> str:
        return fingerprint(*parts)

    def fresh(self, step: str, fingerprint: str) -> bool:
        """True when the last successful run of `step` had this fingerprint (nothing to do)."""
        if self.force:
            return False
        last = self.db.scalar(
            "SELECT fingerprint FROM build_log WHERE step = :s AND status = 'ok' "
            "ORDER BY id DESC LIMIT 1", {"s": step})
        return last == fingerprint

    def record(self, step: str, fingerprint: str, result: LoadResult, started: datetime) -> None:
        with self.db.begin() as conn:
            conn.execute(build_log.insert(), {
                "step": step, "fingerprint": fingerprint, "status": "ok", "started_at": started,
                "finished_at": datetime.now(UTC), "rows": result.rows,
                "countries": result.countries, "years": result.years_text,
                "warnings": json.dumps(result.warnings), "details": None,
            })

    def snapshot_shas(self, *names: str) -> dict[str, str | None]:
        rows = self.db.read("SELECT name, sha256 FROM sources")
        known = dict(zip(rows["name"], rows["sha256"]))
        return {n: known.get(n) for n in names}


def reference_step(ctx: BuildContext) -> list[LoadResult]:
    n = sync_reference(ctx.db, ctx.codebook, ctx.resolver)
    return [LoadResult("reference", "loaded", n, n, None)]


def sources_step(ctx: BuildContext) -> list[LoadResult]:
    """Load every registered source with a snapshot; pull from the mirror when one is set."""
    results = []
    names = list(SOURCES)
    for i, name in enumerate(names):
        ctx.progress(f"source {name}", i, len(names))
        source = SOURCES[name]
        if not source.files:  # import-only sources (toplines): loaded by their import command
            continue
        snapshot = open_snapshot(ctx.settings, source)
        if snapshot is None and ctx.settings.mirror is not None:
            snapshot, _ = pull(ctx.settings, source)
        if snapshot is None:
            results.append(LoadResult(name, "skipped", warnings=[
                "no snapshot: run `sharppower pull` (or set SHARPPOWER_MIRROR) to add it"]))
            continue
        results.append(load_snapshot(ctx.load_context, source, snapshot))
    ctx.progress("sources", len(names), len(names))
    return results


def resolve_step(path: str) -> Callable[[BuildContext], list[LoadResult]]:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


# seconds a build waits for another build of the same store before it gives up (BuildBusy)
BUILD_WAIT = 5.0


def step_name(path: str) -> str:
    """The stage name of a BUILD_STEPS entry: `...opinion.build:opinion_step` -> `opinion`."""
    return path.rpartition(":")[2].removesuffix("_step")


def build(settings: Settings, db: Database | None = None, force: bool = False,
          progress: Callable[[str, int, int], None] | None = None,
          codebook: Codebook | None = None,
          stage: Callable[[str, int, int], None] | None = None,
          log: Path | None = None) -> list[LoadResult]:
    """Run every build step; returns one LoadResult per source or derived table.

    `progress(label, done, total)` follows the items of a stage (the sources, ...);
    `stage(name, done, total)` is called before each stage and once after the last. Every
    warning goes to the `build_log` row of step `build` and, when `log` is given, to that
    text file (one line per warning, `source: warning`)."""
    db = db or Database(settings.database_url)
    db.upgrade()
    ctx = BuildContext(settings, db, codebook or load_codebook(), resolver(), force)
    if progress:
        ctx.progress = progress
    started = datetime.now(UTC)
    total = len(BUILD_STEPS) + 1  # the steps, then the stored profiles
    with build_lock(db, wait=BUILD_WAIT):  # one build at a time per store
        for i, path in enumerate(BUILD_STEPS):
            if stage:
                stage(step_name(path), i, total)
            ctx.results.extend(resolve_step(path)(ctx))
        if stage:
            stage("profiles", len(BUILD_STEPS), total)
        record_build(db, ctx.results, started, log)
        # last: the profiles are stamped with the data version this build leaves
        if settings.store_profiles:
            stored = store_profiles(db, lambda done, n: ctx.progress("profiles", done, n))
            ctx.results.append(LoadResult("profiles", "unchanged" if stored["reused"]
                                          else "loaded", rows=stored["profiles"]))
        else:
            ctx.results.append(LoadResult("profiles", "skipped"))
        if stage:
            stage("done", total, total)
    return ctx.results


__all__ = ["BUILD_STEPS", "LOADERS", "BuildContext", "build", "load_snapshot", "sa"]
