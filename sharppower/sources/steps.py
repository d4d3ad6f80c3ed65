"""The load step of one source: open (or pull from the mirror) its snapshot and load it.

`source_step(source)` is the default step of every connector (parse -> observations); a
measure that keeps a source's data in its own tables declares the step with its loader
(`source_step(pew.SOURCE, load, writes=...)` in its `build.py`). The step's state is the
snapshot's sha256 and the codebook indicators of the source (plus what `state` adds, such
as a mapping the loader reads); its code, the loader's and the parser's modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sharppower.sources.base import Source
from sharppower.sources.load import (
    Loader,
    codebook_rows,
    load_now,
    load_observations,
    parse_observations,
    write_observations,
)
from sharppower.sources.snapshot import Snapshot, open_snapshot, pull
from sharppower.steps import LoadResult, Step

STAGE = "sources"
OBSERVATIONS = ("observations", "sources", "snapshot_files")
NO_SNAPSHOT = "no snapshot: run `sharppower pull` (or set SHARPPOWER_MIRROR) to add it"


@dataclass(frozen=True)
class SourceStep(Step):
    """A source's load step: the source and the loader it runs (None: the default load)."""

    source: Source | None = None
    loader: Loader | None = None


def snapshot_of(ctx, source: Source) -> Snapshot | None:
    """The source's snapshot; pulled from the mirror when there is none and a mirror is set."""
    snapshot = open_snapshot(ctx.settings, source)
    if snapshot is None and ctx.settings.mirror is not None:
        snapshot, _ = pull(ctx.settings, source)
    return snapshot


def source_step(source: Source, loader: Loader | None = None, needs: tuple[str, ...] = (),
                writes: tuple[str, ...] = OBSERVATIONS,
                state: Callable[[object], object] | None = None) -> SourceStep:
    """The step that loads `source` (named as the source) with `loader(ctx, snapshot)` or
    the default load."""

    def run(ctx) -> list[LoadResult]:
        snapshot = snapshot_of(ctx, source)
        if snapshot is None:
            return [LoadResult(source.name, "skipped", warnings=[NO_SNAPSHOT])]
        if loader is None and hasattr(ctx, "prefetched_result"):  # parsed ahead, maybe
            parsed = ctx.prefetched_result(
                source.name, lambda: parse_observations(ctx.load_context, source, snapshot))
            return [write_observations(ctx.load_context, source, snapshot, parsed)]
        return [load_now(ctx, source, snapshot, loader)]

    def parse_ahead(ctx):
        snapshot = snapshot_of(ctx, source)
        return None if snapshot is None else parse_observations(ctx.load_context, source,
                                                                snapshot)

    def source_state(ctx) -> object:
        snapshot = snapshot_of(ctx, source)
        return [snapshot.sha256 if snapshot else None, codebook_rows(ctx.codebook, source.name),
                state(ctx) if state else None]

    return SourceStep(source.name, run, needs=needs, writes=writes, stage=STAGE,
                      state=source_state, code=(loader or load_observations, source.parse),
                      source=source, loader=loader,
                      prefetch=parse_ahead if loader is None and source.parse else None)
