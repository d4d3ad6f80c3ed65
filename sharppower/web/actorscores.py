"""Every actor side by side on a country profile: one block per declared actor with its
own year (`index.nodes.default_year`, each actor's), and per index, pillar and domain the
score with its 95% interval, rank with its rank interval, the components it rests on (the
stored run's per-score detail), or "not scored" with the reason.

Frames covering every target are memoised by the caller's `memo` (see `web.memo`), so a
profile after the first costs dictionary lookups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.analysis.common import measure
from sharppower.analysis.frames import empty_measure, tidy
from sharppower.analysis.indexscores import not_scored
from sharppower.errors import NotFound
from sharppower.index.components import domains_by_actor
from sharppower.index.names import indicator_sources, sources_text
from sharppower.index.nodes import YearChoice, choose_year, run_nodes, settle_year
from sharppower.index.reading import TIE_TOLERANCE, reading
from sharppower.index.scales import scale_text
from sharppower.index.spec import load_spec
from sharppower.index.store import filter_values, score_records
from sharppower.index.store import scored_years as scores_years
from sharppower.store import Database
from sharppower.web.cache import store_version
from sharppower.web.lookup import codebook
from sharppower.web.memo import Memo, memo_reader, no_memo
from sharppower.web.profiles import stored_page
from sharppower.web.scoretext import DETAIL, detail_lines, missing, names

SCORE_FIELDS = ("value", "ci_low", "ci_high", "rank", "rank_low", "rank_high")


def score_nodes(db: Database | None = None) -> list[tuple[str, str, str]]:
    """(level, code, label) of the stored run's indices, pillars and domains."""
    return [(n["level"], n["node"], n["label"]) for n in run_nodes(db)]


def year_slice(db: Database, memo: Memo, actor: str, year: int | None
               ) -> dict[str, dict[str, dict]]:
    """node -> {target: its stored score row as a measure row (value, ci_low, ci_high,
    rank, rank_low, rank_high, DETAIL, tied)} of `actor` in `year`: every index, pillar and
    domain score of the year, of every actor, read in one query (`index.store.scores`) once
    per store version, so that a profile of any year costs one read, never the whole panel.
    `tied`: how many other targets share the score at that node (`index.reading`)."""
    if year is None:
        return {}
    return year_slices(db, memo, int(year)).get(actor, {})


def year_slices(db: Database, memo: Memo, year: int) -> dict[str, dict[str, dict[str, dict]]]:
    """actor -> `year_slice` of every actor the stored run scores in `year` (one query,
    `index.store.score_records`, plain records)."""
    def compute() -> dict[str, dict[str, dict[str, dict]]]:
        try:
            records = score_records(db, year)
        except NotFound:
            return {}
        out: dict[str, dict[str, dict[str, dict]]] = {}
        for rec in records:
            rec["value"], rec["ci_low"], rec["ci_high"] = (
                rec.pop("score"), rec.pop("score_low"), rec.pop("score_high"))
            rec["year"] = int(rec["year"])
            out.setdefault(rec["actor"], {}).setdefault(rec["node"], {})[rec["target"]] = rec
        for nodes in out.values():
            for rows in nodes.values():
                _count_ties(list(rows.values()))
        return out
    return memo(("year_slices", year), compute)


def _count_ties(rows: list[dict]) -> None:
    """Each row's `tied`: how many other rows (one ranking) hold the same value within
    `index.reading.TIE_TOLERANCE` (as `index.reading.tie_counts`): the values in order,
    cut where two neighbours differ by more; 0 without a value."""
    values = np.array([r.get("value") for r in rows], dtype=float)  # None: NaN
    tied = np.zeros(len(rows), dtype=np.int64)
    have = np.flatnonzero(~np.isnan(values))
    if len(have):
        order = have[np.argsort(values[have], kind="stable")]
        cluster = np.cumsum(np.r_[True, np.diff(values[order]) > TIE_TOLERANCE]) - 1
        tied[order] = np.bincount(cluster)[cluster] - 1
    for r, n in zip(rows, tied.tolist(), strict=True):
        r["tied"] = n


