"""`--engine local`: one machine, all cores (multiprocessing).

The wire corpus is read and indexed once in the parent; the local corpus is streamed in
chunks of lines, each parsed and matched by a worker process. Workers are spawned, not
forked (rensa's thread pool does not survive a fork) and receive the wire index once, when
they start. Memory grows with the wire corpus and the matches, not the local corpus.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from sharppower.errors import InputError
from sharppower.measures.media.attribution import Rules, load_rules
from sharppower.measures.media.corpus import check_unique, iter_lines, parse_lines, read_corpus
from sharppower.measures.media.matcher import (
    MATCH_COLUMNS,
    WireIndex,
    build_wire_index,
    match_frame,
    sort_matches,
)
from sharppower.measures.media.params import MatchParams

CHUNK_LINES = 4000
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


def _work(job: tuple[str, str, list[tuple[int, str]]]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    file, on_error, lines = job
    local, skipped = parse_lines(lines, file, on_error)
    return match_frame(_INDEX, local), local[["id", "line"]], skipped


def _chunks(path: Path, file: str, on_error: str) -> Iterator[tuple[str, str, list]]:
    lines = iter_lines(path)
    while chunk := list(islice(lines, CHUNK_LINES)):
        yield file, on_error, chunk


BYTES_PER_WORKER = 128 * 2**20


def default_workers(local_path: str | Path) -> int:
    """One process per 128 MB of local corpus, up to every core: starting a process and
    shipping it the wire index costs seconds, which a small corpus does not repay."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, Path(local_path).stat().st_size // BYTES_PER_WORKER))


def match_local(wire_path: str | Path, local_path: str | Path, params: MatchParams | None = None,
                rules: Rules | None = None, on_error: str = "fail",
                workers: int | None = None) -> MatchResult:
    """Match a local corpus against a wire corpus; every match, sorted by local and wire id."""
    params, rules = params or MatchParams(), rules or load_rules()
    wire, skipped = read_corpus(wire_path, on_error, country_required=False)
    index = build_wire_index(wire, params, rules)
    jobs = _chunks(Path(local_path), str(local_path), on_error)
    workers = workers or default_workers(local_path)
    if workers == 1:
        _init(index)
        results = map(_work, jobs)
        return _collect(results, len(wire), skipped, str(local_path))
    with mp.get_context("spawn").Pool(workers, initializer=_init, initargs=(index,)) as pool:
        return _collect(pool.imap(_work, jobs), len(wire), skipped, str(local_path))


def _collect(results, n_wire: int, skipped: list[str], file: str) -> MatchResult:
    parts, ids = [], []
    for matches, seen, more in results:
        parts.append(matches)
        ids.append(seen)
        skipped = skipped + more
    all_ids = pd.concat(ids, ignore_index=True) if ids else pd.DataFrame(columns=["id", "line"])
    check_unique(all_ids, file)
    if not len(all_ids):
        raise InputError(file, "no article in the local corpus")
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=MATCH_COLUMNS)
    return MatchResult(sort_matches(frame), n_wire, len(all_ids), skipped)
