"""`--engine local`: one machine, all cores (multiprocessing).

The wire corpus is read and indexed once in the parent. The local corpus is matched in
jobs: with several workers, a plain file is cut at line ends into pieces that each
worker reads itself (the parent only counts the lines before each piece, for the line
numbers of errors); otherwise (one process, or a gzip file) the parent reads the lines
and matches or sends them in chunks. Where the platform
forks, the workers are forked after the index is built, so they share it and the
compiled kernels at no cost; elsewhere they are spawned and receive the index once.
Memory grows with the wire corpus, the matches and the local ids, not the local texts.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from sharppower import forking
from sharppower.errors import InputError
from sharppower.measures.media.attribution import Rules, load_rules
from sharppower.measures.media.corpus import (
    check_unique,
    is_gzip,
    iter_lines,
    line_pieces,
    parse_lines,
    piece_lines,
    read_corpus,
)
from sharppower.measures.media.matcher import (
    MATCH_COLUMNS,
    WireIndex,
    build_wire_index,
    match_frame,
    sort_matches,
)
from sharppower.measures.media.params import MatchParams

CHUNK_LINES = 4000             # lines per job read by the parent
CHUNK_BYTES = 8 * 2**20        # bytes per piece of a plain corpus (at most)
MIN_CHUNK_BYTES = 2**20        # (at least, unless the file is smaller)
BYTES_PER_WORKER = 5 * 2**20   # a worker per this much local corpus, up to every core
_INDEX: WireIndex | None = None


@dataclass
class MatchResult:
    matches: pd.DataFrame
    wire_articles: int = 0
    local_articles: int = 0
    skipped: list[str] = field(default_factory=list)


def _init(index: WireIndex) -> None:
    global _INDEX
    _INDEX = index


def _work(job: tuple[str, str, str, object]) -> tuple:
    """One job: ("lines", [(number, line), ...]) or ("piece", (start, end, first line)).
    An InputError comes back as its parts (it does not survive pickling itself)."""
    file, on_error, kind, payload = job
    try:
        lines = payload if kind == "lines" else piece_lines(file, payload)
        local, skipped = parse_lines(lines, file, on_error)
    except InputError as exc:
        return None, None, (exc.file, exc.detail, exc.row, exc.field)
    return match_frame(_INDEX, local), local[["id", "line"]], skipped


def _jobs(path: Path, on_error: str, workers: int) -> Iterator[tuple]:
    file = str(path)
    if workers == 1 or is_gzip(path):
        lines = iter_lines(path)
        while chunk := list(islice(lines, CHUNK_LINES)):
            yield file, on_error, "lines", chunk
        return
    # a few pieces per worker, so that a slow piece does not leave a core idle
    size = min(CHUNK_BYTES, max(MIN_CHUNK_BYTES, path.stat().st_size // (4 * workers) + 1))
    for piece in line_pieces(path, size):
        yield file, on_error, "piece", piece


def idle_cores() -> int:
    """Cores not busy right now, at least one: every core less the other processes
    running at this instant (Linux: /proc/loadavg's count of runnable tasks, this one
    included); elsewhere less the load average of the last minute. The minute's average
    still counts, for a minute, a process that has ended (such as the previous run of a
    benchmark), and would leave an idle core unused."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            busy = int(f.read().split()[3].split("/")[0]) - 1
    except (OSError, IndexError, ValueError):
        try:
            busy = round(os.getloadavg()[0])
        except OSError:
            busy = 0
    return max(1, forking.cores() - max(0, busy))


def default_workers(local_path: str | Path) -> int:
    """One process per BYTES_PER_WORKER of local corpus, up to every idle core: below
    that, the work a second process takes over does not repay starting it and collecting
    its results (measured on 2 cores: 10,000 synthetic articles, 21 MB, take 0.41-0.44 s
    in two processes and 0.53-0.56 s in one; 2,500, 5 MB, 0.18 s and 0.17 s), and on a
    busy core it only adds switching."""
    return max(1, min(idle_cores(), Path(local_path).stat().st_size // BYTES_PER_WORKER))


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def match_local(wire_path: str | Path, local_path: str | Path, params: MatchParams | None = None,
                rules: Rules | None = None, on_error: str = "fail",
                workers: int | None = None) -> MatchResult:
    """Match a local corpus against a wire corpus; every match, sorted by local and wire id."""
    params, rules = params or MatchParams(), rules or load_rules()
    wire, skipped = read_corpus(wire_path, on_error, country_required=False)
    index = build_wire_index(wire, params, rules)
    workers = workers or default_workers(local_path)
    jobs = _jobs(Path(local_path), on_error, workers)
    if workers == 1:
        _init(index)
        return _collect(map(_work, jobs), len(wire), skipped, str(local_path))
    if len(wire):
        index.record(0)  # the wire records, made once here for every worker
    gc.freeze()  # the parent's objects stay untouched by the workers' collections (no copy)
    try:
        pool = _context().Pool(workers, initializer=_init, initargs=(index,))
    finally:
        gc.unfreeze()
    with pool:
        return _collect(pool.imap(_work, jobs), len(wire), skipped, str(local_path))


def _collect(results, n_wire: int, skipped: list[str], file: str) -> MatchResult:
    parts, ids = [], []
    for matches, seen, more in results:
        if matches is None:
            file_, detail, row, field_ = more
            raise InputError(file_, detail, row=row, field=field_)
        parts.append(matches)
        ids.append(seen)
        skipped = skipped + more
    all_ids = pd.concat(ids, ignore_index=True) if ids else pd.DataFrame(columns=["id", "line"])
    check_unique(all_ids, file)
    if not len(all_ids):
        raise InputError(file, "no article in the local corpus")
    parts = [p for p in parts if len(p)]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=MATCH_COLUMNS)
    return MatchResult(sort_matches(frame), n_wire, len(all_ids), skipped)
