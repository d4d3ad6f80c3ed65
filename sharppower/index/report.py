"""What the `index show` and `index sensitivity` commands print, as plain data."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sharppower.errors import NotFound
from sharppower.index.build import fingerprint
from sharppower.index.reading import reading, tie_counts
from sharppower.index.run import run_index
from sharppower.index.spec import load_spec
from sharppower.index.store import latest_run, save_sensitivity, scores, screening
from sharppower.index.uncertainty import sensitivity
from sharppower.store import Database

FIELDS = ("score", "score_low", "score_high", "rank", "rank_low", "rank_high", "rank_median",
          "n_ranked", "coverage")


def _clean(value: Any) -> Any:
    return None if pd.isna(value) else (int(value) if isinstance(value, float)
                                        and value.is_integer() else value)


def _fields(row: dict) -> dict[str, Any]:
    return {k: _clean(row.get(k)) for k in FIELDS}


def target_report(db: Database, actor: str, year: int, level: str = "index",
                  node: str | None = None) -> list[dict[str, Any]]:
    """Per target (and node of the chosen level): target, node, score, its 95% interval
    (score_low, score_high), rank, rank_low, rank_high, rank_median, n_ranked, coverage,
    `tied` (how many other targets share its score at the node) and `said` (how the score,
    its interval and rank are said, `index.reading.reading`), and the target's `pillars`
    and `domains` (each node: the FIELDS). Sorted by node and rank."""
    frame = scores(db, actor, year, level=None)
    if frame.empty:
        raise NotFound(f"no index score for actor {actor} in {year}")
    chosen = frame[frame["level"] == level]
    if node:
        chosen = chosen[chosen["node"] == node]
        if chosen.empty:
            raise NotFound(f"no {level} named {node!r} has scores for {actor} in {year}")
    by_target = {t: g for t, g in frame.groupby("target")}
    chosen = chosen.assign(tied=tie_counts(chosen, "score", ("node",)))
    out = []
    for row in chosen.to_dict("records"):
        mine = by_target[row["target"]]
        nested = {lv: {r["node"]: _fields(r) for r in mine[mine["level"] == lv].to_dict("records")}
                  for lv in ("pillar", "domain")}
        out.append({"target": row["target"], "actor": actor, "year": int(year), "level": level,
                    "node": row["node"], **_fields(row), "tied": int(row["tied"]),
                    "said": reading(row["score"], row.get("score_low"), row.get("score_high"),
                                    row["rank"], row.get("rank_low"), row.get("rank_high"),
                                    int(row["tied"]), row.get("n_ranked")),
                    "pillars": nested["pillar"],
                    "domains": nested["domain"]})
    return out


def left_out(db: Database, actor: str, year: int, level: str = "index",
             node: str | None = None) -> pd.DataFrame:
    """Targets screening left out of the chosen rankings (a pillar or index: domains are
    not screened per target): node, target, coverage, threshold, reason; sorted."""
    frame = screening(db)
    frame = frame[(frame["actor"] == actor) & (frame["year"] == year) & (frame["kind"] == "unit")]
    nodes = {node} if node else set(scores(db, actor, year, level=level)["node"])
    frame = frame[frame["node"].isin(nodes)]
    out = frame.rename(columns={"item": "target"})[["node", "target", "coverage", "threshold",
                                                     "reason"]]
    return out.sort_values(["node", "target"]).reset_index(drop=True)


def sensitivity_report(db: Database, runs: int, spec_path: str | None = None,
                       seed: int | None = None, actor: str | None = None) -> pd.DataFrame:
    """Recompute the stored spec's run on the store and its sensitivity indices with
    `runs` base samples; stored with the stored run when it was built from the same spec
    and the same observations."""
    spec = load_spec(spec_path)
    run = run_index(db, spec, actor=actor)
    table = sensitivity(run, runs, seed)
    try:
        stored = latest_run(db, spec.name)
    except NotFound:
        stored = None
    same = stored is not None and stored["fingerprint"] == fingerprint(db, spec)
    if same and actor is None:
        save_sensitivity(db, int(stored["id"]), table)
    return table
