"""The typed context every build step receives."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sharppower.codebook import Codebook
from sharppower.countries import CountryResolver
from sharppower.settings import Settings
from sharppower.sources.load import LoadContext
from sharppower.steps import LoadResult
from sharppower.store import Database


def _no_progress(label: str, done: int, total: int) -> None:
    return None


@dataclass
class BuildContext:
    """What a step reads and reports to: settings, store, codebook, country resolver;
    `force` (run every step), `progress(label, done, total)`, the results so far and the
    fingerprint of every step that has run (or been found unchanged) in this build."""

    settings: Settings
    db: Database
    codebook: Codebook
    resolver: CountryResolver
    force: bool = False
    progress: Callable[[str, int, int], None] = _no_progress
    results: list[LoadResult] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    planned: dict[str, str] = field(default_factory=dict)  # fingerprints computed ahead
    prefetched: dict[str, Future] = field(default_factory=dict)  # steps' prefetch, ahead
    warmers: list[Callable[[Any], None]] = field(default_factory=list)  # later steps' `warm`
    last_runs: dict[str, tuple] | None = None  # each step's last run as stored (fingerprints)

    def prefetched_result(self, name: str, compute: Callable[[], Any]) -> Any:
        """The step's `prefetch` result computed ahead in a worker, else `compute()` here
        (also when the worker failed: the error is then raised here, as without workers).
        While the worker is not done, later steps' `warm` run here, one at a time."""
        future = self.prefetched.pop(name, None)
        if future is not None:
            while self.warmers and not future.done():
                self.warm_next()
            try:
                status, value = future.result()
            except Exception:  # noqa: BLE001 - a worker lost or its result unpicklable: compute here
                status, value = "failed", None
            if status == "ok":
                return value
        return compute()

    def warm_next(self) -> None:
        """Run the next pending `warm` (an error is left for the step itself to raise)."""
        warm = self.warmers.pop(0)
        with contextlib.suppress(Exception):  # the step loads it again and raises there
            warm(self)

    @property
    def load_context(self) -> LoadContext:
        return LoadContext(self.db, self.codebook, self.resolver, self.force)

    def snapshot_shas(self, *names: str) -> dict[str, str | None]:
        """The sha256 of each named source's snapshot loaded in the store (None if none)."""
        rows = self.db.read("SELECT name, sha256 FROM sources")
        known = dict(zip(rows["name"], rows["sha256"]))
        return {n: known.get(n) for n in names}
