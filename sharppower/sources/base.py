"""What a source connector declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("csv", "xlsx", "zip", "rds", "rda", "json", "geojson", "pdf")


@dataclass(frozen=True)
class SourceFile:
    """One published file: its name in the snapshot, where it is published, its path in the mirror.

    - `name`: the file's name in the snapshot (what the connector opens).
    - `url`: the URL that serves the file itself (not a landing page): for Harvard Dataverse the
      file's access API URL (`/api/access/datafile/...`, `?format=original` for an ingested
      table), for GitHub a `raw.githubusercontent.com` URL pinned to a commit where one is known.
    - `mirror`: the file's path in the local mirror (`SHARPPOWER_MIRROR`).
    - `format`: what the URL serves: csv, xlsx, zip, rds, rda, json, geojson or pdf ("": from
      the URL's suffix). `pull` refuses an HTML page, and a non-zip where xlsx or zip is due.
    - `member`: for a zip, the file inside it to keep (matched by its base name); the snapshot
      holds that member, the provenance the archive's sha256 as well.
    - `derive`: in words, how the connector gets from the published artifact to what it reads
      (and how the mirror copy differs from it, when it does).
    - `manual`: the publisher offers only an interactive download (a registration form, a
      dashboard export); `manual_step` says what to do, and `pull --from DIR` reads the file
      from DIR (by `name`, or the base name of `mirror`).
    - `max_bytes`: refuse a download larger than this (0: `download.DEFAULT_MAX_BYTES`).
    - `checked`: how the URL was verified, or why it could not be ("" when never checked).
    """

    name: str
    url: str
    mirror: str
    format: str = ""
    member: str = ""
    derive: str = ""
    manual: bool = False
    manual_step: str = ""
    max_bytes: int = 0
    checked: str = ""

    @property
    def published_format(self) -> str:
        """The declared format, else the URL's suffix (before any query), else csv."""
        if self.format:
            return self.format
        suffix = self.url.split("?")[0].rsplit("/", 1)[-1].rsplit(".", 1)[-1].lower()
        return suffix if suffix in FORMATS else "csv"


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
            "formats": [f.published_format for f in self.files],
            "manual": [f.manual_step for f in self.files if f.manual],
            "redistribute": list(self.redistribute),
        }
