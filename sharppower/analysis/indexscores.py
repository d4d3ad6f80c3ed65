"""Index-engine scores as measure frames: ``index:<level>:<name>``.

`level` is ``index``, ``pillar`` or ``domain``; `name` the index (``influence``), pillar or
domain code (the engine's `node`). The score comes from the stored run,
``sharppower.index.scores(db, actor, year, level)``: value = score, rank (1 = highest in the
actor x year), rank_low / rank_high (the engine's 5th-95th percentile Monte Carlo rank
interval, widened to hold the nominal rank); ci_low / ci_high are the engine's 95% score
interval (score_low / score_high; NaN for runs stored before influence v2). When
the store holds no run the frame is empty and the analyses report the input as missing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sharppower.analysis.frames import empty_measure, tidy, year_list
from sharppower.errors import NotFound
from sharppower.index.names import component_name
from sharppower.index.nodes import run_nodes
from sharppower.index.store import latest_run, scores, screening
from sharppower.store import Database

LEVELS = ("index", "pillar", "domain")
FEW_YEARS = 3  # a measure of this many years or fewer reads only their rows (a page's year)
RENAMES = {"score": "value", "score_low": "ci_low", "score_high": "ci_high", "score_se": "se"}


def parse(name: str) -> tuple[str, str]:
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != "index" or parts[1] not in LEVELS:
        raise ValueError(f"index measure {name!r}: expected index:<{'|'.join(LEVELS)}>:<name>")
    return parts[1], parts[2]


_CACHE: dict[tuple, pd.DataFrame] = {}


def level_scores(db: Database, actor: str, level: str) -> pd.DataFrame:
    """All stored scores of one actor and level, read once per stored run (a page asks for
    every node of a level in turn; each index run has a new id, so nothing goes stale).
    Raises NotFound before any run is stored."""
    key = (db.url, db.schema, int(latest_run(db)["id"]), actor, level)
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = scores(db, actor, None, level)
    return _CACHE[key]


def index_measure(db: Database, actor: str, name: str, years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Scores of one index node for `actor` as a measure frame (see the module doc)."""
    level, node = parse(name)
    wanted = year_list(years)
    try:
        if wanted is not None and len(wanted) <= FEW_YEARS:  # one query each, the node's rows
            parts = [scores(db, actor, y, level, node=node) for y in wanted]
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        else:
            frame = level_scores(db, actor, level)
    except NotFound:  # no index run stored yet
        return empty_measure()
    frame = frame[frame["node"] == node]
    if wanted is not None:
        frame = frame[frame["year"].isin(wanted)]
    if frame.empty:
        return empty_measure()
    return tidy(frame.rename(columns=RENAMES).assign(source=f"index:{level}"))


def not_scored(db: Database, year: int | None = None) -> dict[tuple[str, str, str, int], str]:
    """Why a target has no score at a pillar or index in a year, in words a reader
    understands (`plain_reason`): (actor, node, target, year) -> for example "data on only
    67% of the pillars it combines (Exposure, Pressure, Effect) that any target has data on
    this year; a score needs all of them, so that every target in the ranking rests on the
    same pillars"; empty before any run; `year`: that year's only."""
    try:
        frame = screening(db, year=year)  # `year`: one year's only (a page showing it)
    except NotFound:
        return {}
    frame = frame[frame["kind"] == "unit"]
    nodes = {n["node"]: n for n in run_nodes(db)}
    return {(a, n, t, int(y)): plain_reason(nodes.get(n, {}), c, thr)
            for a, n, t, y, c, thr in zip(frame["actor"], frame["node"], frame["item"],
                                          frame["year"], frame["coverage"], frame["threshold"])}


def plain_reason(node: dict, coverage: float, threshold: float) -> str:
    """The screening's "coverage 67% < 100% (...)" in words: the share of the parts a score
    combines (`node`: a `Spec.nodes()` entry, its children; of those present in the
    actor-year) the target has data on, and the share a score needs."""
    parts = [_label(c) for c in node.get("children", [])]
    kind = "pillars" if node.get("level") == "index" else "domains"
    if not parts:
        return (f"data on {coverage:.0%} of its parts; a score needs at least "
                f"{threshold:.0%}")
    need = "all of them" if threshold >= 1 else f"at least {threshold:.0%} of them"
    return (f"data on only {coverage:.0%} of the {kind} it combines ({', '.join(parts)}) "
            f"that any target has data on this year; a score needs {need}, so that every "
            f"target in the ranking rests on the same {kind}")


def _label(code: str) -> str:
    """The spec's label of a pillar or domain (`index.names.component_name`, computed once
    per codebook: `load_spec` copies the whole spec per call)."""
    return component_name(code)