def slice_measure(db: Database, memo: Memo, actor: str, year: int, code: str):
    """The measure frame (`analysis.frames`) of the index measure `code`
    (``index:<level>:<node>``) in one year, from the actor-year slice (`year_slice`): what
    `analysis.common.measure(db, actor, code, year)` returns, without another read."""
    level, node = code.split(":")[1:]
    rows = list(year_slice(db, memo, actor, year).get(node, {}).values())
    if not rows:
        return empty_measure()
    return tidy(pd.DataFrame(rows).assign(source=f"index:{level}"))


def year_analyses(db: Database, memo: Memo, actor: str, year: int):
    """The quadrants and the vulnerability of every target of `actor` in `year` as
    `analysis.quadrants(db, actor, year)` and `analysis.vulnerability(db, actor, year)`
    give them (their defaults: favourable share against the influence index; pressure
    pillar times (1 - resilience pillar), min-max scaled), the index measures taken from
    the actor-year slice (one read for the whole profile)."""
    from sharppower.analysis.disconnect import ATTRACTION_AXES, INFLUENCE_AXES, classify
    from sharppower.analysis.vulnerability import combine

    att_axis, inf_axis = ATTRACTION_AXES["favorable"], INFLUENCE_AXES["influence"]
    att = memo_reader(memo, measure)(db, actor, att_axis.measure)
    att = att[att["year"] == year].reset_index(drop=True)
    quads = classify(att, slice_measure(db, memo, actor, year, inf_axis.measure), att_axis,
                     inf_axis, actor, [year])
    pressure, resilience = "index:pillar:pressure", "index:pillar:resilience"
    vuln = combine(slice_measure(db, memo, actor, year, pressure),
                   slice_measure(db, memo, actor, year, resilience), actor, pressure,
                   resilience, "minmax", "product")
    return quads, vuln


def target_years(db: Database, memo: Memo, iso3: str) -> dict[str, set[int]]:
    """actor -> the years in which the target has any index, pillar or domain score
    (one query for the target, `index.store.target_years`)."""
    def compute() -> dict[str, set[int]]:
        try:
            frame = scores_years(db, iso3)
        except NotFound:
            return {}
        out: dict[str, set[int]] = {}
        for actor, year in zip(frame["actor"], frame["year"]):
            out.setdefault(actor, set()).add(int(year))
        return out
    return memo(("target_years", iso3), compute)


def share_target_years(db: Database, memo: Memo, targets: list[str]) -> None:
    """Fill `memo` with `target_years` of each of `targets` from one query over the run's
    scored (actor, target, year) (`store_profiles` computes every profile: one read, not
    one per target); a target without a score gets no years."""
    try:
        frame = scores_years(db)
    except NotFound:
        frame = {"actor": [], "target": [], "year": []}
    out: dict[str, dict[str, set[int]]] = {}
    for actor, target, year in zip(frame["actor"], frame["target"], frame["year"]):
        out.setdefault(target, {}).setdefault(actor, set()).add(int(year))
    none: dict[str, set[int]] = {}
    for target in targets:
        years = out.get(target, none)
        memo(("target_years", target), lambda y=years: y)


def scored_years(db: Database, memo: Memo, actor: str) -> dict[str, set[int]]:
    """target -> the years in which it has any index, pillar or domain score of `actor`
    (one query over the actor's scored target-years, once per store version)."""
    def compute() -> dict[str, set[int]]:
        try:
            frame = scores_years(db, None, actor)
        except NotFound:
            return {}
        out: dict[str, set[int]] = {}
        for target, year in zip(frame["target"], frame["year"]):
            out.setdefault(target, set()).add(int(year))
        return out
    return memo(("scored_years", actor), compute)


def actor_year(db: Database, memo: Memo, actor: str, iso3: str, year: int | None,
               surveyed: set[int] = frozenset()) -> YearChoice:
    """The year the profile shows `actor` in: asked, else the actor's default year,
    offered as the years in which the target has a score of that actor or a survey value
    about it (`surveyed`)."""
    if year is not None:  # asked: the actor's index year is not needed to say why
        return YearChoice(year, "asked")
    offered = target_years(db, memo, iso3).get(actor, set()) | set(surveyed)
    return year_choice(db, memo, actor, year, dict.fromkeys(offered, 1) if offered else None)


