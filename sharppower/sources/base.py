"""What a source connector declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceFile:
    """One published file: its name in the snapshot, canonical URL, and path in the mirror."""

    name: str
    url: str
    mirror: str


@dataclass(frozen=True)
class Universe:
    """The targets and years a source looks at.

    Inside the universe, a target-year without a record means none (zero, for indicators
    declared `absent: zero`); outside it the value is missing, never zero; after `years[1]`
    the source has ended and its last values are stale (carried with their age by the
    index's `max_age`), not absent. `targets` is "all" (every country of the reference
    table) or the ISO3 codes looked at; `every` the spacing of the years observed (UN DESA
    migrant stocks: 5); `note` says in words how the universe was decided.
    """

    years: tuple[int, int]
    targets: str | tuple[str, ...] = "all"
    every: int = 1
    note: str = ""

    def covers(self, target: str, year: int) -> bool:
        """True when the source looks at `target` in `year` (a year on its spacing)."""
        first, last = self.years
        if not first <= year <= last or (year - first) % self.every:
            return False
        return self.targets == "all" or target in self.targets


@dataclass(frozen=True)
class Source:
    """A public source.

    `parse(snapshot, resolver)` reads the snapshot in the published format and returns a
    tidy DataFrame with columns target (ISO3), year, optionally actor, one column per
    published variable, and source_file / source_row (where each row comes from); it is
    the connector's one job. Loading is a build step (`sharppower.sources.steps`): by
    default the variables that codebook indicators name (`source` and `variable` keys)
    become observations; a measure whose tables hold a source's data (opinion, evidence,
    media) or the reference tables (countries) declares that source's load step instead,
    in its `build.py` (`STEPS`), and its `parse` returns what that step reads (respondents,
    incidents, cases). Connectors never import measures.

    `redistribute` is the source's allow-list for publication (downloads and the static
    report's data package): "observations" (its values, as observations), "records" (one
    row per item it lists: title, dates, target, link), "texts" (narratives and article
    texts). What is not listed is not published; links are records, so they stay.

    `actors` says which actors the source measures: "any" for an actor-generic (dyadic)
    source, which produces its indicators for every actor the codebook declares (its
    `parse` takes `actors=`, the declared ISO3 codes; a declared actor it has no data
    for is a listed warning of the load); a tuple of ISO3 codes for an actor-specific
    source (the Confucius Institutes: ("CHN",)); () for a source about targets only
    (Freedom House). The index reads it: an indicator exists for the actors its source
    measures (`sharppower.sources.actors.measured_actors`).
    """

    name: str
    title: str
    publisher: str
    homepage: str
    licence: str
    citation: str
    files: tuple[SourceFile, ...]
    parse: Callable[..., Any] | None = None
    coverage: str = ""
    kind: str = "context"
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    redistribute: tuple[str, ...] = ()
    actors: str | tuple[str, ...] = ()  # "any" (every declared actor) or the ISO3s measured
    universe: Universe | None = None  # the targets and years it looks at (None: not declared)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "publisher": self.publisher,
            "homepage": self.homepage,
            "licence": self.licence,
            "citation": self.citation,
            "kind": self.kind,
            "coverage": self.coverage,
            "files": [f.name for f in self.files],
            "urls": [f.url for f in self.files],
            "redistribute": list(self.redistribute),
        }
