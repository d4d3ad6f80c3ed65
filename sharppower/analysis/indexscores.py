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
from sharppower.index.store import latest_run, scores, screening
from sharppower.store import Database

LEVELS = ("index", "pillar", "domain")
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
        frame = level_scores(db, actor, level)
    except NotFound:  # no index run stored yet
        return empty_measure()
    frame = frame[frame["node"] == node]
    if wanted is not None:
        frame = frame[frame["year"].isin(wanted)]
    if frame.empty:
        return empty_measure()
    return tidy(frame.rename(columns=RENAMES).assign(source=f"index:{level}"))


def not_scored(db: Database) -> dict[tuple[str, str, str, int], str]:
    """Why a target has no score at a pillar or index in a year: (actor, node, target,
    year) -> the screening reason of the stored run (for example "coverage 67% < 100%
    (pillars of influence present in the cross-section)"); empty before any run."""
    try:
        frame = screening(db)
    except NotFound:
        return {}
    frame = frame[frame["kind"] == "unit"]
    return {(a, n, t, int(y)): r for a, n, t, y, r in zip(
        frame["actor"], frame["node"], frame["item"], frame["year"], frame["reason"])}