def year_choice(db: Database, memo: Memo, actor: str, year: int | None = None,
                offered: dict[int, int] | None = None,
                offered_stale: dict[int, float] | None = None) -> YearChoice:
    """`index.nodes.choose_year(db, actor, year, offered, offered_stale=...)`, the actor's
    index year (two reads of the stored run) taken once per store version: every page
    and profile shares it."""
    base = memo(("year_choice", actor), lambda: choose_year(db, actor))
    return settle_year(base, year, offered, memo(("spec",), load_spec),  # read only: one
                       offered_stale)  # copy per store version


def year_text(choice: YearChoice, name: str) -> str:
    """Why an actor's block shows its year (the profile's own words for `YearChoice`)."""
    y, y0 = choice.year, choice.index_year
    rule = "coverage" if y0 is None and choice.rule in ("before", "after", "index") else choice.rule
    return {"asked": f"{name} {y}: the year chosen",
            "index": f"{name} {y}: its default year (the latest year ranking enough targets "
                     "on mostly current data)",
            "before": f"{name} {y}: the latest year before its default year {y0} with a "
                      "score or a survey value for this country",
            "after": f"{name} {y}: the first year after its default year {y0} with a score "
                     "or a survey value for this country",
            "coverage": f"{name} {y}: the latest year with a score or a survey value for this "
                        f"country (no stored index run ranks {name} yet)",
            }.get(rule, f"{name}: no index score yet (no stored run scores it)")


def missing_reason(db: Database, memo: Memo, actor: str, level: str, node: str, iso3: str,
                   year: int | None) -> str:
    """Why the target has no score at `node`: the screening's reason, else the actor has
    no component under the node, else no data on its components, else no run."""
    if year is None:
        return "no stored index run scores this actor"
    reasons = memo(("not_scored", year), lambda: not_scored(db, year))
    why = reasons.get((actor, node, iso3, year))
    if why:
        return why
    empty = memo(("empty_domains",), lambda: stored_empty_domains(db)
                 or _empty_domains(db, memo))
    if level == "domain" and (actor, node) in empty:
        return "no component for this actor (its sources do not measure it)"
    return f"no data on any of its components for this country in {year}"


def stored_empty_domains(db: Database) -> set[tuple[str, str]] | None:
    """`_empty_domains` as the build stored it (`pages.country.store_pages`), when current;
    None otherwise."""
    stored = stored_page(db, "empty-domains", store_version(db))
    return None if stored is None else {tuple(p) for p in stored["pairs"]}


def empty_domains_page(db: Database, memo: Memo = no_memo) -> dict:
    """What the build stores for `stored_empty_domains`."""
    return {"pairs": sorted([a, d] for a, d in _empty_domains(db, memo))}


def score_filters(db: Database, memo: Memo) -> pd.DataFrame:
    """The stored run's distinct (actor, year, level, node) (`index.store.filter_values`,
    one DISTINCT query), once per store version; NotFound before any run."""
    return memo(("filter_values",), lambda: filter_values(db))


def _empty_domains(db: Database, memo: Memo = no_memo) -> set[tuple[str, str]]:
    """(actor, domain) pairs without any score in the stored run: no indicator of the
    actor entered the domain (a domain is scored wherever one did). From the run's
    distinct nodes (`score_filters`); before any run, the codebook's declared sources."""
    try:
        held = score_filters(db, memo)
    except NotFound:
        table = domains_by_actor(db, codebook())
        return {(a, d) for a, d, i in zip(table["actor"], table["domain"],
                                          table["indicators"]) if not i}
    held = held[held["level"] == "domain"]
    have = set(zip(held["actor"], held["node"]))
    domains = [n["node"] for n in run_nodes(db) if n["level"] == "domain"]
    return {(a, d) for a in codebook().actors for d in domains if (a, d) not in have}


