"""Unchanging snapshots of source files, with sha256 and a provenance record beside them.

A snapshot lives in `<data_dir>/snapshots/<source>/` with the files and `provenance.json`
(source, url and mirror path per file, sha256, bytes, retrieved_at, how it was fetched).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sharppower.errors import ChecksumChanged, SharppowerError
from sharppower.settings import Settings
from sharppower.sources.base import Source

PROVENANCE = "provenance.json"


class SourceUnavailable(SharppowerError):
    """Neither the mirror nor the network could provide a file."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    source: str
    dir: Path
    files: dict[str, dict]  # name -> {url, mirror, sha256, bytes, retrieved_at, via}

    def path(self, name: str) -> Path:
        return self.dir / name

    @property
    def sha256(self) -> str:
        """One checksum for the whole snapshot (of the sorted file checksums)."""
        joined = "".join(f"{n}:{f['sha256']};" for n, f in sorted(self.files.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def retrieved_at(self) -> datetime:
        return max(datetime.fromisoformat(f["retrieved_at"]) for f in self.files.values())


def snapshot_dir(settings: Settings, source: Source) -> Path:
    return settings.snapshot_dir / source.name


def open_snapshot(settings: Settings, source: Source) -> Snapshot | None:
    """The stored snapshot of a source, or None when it was never pulled (or is incomplete)."""
    folder = snapshot_dir(settings, source)
    record = folder / PROVENANCE
    if not record.exists():
        return None
    files = json.loads(record.read_text("utf-8"))["files"]
    if any(f.name not in files or not (folder / f.name).exists() for f in source.files):
        return None
    return Snapshot(source.name, folder, files)


def _fetch(url: str, dest: Path) -> None:
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
            response.raise_for_status()
            with open(dest, "wb") as out:
                out.writelines(response.iter_bytes())
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"could not download {url}: {exc}") from exc


def validate_snapshot(source: Source, snapshot: Snapshot) -> None:
    """Parse a snapshot and check its values against the codebook, as a load would, storing
    nothing; an InputError names file, row and field. Sources without a parser pass."""
    if source.parse is None:
        return
    from sharppower.codebook import load_codebook
    from sharppower.countries import resolver
    from sharppower.sources.observations import observations_from_frame

    frame = source.parse(snapshot, resolver())
    # a source whose codebook indicators name no variable (a measure loads it) checks nothing more
    observations_from_frame(frame, load_codebook(), source.name)


def pull(settings: Settings, source: Source, update: bool = False) -> tuple[Snapshot, list[str]]:
    """Fetch every file of a source; returns the snapshot and the names of files that changed.

    Copies from the mirror when one is set, else downloads from the canonical URL.
    A file whose checksum differs from the stored snapshot is refused (ChecksumChanged)
    unless `update` is true; then the new files replace the old ones only once they parse
    and their values validate (`validate_snapshot`); otherwise nothing is replaced.
    """
    folder = snapshot_dir(settings, source)
    incoming = folder / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    old = open_snapshot(settings, source)
    now = datetime.now(UTC).isoformat()
    fetched: dict[str, dict] = {}
    try:
        for f in source.files:
            dest = incoming / f.name
            if settings.mirror is not None:
                mirror_file = settings.mirror / f.mirror
                if not mirror_file.exists():
                    raise SourceUnavailable(
                        f"{source.name}: {f.mirror} is not in the mirror {settings.mirror}"
                    )
                shutil.copyfile(mirror_file, dest)
                via = f"mirror:{f.mirror}"
            else:
                _fetch(f.url, dest)
                via = "download"
            fetched[f.name] = {
                "url": f.url,
                "mirror": f.mirror,
                "sha256": sha256_file(dest),
                "bytes": dest.stat().st_size,
                "retrieved_at": now,
                "via": via,
            }
        changed = [
            n for n, meta in fetched.items()
            if old is None or n not in old.files or old.files[n]["sha256"] != meta["sha256"]
        ]
        if old is not None and changed and not update:
            detail = ", ".join(
                f"{n} (stored {old.files[n]['sha256'][:12]}, new {fetched[n]['sha256'][:12]})"
                for n in changed if n in old.files
            )
            raise ChecksumChanged(
                f"{source.name}: the published file changed since the stored snapshot: {detail}. "
                "Run `sharppower pull --update` to replace the snapshot."
            )
        if old is not None and not changed:
            return old, []
        if old is not None:  # --update: the new files must parse and validate first
            validate_snapshot(source, Snapshot(source.name, incoming, fetched))
        for name in fetched:
            (incoming / name).replace(folder / name)
        (folder / PROVENANCE).write_text(
            json.dumps({"source": source.name, "files": fetched}, indent=2), "utf-8"
        )
        return Snapshot(source.name, folder, fetched), changed
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
