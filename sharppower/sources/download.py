"""Downloading one published file: streamed, retried, resumed, size-limited, type-checked.

`Downloader.fetch(url, dest, fmt)` streams `url` into `dest` through httpx:
- retries with exponential backoff on a 5xx answer or a connection error (refused, reset,
  cut mid-file);
- resumes a partial file with a Range request, or restarts it when the server ignores Range;
- refuses a file over the size limit (declared per file, or `DEFAULT_MAX_BYTES`), naming the URL;
- refuses an HTML page where a data file was due (the Content-Type header, and the first bytes:
  `<!DOCTYPE html` / `<html`), and a non-zip where an xlsx or a zip was due;
- reports progress through a callback `(url, bytes_done, bytes_total_or_None)`.

`url_map` rewrites URL prefixes before fetching (setting SHARPPOWER_URL_MAP,
`https://=http://127.0.0.1:8123/` sends every https host to a local server under its host
name): the snapshot's provenance keeps the canonical URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sharppower.errors import SharppowerError

if TYPE_CHECKING:  # httpx loads when a download runs, not with the build's modules
    import httpx

DEFAULT_MAX_BYTES = 2 * 1024**3  # 2 GiB: above every published file a source declares
CHUNK = 1 << 16
Progress = Callable[[str, int, int | None], None]

ZIP_MAGIC = b"PK\x03\x04"
MAGIC: dict[str, tuple[bytes, ...]] = {
    "xlsx": (ZIP_MAGIC,),
    "zip": (ZIP_MAGIC,),
    "pdf": (b"%PDF",),
    # R's serialisation: gzip, bzip2 or xz compressed, or plain (RDX/X for .rda, X/A/B for .rds)
    "rds": (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"X\n", b"A\n", b"B\n"),
    "rda": (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RDX", b"RDA", b"RDB"),
}


class DownloadFailed(SharppowerError):
    """A file could not be downloaded (after retries); the message names the URL."""


class DownloadRefused(DownloadFailed):
    """The server answered with something that is not the file: too large, or of the wrong type."""


def parse_url_map(text: str | None) -> tuple[tuple[str, str], ...]:
    """`prefix=replacement` pairs separated by commas or whitespace (SHARPPOWER_URL_MAP)."""
    pairs = []
    for item in (text or "").replace(",", " ").split():
        prefix, sep, replacement = item.partition("=")
        if not sep or not prefix or not replacement:
            raise SharppowerError(f"SHARPPOWER_URL_MAP: {item!r} is not prefix=replacement")
        pairs.append((prefix, replacement))
    return tuple(pairs)


def looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html")) or (
        start.startswith(b"<") and b"<html" in start[:2048])


def check_content(url: str, fmt: str, content_type: str, head: bytes) -> None:
    """Refuse an HTML page, or bytes that are not the declared format (DownloadRefused)."""
    mime = content_type.split(";")[0].strip().lower()
    if fmt not in ("html",) and (mime in ("text/html", "application/xhtml+xml")
                                 or looks_like_html(head)):
        raise DownloadRefused(f"{url} served an HTML page (Content-Type {mime or 'none'}) where "
                              f"a {fmt} file was expected: the URL may point at a landing page, "
                              "a login form or an error page")
    magic = MAGIC.get(fmt)
    if magic and head and not head.startswith(magic):
        raise DownloadRefused(f"{url} did not serve a {fmt} file (it starts with {head[:8]!r})")
    if fmt in ("json", "geojson") and head and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        raise DownloadRefused(f"{url} did not serve JSON (it starts with {head[:8]!r})")


@dataclass
class Downloader:
    """How files are fetched: retries, backoff, the URL rewrite, a progress callback.

    `client` is an httpx.Client (one is made per fetch when None); `sleep` waits between
    attempts (tests pass a fake)."""

    retries: int = 4
    backoff: float = 1.0
    timeout: float = 60.0
    url_map: tuple[tuple[str, str], ...] = ()
    progress: Progress | None = None
    client: httpx.Client | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)

    def rewrite(self, url: str) -> str:
        for prefix, replacement in self.url_map:
            if url.startswith(prefix):
                return replacement + url[len(prefix):]
        return url

    def fetch(self, url: str, dest: Path, fmt: str, max_bytes: int = 0) -> dict:
        """Download `url` to `dest`; returns {attempts, resumed, restarted, content_type}.

        A partial file is kept as `dest.part` between attempts (and resumed from there)."""
        limit = max_bytes or DEFAULT_MAX_BYTES
        import httpx

        target = self.rewrite(url)
        part = dest.with_name(dest.name + ".part")
        info = {"attempts": 0, "resumed": 0, "restarted": 0, "content_type": ""}
        client = self.client or httpx.Client(follow_redirects=True, timeout=self.timeout)
        try:
            for attempt in range(self.retries + 1):
                info["attempts"] = attempt + 1
                try:
                    if self._attempt(client, url, target, part, fmt, limit, info):
                        part.replace(dest)
                        return info
                    reason = "the connection closed before the whole file arrived"
                except DownloadRefused:
                    part.unlink(missing_ok=True)
                    raise
                except _ServerError as exc:
                    reason = str(exc)
                except httpx.TransportError as exc:
                    reason = f"{type(exc).__name__}: {exc}"
                if attempt < self.retries:
                    self.sleep(self.backoff * 2 ** attempt)
            part.unlink(missing_ok=True)
            raise DownloadFailed(f"could not download {url} after {self.retries + 1} attempts: "
                                 f"{reason}")
        finally:
            if self.client is None:
                client.close()

    def _attempt(self, client: httpx.Client, url: str, target: str, part: Path, fmt: str,
                 limit: int, info: dict) -> bool:
        """One request; True when the whole file is in `part`."""
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with client.stream("GET", target, headers=headers) as response:
            status = response.status_code
            if status == 416 and have:  # nothing left to send: the part is the whole file
                return True
            if status >= 500:
                raise _ServerError(f"{url} answered {status} {response.reason_phrase}")
            if status >= 400:
                raise DownloadFailed(f"{url} answered {status} {response.reason_phrase}")
            content_type = response.headers.get("content-type", "")
            info["content_type"] = content_type
            length = response.headers.get("content-length")
            if status == 206 and have:
                info["resumed"] += 1
                mode, done = "ab", have
            else:
                if have:
                    info["restarted"] += 1  # the server ignored Range: start again
                mode, done = "wb", 0
            total = done + int(length) if length is not None and length.isdigit() else None
            if total is not None and total > limit:
                raise DownloadRefused(f"{url} is {total:,} bytes, over the limit of {limit:,} "
                                      "(declare max_bytes on its SourceFile to allow it)")
            checked = done > 0  # a resumed file's first bytes were checked before
            with open(part, mode) as out:
                for chunk in response.iter_bytes(CHUNK):
                    if not checked:
                        check_content(url, fmt, content_type, chunk[:4096])
                        checked = True
                    done += len(chunk)
                    if done > limit:
                        raise DownloadRefused(f"{url} is over the limit of {limit:,} bytes "
                                              "(declare max_bytes on its SourceFile to allow it)")
                    out.write(chunk)
                    if self.progress is not None:
                        self.progress(url, done, total)
            if not checked:
                check_content(url, fmt, content_type, b"")
            return total is None or done >= total


class _ServerError(Exception):
    """A 5xx answer: worth another attempt."""