def score_row(db: Database, memo: Memo, actor: str, level: str, node: str, label: str,
              iso3: str, year: int | None, rec: dict) -> dict:
    """One score of the block: value, its scale ('0-100, higher = more influence'), interval,
    rank, detail; or not_scored with why. `interval_text`, `interval_note` and `rank_text`
    say the intervals as `index.reading.reading` decides (none shown when degenerate;
    'tied at 0 with N others')."""
    detail = rec  # the stored row holds the detail (`year_slice`)
    scored = not missing(rec.get("value"))
    why = None if scored else missing_reason(db, memo, actor, level, node, iso3, year)
    nodes = memo(("run_nodes",), lambda: run_nodes(db))
    said = reading(*(rec.get(k) for k in SCORE_FIELDS), tied=int(rec.get("tied") or 0),
                   n_ranked=detail.get("n_ranked"))
    return {"actor": actor, "level": level, "node": node, "label": label, "year": year,
            "scale": scale_text(level, node, nodes), **{k: rec.get(k) for k in SCORE_FIELDS},
            "rank_text": said["rank"], "interval_text": said["interval"],
            "interval_note": said["note"],
            **{k: detail.get(k) for k in DETAIL}, "not_scored": why,
            "detail": f"not scored: {why}" if why else "; ".join(detail_lines(detail))}


def actor_block(db: Database, memo: Memo, actor: str, iso3: str, year: int | None,
                surveyed: set[int] = frozenset()) -> dict:
    """One actor's side: actor, name, colour, kind, year, year_rule, year_reason,
    has_scores and `scores` (one row per index, pillar and domain of the run)."""
    info = codebook().actor_info[actor]
    choice = actor_year(db, memo, actor, iso3, year, surveyed)
    frames = year_slice(db, memo, actor, choice.year)
    rows = [score_row(db, memo, actor, lvl, code, label, iso3, choice.year,
                      frames.get(code, {}).get(iso3, {}))
            for lvl, code, label in memo(("score_nodes",), lambda: score_nodes(db))]
    partial = memo(("partial",), lambda: load_spec().stages.get("screen", {}).get("partial", []))
    rows = with_sources(rows, memo(("run_nodes",), lambda: run_nodes(db)), partial)
    return {"actor": actor, "name": info.name, "colour": info.colour, "kind": info.kind,
            "year": choice.year, "year_rule": choice.rule,
            "year_reason": year_text(choice, info.name),
            "has_scores": any(not missing(r["value"]) for r in rows), "scores": rows}


def with_sources(rows: list[dict], nodes: list[dict], partial: list[str]) -> list[dict]:
    """Each row with `sources`: the sources its score rests on in plain names, bottom-up
    (a domain: its indicators' sources; a pillar: its domains'; an index: its pillars'),
    and the partial ledgers that do not cover the target ("not covered by ..."); "not
    covered by any source" for a score resting on none (`index.names.sources_text`)."""
    src = indicator_sources()
    children = {n["node"]: list(n.get("children", [])) for n in nodes}
    rests: dict[str, list[str]] = {}
    uncovered: dict[str, list[str]] = {}
    for level in ("domain", "pillar", "index"):
        for r in (r for r in rows if r["level"] == level):
            node, scored = r["node"], not missing(r["value"])
            if level == "domain":
                used = names(r.get("components")) if scored else []
                rests[node] = _unique(src.get(c, "") for c in used)
                uncovered[node] = (_unique(src.get(c, "") for c in children.get(node, []))
                                   if node in partial and not rests[node] else [])
            else:
                kids = children.get(node, [])
                listed = names(r.get("components")) if level == "pillar" and scored else []
                used = [k for k in kids if k in listed] if listed else kids  # a latent
                # pillar rests on the domains it lists (the model leaves some out)
                rests[node] = _unique(s for k in used for s in (
                    rests.get(k) or (_unique(src.get(c, "") for c in children.get(k, []))
                                     if listed else []))) if scored else []
                uncovered[node] = _unique(s for k in kids for s in uncovered.get(k, []))
            r["sources"] = sources_text(rests[node], [u for u in uncovered[node]
                                                      if u not in rests[node]])
    return rows


def _unique(items) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def side_by_side(db: Database, memo: Memo, iso3: str, year: int | None,
                 surveyed: dict[str, set[int]] | None = None) -> list[dict]:
    """One block per declared actor, in the codebook's order (`surveyed`: actor -> years
    with a survey value about it in the target)."""
    return [actor_block(db, memo, actor, iso3, year, (surveyed or {}).get(actor, set()))
            for actor in codebook().actors]
