"""`pull` without a mirror: every source downloaded from a loopback server standing in for the
publishers (SHARPPOWER_URL_MAP sends https://host/path to http://127.0.0.1:port/host/path).

The server serves each file in its published format, made here from the mirror copy: a zip
holding the member, the xlsx as is, a workbook made from the mirror's CSV conversion where the
publisher serves a workbook. Faults: a 500 then success, a connection cut mid-file (resumed by
Range, or restarted when the server ignores Range), an HTML page instead of a CSV, a file over
the size limit, a changed file (refused without --update), a manual file (from --from DIR).
"""

from __future__ import annotations

import io
import sys
import threading
import zipfile
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from sharppower.cli import app, common
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.settings import Settings
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.download import Downloader, DownloadFailed, DownloadRefused, parse_url_map
from sharppower.sources.observations import observations_from_frame
from sharppower.sources.pull_all import pull_sources, pullable
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import SourceUnavailable, open_snapshot, pull, sha256_file

TYPES = {"csv": "text/plain; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "zip": "application/zip", "rds": "application/octet-stream",
         "rda": "application/octet-stream"}


@dataclass
class Route:
    body: bytes
    content_type: str
    faults: list[str] = field(default_factory=list)  # consumed one per request
    ranges: bool = True  # honours Range requests


class Publishers(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)

    @property
    def url_map(self) -> str:
        return f"https://=http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (a refused or cut download) is no error of the server's;
        anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def publish(self, url: str, body: bytes, content_type: str, **options) -> Route:
        route = Route(body, content_type, **options)
        parts = urlsplit(url)
        self.routes[f"/{parts.netloc}{parts.path}"] = route
        return route


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        server: Publishers = self.server  # type: ignore[assignment]
        path = urlsplit(self.path).path
        server.requests.append((path, self.headers.get("Range")))
        route = server.routes.get(path)
        if route is None:
            return self._send(404, b"not found", "text/plain")
        fault = route.faults.pop(0) if route.faults else ""
        if fault == "500":
            return self._send(500, b"busy", "text/plain")
        if fault == "html":
            return self._send(200, b"<!DOCTYPE html><html><body>Sign in</body></html>",
                              "text/html; charset=utf-8")
        body, status, start = route.body, 200, 0
        wanted = self.headers.get("Range")
        if wanted and route.ranges:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            body, status = body[start:], 206
        if fault == "cut":  # announce the whole file, send half, hang up
            self.send_response(status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        return self._send(status, body, route.content_type,
                          {"Content-Range": f"bytes {start}-{len(route.body) - 1}/{len(route.body)}"}
                          if status == 206 else {})

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a download refused as too large, say)


