"""The index as pages show it: the hierarchy of the stored run, its nominal weights, and
the year shown by default (`default_year`: the one rule every page and command uses).

The hierarchy is stored with each run (in its summary, `hierarchy`): one record per node,
indices first, then pillars, then domains, each with level, label and children (and the
parent pillar of a domain). Before any run is stored, the default spec's is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _node_scores(db: Database, actor: str, node: str | None):
    """The stored run's scores of `actor` at `node` (default: the first index), or None."""
    nodes = run_nodes(db)
    node = node or next((n["node"] for n in nodes if n["level"] == "index"), None)
    level = next((n["level"] for n in nodes if n["node"] == node), "index")
    try:
        frame = scores(db, actor, level=level)
    except NotFound:
        return None
    return frame[frame["node"] == node]


def stale_shares(db: Database, actor: str, node: str | None = None) -> dict[int, float]:
    """Year -> mean over the ranked targets of the share of the node's components that
    are stale (carried past their source's end), from the stored run (`node`: default the
    index)."""
    frame = _node_scores(db, actor, node)
    return {} if frame is None or frame.empty else stale_by_year(frame)


def stale_by_year(frame) -> dict[int, float]:
    """Year -> mean share of stale components, over the rows of one node (columns year,
    components, stale_components: stored scores or `index.detail.component_detail`)."""
    count = lambda text: len([p for p in str(text or "").split(";") if p])
    share = [count(s) / count(c) if count(c) else 0.0
             for s, c in zip(frame["stale_components"], frame["components"])]
    return {int(y): float(v) for y, v in
            frame.assign(share=share).groupby("year")["share"].mean().items()}


def ranked_counts(db: Database, actor: str, node: str | None = None) -> dict[int, int]:
    """Targets ranked per year at `node` (default: the index) in the stored run."""
    frame = _node_scores(db, actor, node)
    if frame is None:
        return {}
    return {int(y): int(n) for y, n in frame.groupby("year").size().items()}


@dataclass(frozen=True)
class YearChoice:
    """A year shown and why. `rule`: "asked" (the year asked for), "index" (the actor's
    index year), "before" / "after" (the offered year nearest the index year, which the
    page cannot show), "coverage" (no stored run scores the actor: the coverage rule on
    what the page offers), "none" (nothing to show). `index_year`, `counts` (year ->
    targets ranked) and `stale` (year -> stale share) are the stored run's, to explain."""

    year: int | None
    rule: str
    index_year: int | None = None
    counts: dict[int, int] = field(default_factory=dict)
    stale: dict[int, float] = field(default_factory=dict)


def choose_year(db: Database, actor: str, year: int | None = None,
                offered: dict[int, int] | None = None, node: str | None = None,
                spec: Spec | None = None, offered_stale: dict[int, float] | None = None
                ) -> YearChoice:
    """The year shown for `actor`, and which rule chose it: `year` when asked, else
    `default_year`'s rule (see there; `offered_stale`: year -> stale share of what the
    page offers, when it ranks with the index engine itself)."""
    spec = spec or load_spec()
    counts, stale = ranked_counts(db, actor, node), stale_shares(db, actor, node)
    index_year = pick_year(counts, spec.min_ranked, stale, spec.max_stale_share)
    base = YearChoice(index_year, "index" if index_year is not None else "none", index_year,
                      counts, stale)
    return settle_year(base, year, offered, spec, offered_stale)


def settle_year(base: YearChoice, year: int | None, offered: dict[int, int] | None,
                spec: Spec, offered_stale: dict[int, float] | None = None) -> YearChoice:
    """Rules 2 and 3 of `default_year` on an actor's index year (`base`, from
    `choose_year` without `year` or `offered`): pure, so that a page deciding for many
    targets reads the stored run once."""
    index_year, keep = base.index_year, (base.index_year, base.counts, base.stale)
    if year is not None:
        return YearChoice(year, "asked", *keep)
    if offered is None or index_year in offered:
        return YearChoice(index_year, "index" if index_year is not None else "none", *keep)
    if index_year is None:
        picked = pick_year(offered, spec.min_ranked, offered_stale, spec.max_stale_share)
        return YearChoice(picked, "coverage" if picked is not None else "none", *keep)
    before = [y for y in offered if y < index_year]
    after = [y for y in offered if y > index_year]
    if before:
        return YearChoice(max(before), "before", *keep)
    if after:
        return YearChoice(min(after), "after", *keep)
    return YearChoice(None, "none", *keep)


def default_year(db: Database, actor: str, node: str | None = None,
                 offered: dict[int, int] | None = None, spec: Spec | None = None) -> int | None:
    """The year every page and command shows for `actor` when none is asked for.

    1. The actor's index year: the latest year in which the stored run ranks at least
       the spec's `display.min_ranked` targets at `node` (default: the index) whose
       components are on average at most `display.max_stale_share` stale (carried past
       their source's end); when no year ranks that many, the latest of the best-covered
       years (`pick_year`). A partial or mostly stale later year is offered, never shown
       first by accident.
    2. A page that can show only some years (`offered`: year -> targets with a value, such
       as a survey measure or the quadrant's two axes) shows the index year when it is
       offered, else the latest offered year before it, else the earliest after it.
    3. With no stored run scoring `actor`, rule 1 on `offered` (with the stale test when
       the page gives its stale shares, `offered_stale`, as the weights page does from
       its own engine run); None when nothing is offered either.

    Each actor has its own: China's and Russia's index years can differ, and a profile
    shows each actor's scores in its own year. `choose_year` also says which rule chose.
    """
    return choose_year(db, actor, None, offered, node, spec).year
