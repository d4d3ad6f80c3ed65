"""The typed context every build step receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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

    @property
    def load_context(self) -> LoadContext:
        return LoadContext(self.db, self.codebook, self.resolver, self.force)

    def snapshot_shas(self, *names: str) -> dict[str, str | None]:
        """The sha256 of each named source's snapshot loaded in the store (None if none)."""
        rows = self.db.read("SELECT name, sha256 FROM sources")
        known = dict(zip(rows["name"], rows["sha256"]))
        return {n: known.get(n) for n in names}
