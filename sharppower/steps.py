"""The step contract of the build, what every step returns, and the fingerprint helpers.

Neutral and low so that every layer can declare its steps: a connector's load step
(`sharppower.sources.steps`), a measure's (`STEPS` in its `build.py`), the starter data's
and the index's. `sharppower.pipeline` discovers the declarations, orders them from what
each step `needs` and `reads`, and skips a step whose fingerprint (its inputs'
fingerprints, its `state`, a hash of its `code`) equals its last successful run in
`build_log`. It imports nothing of sharppower.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadResult:
    """One row of the build summary: a source or a derived table and what happened to it."""

    source: str
    status: str  # loaded | unchanged | skipped
    rows: int = 0
    countries: int = 0
    years: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def years_text(self) -> str:
        return f"{self.years[0]}-{self.years[1]}" if self.years else ""


@dataclass(frozen=True)
class Step:
    """One step of the build.

    `run(ctx)` does the work and returns its LoadResults (ctx: `sharppower.pipeline.BuildContext`).
    `needs` names the steps it reads the output of; `reads` names tables, and makes it need
    every step that `writes` one of them. `state(ctx)` returns what the step reads from
    outside the pipeline (a snapshot's sha256, the codebook rows it uses, a method version,
    the store's rows that imports change), computed after its inputs ran. `code` lists the
    functions or modules whose source files are its code (default: `run`'s module).
    `stage` is the group the build's progress shows (reference, sources, opinion, ...).
    A step with `logged=False` keeps its own record instead of a `build_log` row, and runs
    after the build's log row is written (the stored profiles are stamped with it).
    `prefetch(ctx)`, when given, is the part of `run` that reads only files (parsing a
    snapshot), never the store: the pipeline may compute it ahead in a forked worker while
    the stage's earlier steps run, and `run` takes it with `ctx.prefetched_result`.
    `warm(ctx)`, when given, loads what the step's run would load first and reads nothing
    of the build (its libraries' imports): the build's process calls it earlier, while it
    would otherwise wait idle for a worker's prefetch, so that the step starts sooner.
    """

    name: str
    run: Callable[[Any], list[LoadResult]]
    needs: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    stage: str = ""
    state: Callable[[Any], object] | None = None
    code: tuple[object, ...] = ()
    logged: bool = True
    prefetch: Callable[[Any], Any] | None = None
    warm: Callable[[Any], None] | None = None

    @property
    def stage_name(self) -> str:
        return self.stage or self.name

    def code_objects(self) -> tuple[object, ...]:
        return self.code or (self.run,)


def fingerprint(*parts: object) -> str:
    """sha256 of the parts as canonical JSON (keys sorted; other objects as str)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_hash(*objects: object) -> str:
    """sha256 of the source files of functions, classes or modules (each file once, in order);
    an object without a source file (a builtin, None) adds nothing."""
    digest, seen = hashlib.sha256(), set()
    for obj in objects:
        try:
            path = inspect.getsourcefile(obj)  # type: ignore[arg-type]
        except TypeError:
            path = None
        if not path or path in seen:
            continue
        seen.add(path)
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()