@pytest.fixture
def publishers():
    server = Publishers()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def workbook_from_csv(path: Path) -> bytes:
    """A workbook whose first sheet holds the CSV's cells as text (the published format of a
    file the mirror keeps as a CSV conversion)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([v if v != "" else None for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def is_conversion(f: SourceFile, mirror: Path) -> bool:
    """The publisher serves a workbook, the mirror keeps a CSV conversion of it."""
    return f.published_format == "xlsx" and (mirror / f.mirror).read_bytes()[:2] != b"PK"


def publish_all(server: Publishers, mirror: Path) -> None:
    """Every automatic file of every source, in its published format, made from the mirror."""
    archives: dict[str, dict[str, bytes]] = {}
    for source in SOURCES.values():
        for f in source.files:
            if f.manual or not f.url:
                continue
            data = (mirror / f.mirror).read_bytes()
            if f.member:
                archives.setdefault(f.url, {})[f.member] = data
            elif is_conversion(f, mirror):
                server.publish(f.url, workbook_from_csv(mirror / f.mirror), TYPES["xlsx"])
            else:
                server.publish(f.url, data, TYPES[f.published_format])
    for url, members in archives.items():
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("codebook.pdf", b"%PDF-1.4 not the data")
            for member, data in members.items():
                zf.writestr(f"release/{member}", data)
        server.publish(url, out.getvalue(), TYPES["zip"])


@pytest.fixture
def settings_for(tmp_path, publishers):
    def make(name: str, mirror: Path | None = None) -> Settings:
        return Settings(data_dir=tmp_path / name, database_url="sqlite://", mirror=mirror,
                        url_map=publishers.url_map)
    return make


def quick(server: Publishers | None, **options) -> tuple[Downloader, list[float]]:
    """A downloader to the loopback publishers that records its waits instead of sleeping."""
    waits: list[float] = []
    if server is not None:
        options.setdefault("url_map", parse_url_map(server.url_map))
    return Downloader(sleep=waits.append, retries=options.pop("retries", 3), **options), waits


def test_pull_every_source_from_the_publishers_matches_the_mirror(publishers, mirror, tmp_path,
                                                                   monkeypatch):
    publish_all(publishers, mirror)
    monkeypatch.delenv("SHARPPOWER_MIRROR", raising=False)
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "net"))
    monkeypatch.setenv("SHARPPOWER_URL_MAP", publishers.url_map)
    monkeypatch.setattr(common.console, "_width", 250)
    result = CliRunner().invoke(app, ["pull", "--jobs", "4"])
    assert result.exit_code == 0, result.output
    chosen = [s for s in SOURCES.values() if pullable(s)]
    assert f"pull: {len(chosen)} pulled, 0 unchanged, 0 failed, 0 need a manual step" in result.output

    by_mirror = Settings(data_dir=tmp_path / "mirror", database_url="sqlite://", mirror=mirror)
    outcomes = pull_sources(by_mirror, chosen, jobs=2)
    assert {o.state for o in outcomes} == {"pulled"}
    converted = set()
    for source in chosen:
        for f in source.files:
            net = tmp_path / "net/snapshots" / source.name / f.name
            if is_conversion(f, mirror):
                assert net.read_bytes()[:2] == b"PK"  # the workbook as published
                converted.add(source.name)
                continue
            assert sha256_file(net) == sha256_file(mirror / f.mirror), (source.name, f.name)
    # the zip members (COW's dyads and totals, V-Dem) came out of one download per archive
    cow_zip = urlsplit(SOURCES["cow-trade"].files[0].url).path
    assert sum(1 for p, _ in publishers.requests if p.endswith(cow_zip)) == 2  # cow-trade, imf-dots
    # where the publisher serves a workbook and the mirror its CSV, the connector reads both alike
    assert converted == {"aiddata-public-diplomacy", "coercion-cases", "confucius-institutes"}
    for name in sorted(converted):
        source = SOURCES[name]
        net_frame = source.parse(open_snapshot(Settings(
            data_dir=tmp_path / "net", database_url="sqlite://", mirror=None), source), resolver())
        mirror_frame = source.parse(open_snapshot(by_mirror, source), resolver())
        pd.testing.assert_frame_equal(net_frame.reset_index(drop=True),
                                      mirror_frame.reset_index(drop=True), check_dtype=False)
        # and so do the observations the default load step stores
        net_obs = observations_from_frame(net_frame, load_codebook(), name)
        pd.testing.assert_frame_equal(net_obs, observations_from_frame(mirror_frame,
                                                                       load_codebook(), name))
    assert len(observations_from_frame(SOURCES["aiddata-public-diplomacy"].parse(open_snapshot(
        by_mirror, SOURCES["aiddata-public-diplomacy"]), resolver()), load_codebook(),
        "aiddata-public-diplomacy")) > 100  # the comparison compared something


def _wgi(mirror: Path) -> tuple[Source, bytes]:
    source = SOURCES["wgi"]
    return source, (mirror / source.files[0].mirror).read_bytes()


def test_a_500_then_success_is_retried_with_backoff(publishers, mirror, settings_for):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"], faults=["500", "500"])
    downloader, waits = quick(publishers, backoff=0.5)
    snap, changed = pull(settings_for("a"), source, downloader=downloader)
    assert sha256_file(snap.path(source.files[0].name)) == sha256_file(mirror / source.files[0].mirror)
    assert waits == [0.5, 1.0] and changed == [source.files[0].name]


def test_a_server_that_keeps_failing_is_a_clear_error(publishers, mirror, settings_for):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"], faults=["500"] * 5)
    downloader, waits = quick(publishers, retries=2)
    with pytest.raises(SourceUnavailable, match=r"wgi: could not download https://raw\..* after "
                                                r"3 attempts: .* answered 500"):
        pull(settings_for("a"), source, downloader=downloader)
    assert len(waits) == 2 and not (settings_for("a").snapshot_dir / "wgi/provenance.json").exists()


def test_a_connection_cut_mid_file_is_resumed_with_range(publishers, mirror, settings_for):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"], faults=["cut"])
    seen: list[tuple[int, int | None]] = []
    downloader, _ = quick(publishers, progress=lambda url, done, total: seen.append((done, total)))
    snap, _ = pull(settings_for("a"), source, downloader=downloader)
    assert snap.path(source.files[0].name).read_bytes() == data
    ranges = [r for _, r in publishers.requests]
    assert ranges[0] is None and len(ranges) == 2
    assert 0 < int(ranges[1].removeprefix("bytes=").rstrip("-")) <= len(data) // 2  # what arrived
    assert seen[-1] == (len(data), len(data))  # progress reports the whole file at the end


def test_a_cut_file_restarts_when_the_server_ignores_range(publishers, mirror, settings_for, tmp_path):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"], faults=["cut"], ranges=False)
    downloader, _ = quick(publishers)
    info = downloader.fetch(source.files[0].url, tmp_path / "wgi.csv", "csv")
    assert (tmp_path / "wgi.csv").read_bytes() == data
    assert info["restarted"] == 1 and info["resumed"] == 0 and info["attempts"] == 2


def test_an_html_page_instead_of_a_csv_names_the_url(publishers, mirror, settings_for, tmp_path):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"], faults=["html"])
    downloader, waits = quick(publishers)
    with pytest.raises(SourceUnavailable) as caught:
        pull(settings_for("a"), source, downloader=downloader)
    assert source.files[0].url in str(caught.value) and "HTML page" in str(caught.value)
    assert waits == []  # an HTML page is not worth retrying
    # the same page served as text/plain is caught by its first bytes
    page = b"\n  <!DOCTYPE html>\n<html><head><title>Dataverse</title></head></html>"
    publishers.publish(source.files[0].url, page, "text/plain")
    with pytest.raises(DownloadRefused, match="HTML page"):
        downloader.fetch(source.files[0].url, tmp_path / "x.csv", "csv")
    # and a CSV where a workbook is due is not a workbook
    publishers.publish(source.files[0].url, data, "application/octet-stream")
    with pytest.raises(DownloadRefused, match="did not serve a xlsx file"):
        downloader.fetch(source.files[0].url, tmp_path / "x.xlsx", "xlsx")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.xlsx.part").exists()


def test_a_file_over_the_size_limit_is_refused(publishers, mirror, settings_for, tmp_path):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"])
    small = replace(source, files=(replace(source.files[0], max_bytes=1000),))
    downloader, _ = quick(publishers)
    with pytest.raises(SourceUnavailable, match=rf"{source.files[0].url} is {len(data):,} bytes, "
                                                r"over the limit of 1,000"):
        pull(settings_for("a"), small, downloader=downloader)
    assert not (settings_for("a").snapshot_dir / "wgi/wgi_estimates_wide_1996_2019.csv").exists()


def test_a_changed_file_is_refused_without_update(publishers, mirror, tmp_path, monkeypatch):
    source, data = _wgi(mirror)
    publishers.publish(source.files[0].url, data, TYPES["csv"])
    monkeypatch.delenv("SHARPPOWER_MIRROR", raising=False)
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHARPPOWER_URL_MAP", publishers.url_map)
    runner = CliRunner()
    first = runner.invoke(app, ["pull", "wgi"])
    assert first.exit_code == 0 and "wgi: updated" in first.output, first.output
    assert "1 pulled, 0 unchanged, 0 failed" in first.output
    again = runner.invoke(app, ["pull", "wgi"])
    assert "0 pulled, 1 unchanged" in again.output
    publishers.publish(source.files[0].url, data + b"ABW,Aruba,2020,,,,,,\n", TYPES["csv"])
    refused = runner.invoke(app, ["pull", "wgi"])
    assert refused.exit_code == 1
    assert "changed since the stored snapshot" in refused.output and "--update" in refused.output
    assert "0 pulled, 0 unchanged, 1 failed" in refused.output
    stored = tmp_path / "data/snapshots/wgi" / source.files[0].name
    assert stored.read_bytes() == data
    updated = runner.invoke(app, ["pull", "wgi", "--update"])
    assert updated.exit_code == 0 and stored.read_bytes().endswith(b"ABW,Aruba,2020,,,,,,\n")


def test_a_manual_file_comes_from_the_folder_the_user_names(mirror, settings_for, tmp_path):
    step = "register at https://www.globalsanctionsdatabase.com/ and download the release CSV"
    manual = Source(name="gsdb-test", title="GSDB", publisher="", homepage="", licence="",
                    citation="", files=(SourceFile("gsdb.csv", "", "wgi/wgi_estimates_wide_1996_2019.csv",
                                                   manual=True, manual_step=step),))
    conf = settings_for("a")
    [lacking] = pull_sources(conf, [manual])
    assert lacking.state == "manual" and step in lacking.detail and "--from" in lacking.detail
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "gsdb.csv").write_bytes((mirror / manual.files[0].mirror).read_bytes())
    [pulled] = pull_sources(conf, [manual], from_dir=folder)
    assert pulled.state == "pulled"
    assert sha256_file(conf.snapshot_dir / "gsdb-test/gsdb.csv") == sha256_file(folder / "gsdb.csv")


def test_an_unreachable_host_fails_after_retries(settings_for, tmp_path):
    downloader, waits = quick(None, retries=1, url_map=(("https://", "http://127.0.0.1:9/"),))
    with pytest.raises(DownloadFailed, match=r"could not download https://example.org/a.csv after 2"):
        downloader.fetch("https://example.org/a.csv", tmp_path / "a.csv", "csv")
    assert waits == [1.0]


def test_sources_list_and_pull_say_which_source_needs_a_manual_step(mirror, tmp_path, monkeypatch):
    step = "register at https://www.globalsanctionsdatabase.com/ and download the release CSV"
    manual = Source(name="gsdb-test", title="GSDB", publisher="", homepage="", licence="",
                    citation="", files=(SourceFile("gsdb.csv", "", "wgi/wgi_estimates_wide_1996_2019.csv",
                                                   manual=True, manual_step=step),))
    monkeypatch.setitem(SOURCES, "gsdb-test", manual)
    monkeypatch.delenv("SHARPPOWER_MIRROR", raising=False)
    monkeypatch.setenv("SHARPPOWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(common.console, "_width", 250)
    runner = CliRunner()
    listed = runner.invoke(app, ["sources", "list"])
    assert f"gsdb-test: gsdb.csv needs a manual step: {step}" in listed.output
    assert [line.split()[-1] for line in listed.output.splitlines() if line.startswith("gsdb-test ")] \
        == ["manual"]
    lacking = runner.invoke(app, ["pull", "gsdb-test"])
    assert lacking.exit_code == 0, lacking.output
    assert "0 pulled, 0 unchanged, 0 failed, 1 need a manual step" in lacking.output
    assert "pull --from DIR" in lacking.output and step in lacking.output
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "wgi_estimates_wide_1996_2019.csv").write_bytes((mirror / manual.files[0].mirror).read_bytes())
    pulled = runner.invoke(app, ["pull", "gsdb-test", "--from", str(folder)])
    assert pulled.exit_code == 0 and "1 pulled" in pulled.output, pulled.output
