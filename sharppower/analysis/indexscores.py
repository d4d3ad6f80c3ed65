"""Index-engine scores as measure frames: ``index:<level>:<name>``.

`level` is ``index``, ``pillar`` or ``domain``; `name` the index (``influence``), pillar or
domain code. The score comes from ``sharppower.index.scores(db, actor, year, level)``;
score intervals (``score_low``/``score_high``) and rank intervals (``rank_low``/
``rank_high``, rank 1 = highest score) are passed through. When the engine has no run
(or is not installed) the frame is empty and the analyses report the input as missing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sharppower.analysis.common import empty_measure, tidy, year_list
from sharppower.store import Database

LEVELS = ("index", "pillar", "domain")
RENAMES = {"score": "value", "score_low": "ci_low", "score_high": "ci_high", "score_se": "se"}
NAME_COLUMNS = ("name", "code", "node", "pillar", "domain", "index")


def parse(name: str) -> tuple[str, str]:
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != "index" or parts[1] not in LEVELS:
        raise ValueError(f"index measure {name!r}: expected index:<{'|'.join(LEVELS)}>:<name>")
    return parts[1], parts[2]


def index_measure(db: Database, actor: str, name: str, years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Scores of one index node for `actor` as a measure frame (see the module doc)."""
    level, node = parse(name)
    try:
        from sharppower.index import scores
    except ImportError:
        return empty_measure()
    frames = []
    for year in year_list(years) or [None]:
        try:
            frame = scores(db, actor, year, level)
        except Exception:  # noqa: BLE001 - no run yet, no such year: the input is missing
            continue
        frames.append(_select(frame, node, year))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_measure()
    return tidy(pd.concat(frames, ignore_index=True).rename(columns=RENAMES))


def _select(frame: pd.DataFrame, node: str, year: int | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame()
    out = frame.copy()
    for col in NAME_COLUMNS:
        if col in out.columns and (out[col] == node).any():
            out = out[out[col] == node]
            break
    if "year" not in out.columns:
        out["year"] = year
    return out
