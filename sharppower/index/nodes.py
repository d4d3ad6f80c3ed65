"""The index as pages show it: the hierarchy of the stored run, its nominal weights, and
the year shown by default.

The hierarchy is stored with each run (in its summary, `hierarchy`): one record per node,
indices first, then pillars, then domains, each with level, label and children (and the
parent pillar of a domain). Before any run is stored, the default spec's is used.
"""

from __future__ import annotations

from sharppower.errors import NotFound
from sharppower.index.spec import Spec, load_spec
from sharppower.index.store import latest_run, scores
from sharppower.store import Database


def _stored(db: Database | None) -> dict | None:
    if db is None:
        return None
    try:
        return latest_run(db)
    except NotFound:
        return None


def run_nodes(db: Database | None) -> list[dict]:
    """The nodes of the stored run (`Spec.nodes()` of the default spec when none is stored)."""
    stored = _stored(db)
    nodes = (stored or {}).get("summary", {}).get("hierarchy")
    return nodes if nodes else load_spec().nodes()


def nominal_weights(db: Database | None) -> dict[str, float]:
    """The explicit weights of the stored run's log (the default spec's when none)."""
    stored = _stored(db)
    log = stored["log"] if stored else load_spec().log()
    return {k: float(v) for k, v in (log.get("weight", {}).get("weights") or {}).items()}


def pick_year(counts: dict[int, int], min_ranked: int,
              stale: dict[int, float] | None = None, max_stale_share: float = 1.0) -> int | None:
    """The latest year ranking at least `min_ranked` targets (or, when no year reaches it,
    as many as the best-covered year) whose share of stale index inputs (`stale`: year ->
    mean share of a target's components carried past their source's end) is at most
    `max_stale_share`; when no year passes both, the coverage rule alone decides."""
    if not counts:
        return None
    enough = min(min_ranked, max(counts.values()))
    covered = [y for y, n in counts.items() if n >= enough]
    fresh = [y for y in covered if stale is None or stale.get(y, 0.0) <= max_stale_share]
    return max(fresh or covered)


def stale_shares(db: Database, actor: str, index: str | None = None) -> dict[int, float]:
    """Year -> mean over the ranked targets of the share of the index's components that
    are stale (carried past their source's end), from the stored run."""
    try:
        frame = scores(db, actor, level="index")
    except NotFound:
        return {}
    index = index or next((n["node"] for n in run_nodes(db) if n["level"] == "index"), None)
    return stale_by_year(frame[frame["node"] == index])


def stale_by_year(frame) -> dict[int, float]:
    """Year -> mean share of stale components, over the rows of one node (columns year,
    components, stale_components: stored scores or `index.detail.component_detail`)."""
    count = lambda text: len([p for p in str(text or "").split(";") if p])
    share = [count(s) / count(c) if count(c) else 0.0
             for s, c in zip(frame["stale_components"], frame["components"])]
    return {int(y): float(v) for y, v in
            frame.assign(share=share).groupby("year")["share"].mean().items()}


def ranked_counts(db: Database, actor: str, index: str | None = None) -> dict[int, int]:
    """Targets ranked per year in the stored run's index (`index`: default the first)."""
    try:
        frame = scores(db, actor, level="index")
    except NotFound:
        return {}
    index = index or next((n["node"] for n in run_nodes(db) if n["level"] == "index"), None)
    frame = frame[frame["node"] == index]
    return {int(y): int(n) for y, n in frame.groupby("year").size().items()}


def default_year(db: Database, actor: str, counts: dict[int, int] | None = None,
                 spec: Spec | None = None, stale: dict[int, float] | None = None) -> int | None:
    """The year a ranking of `actor` shows first (`pick_year` with the spec's
    display.min_ranked and display.max_stale_share: never a partial or mostly stale year
    by accident); `counts` (year -> targets ranked) and `stale` (year -> stale share,
    `stale_by_year`) default to the stored run's."""
    spec = spec or load_spec()
    counts = ranked_counts(db, actor) if counts is None else counts
    stale = stale_shares(db, actor) if stale is None else stale
    return pick_year(counts, spec.min_ranked, stale, spec.max_stale_share)
