"""Unchanging snapshots of source files, with sha256 and a provenance record beside them.

A snapshot lives in `<data_dir>/snapshots/<source>/` with the files and `provenance.json`
(source, url and mirror path per file, sha256, bytes, retrieved_at, how it was fetched: `via`
is `mirror:<path>`, `download` (with the archive's sha256 and member when the file came out of
a zip) or `manual:<path>` for a file the user downloaded and named with `pull --from DIR`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sharppower.errors import ChecksumChanged, SharppowerError
from sharppower.settings import Settings
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.download import Downloader, DownloadFailed, parse_url_map

PROVENANCE = "provenance.json"


class SourceUnavailable(SharppowerError):
    """Neither the mirror nor the network could provide a file."""


class ManualStepNeeded(SourceUnavailable):
    """A file the publisher offers only interactively is not in the folder given to `pull --from`."""


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


def downloader_for(settings: Settings, **options: object) -> Downloader:
    """A Downloader with the settings' URL rewrite (SHARPPOWER_URL_MAP)."""
    return Downloader(url_map=parse_url_map(settings.url_map), **options)  # type: ignore[arg-type]


def manual_candidates(f: SourceFile, folder: Path) -> list[Path]:
    """Where `pull --from DIR` looks for a manual file: its snapshot name, its mirror base name."""
    return [folder / f.name, folder / Path(f.mirror).name]


def _extract(archive: Path, member: str, dest: Path, url: str) -> None:
    """Copy the member (matched by base name) out of a zip archive."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if Path(n).name == member]
            if not names:
                raise SourceUnavailable(f"{url}: the archive has no member {member!r} "
                                        f"(it holds {', '.join(zf.namelist()[:10])})")
            with zf.open(names[0]) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
    except zipfile.BadZipFile as exc:
        raise SourceUnavailable(f"{url}: not a readable zip archive ({exc})") from exc


def _download(f: SourceFile, dest: Path, incoming: Path, downloader: Downloader,
              archives: dict[str, Path]) -> dict:
    """Download one file (an archive once per URL) into `dest`; returns provenance extras."""
    if not f.member:
        downloader.fetch(f.url, dest, f.published_format, f.max_bytes)
        return {"via": "download"}
    if f.url not in archives:
        archive = incoming / f".archive-{hashlib.sha256(f.url.encode()).hexdigest()[:16]}"
        downloader.fetch(f.url, archive, "zip", f.max_bytes)
        archives[f.url] = archive
    _extract(archives[f.url], f.member, dest, f.url)
    return {"via": "download", "member": f.member, "archive_sha256": sha256_file(archives[f.url])}


def _obtain(settings: Settings, source: Source, f: SourceFile, dest: Path, incoming: Path,
            downloader: Downloader, from_dir: Path | None, archives: dict[str, Path]) -> dict:
    if settings.mirror is not None:
        mirror_file = settings.mirror / f.mirror
        if not mirror_file.exists():
            raise SourceUnavailable(f"{source.name}: {f.mirror} is not in the mirror {settings.mirror}")
        shutil.copyfile(mirror_file, dest)
        return {"via": f"mirror:{f.mirror}"}
    if f.manual:
        found = next((p for p in manual_candidates(f, from_dir) if p.is_file()), None) \
            if from_dir is not None else None
        if found is None:
            where = f"in {from_dir}" if from_dir is not None else "(no --from DIR given)"
            raise ManualStepNeeded(f"{source.name}: {f.name} is not {where}; it needs a manual "
                                   f"step: {f.manual_step}")
        shutil.copyfile(found, dest)
        return {"via": f"manual:{found}"}
    try:
        return _download(f, dest, incoming, downloader, archives)
    except DownloadFailed as exc:
        raise SourceUnavailable(f"{source.name}: {exc}") from exc


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


def pull(settings: Settings, source: Source, update: bool = False,
         downloader: Downloader | None = None,
         from_dir: Path | None = None) -> tuple[Snapshot, list[str]]:
    """Fetch every file of a source; returns the snapshot and the names of files that changed.

    Copies from the mirror when one is set, else downloads from the published URL (through
    `downloader`: retries, resume, size and type checks; a zip's `member` is extracted), and
    takes a `manual` file from `from_dir` (ManualStepNeeded when it is not there).
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
    downloader = downloader or downloader_for(settings)
    archives: dict[str, Path] = {}
    try:
        for f in source.files:
            dest = incoming / f.name
            how = _obtain(settings, source, f, dest, incoming, downloader, from_dir, archives)
            fetched[f.name] = {
                "url": f.url,
                "mirror": f.mirror,
                "sha256": sha256_file(dest),
                "bytes": dest.stat().st_size,
                "retrieved_at": now,
                **how,
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
