"""Pulling several sources at once, in parallel threads, with one outcome per source.

`pull_sources` runs `snapshot.pull` for each source (`jobs` at a time) and never stops at a
failure: each source ends as pulled (new or replaced files), unchanged, failed (with the
reason) or manual (a file that needs a manual step is not in the `--from` folder). A
changed checksum without `update` is a failure that says to run `pull --update`.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sharppower.errors import SharppowerError
from sharppower.settings import Settings
from sharppower.sources.base import Source
from sharppower.sources.download import Downloader
from sharppower.sources.snapshot import ManualStepNeeded, downloader_for, pull

STATES = ("pulled", "unchanged", "failed", "manual")


@dataclass(frozen=True)
class PullOutcome:
    source: str
    state: str  # one of STATES
    detail: str  # the snapshot checksum and folder, or the reason
    changed: tuple[str, ...] = ()


def pullable(source: Source) -> bool:
    """A source with files to fetch (import-only sources and the starter data have none)."""
    return bool(source.files) and all(f.url or f.manual for f in source.files)


def pull_one(settings: Settings, source: Source, update: bool, downloader: Downloader,
             from_dir: Path | None) -> PullOutcome:
    import httpx  # loads when something is pulled, not with the CLI

    try:
        snap, changed = pull(settings, source, update=update, downloader=downloader,
                             from_dir=from_dir)
    except ManualStepNeeded as exc:
        return PullOutcome(source.name, "manual", str(exc))
    except SharppowerError as exc:
        return PullOutcome(source.name, "failed", str(exc))
    except (OSError, httpx.HTTPError) as exc:  # a full disk, an unusable URL: this source fails
        return PullOutcome(source.name, "failed", f"{type(exc).__name__}: {exc}")
    state = "pulled" if changed else "unchanged"
    return PullOutcome(source.name, state, f"{snap.sha256[:12]} in {snap.dir}", tuple(changed))


def pull_sources(settings: Settings, sources: list[Source], update: bool = False, jobs: int = 1,
                 downloader: Downloader | None = None,
                 from_dir: Path | None = None) -> list[PullOutcome]:
    """Pull every source (`jobs` threads); the outcomes in the order of `sources`."""
    if jobs < 1:
        raise SharppowerError(f"--jobs must be 1 or more, not {jobs}")
    downloader = downloader or downloader_for(settings)
    chosen = [s for s in sources if pullable(s)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda s: pull_one(settings, s, update, downloader, from_dir), chosen))


def summary(outcomes: list[PullOutcome]) -> str:
    """One line: how many sources were pulled, unchanged, failed and need a manual step."""
    counts = Counter(o.state for o in outcomes)
    return ", ".join(f"{counts[s]} {s if s != 'manual' else 'need a manual step'}" for s in STATES)
