"""Every actor side by side on a country profile: one block per declared actor with its
own year (`index.nodes.default_year`, each actor's), and per index, pillar and domain the
score with its 95% interval, rank with its rank interval, the components it rests on (the
stored run's per-score detail), or "not scored" with the reason.

Frames covering every target are memoised by the caller's `memo` (see `web.memo`), so a
profile after the first costs dictionary lookups.
"""

from __future__ import annotations

from sharppower.analysis.common import measure
from sharppower.analysis.indexscores import not_scored
from sharppower.index.components import domains_by_actor
from sharppower.index.names import indicator_sources, sources_text
from sharppower.index.nodes import YearChoice, choose_year, run_nodes, settle_year
from sharppower.index.reading import reading, tie_counts
from sharppower.index.scales import scale_text
from sharppower.index.spec import load_spec
from sharppower.store import Database
from sharppower.web.lookup import codebook
from sharppower.web.memo import Memo, by_target_year, memo_reader
from sharppower.web.scoretext import DETAIL, detail_lines, missing, names, score_detail

SCORE_FIELDS = ("value", "ci_low", "ci_high", "rank", "rank_low", "rank_high")


def score_nodes(db: Database | None = None) -> list[tuple[str, str, str]]:
    """(level, code, label) of the stored run's indices, pillars and domains."""
    return [(n["level"], n["node"], n["label"]) for n in run_nodes(db)]


def _frames(db: Database, memo: Memo, actor: str) -> dict[tuple[str, str], dict]:
    """(level, node) -> {(target, year): score row} of every stored score of `actor`."""
    read = memo_reader(memo, measure)
    return {(lvl, code): by_target_year(memo, ("measure", actor, f"index:{lvl}:{code}"),
                                        lambda m=f"index:{lvl}:{code}": read(db, actor, m))
            for lvl, code, _ in memo(("score_nodes",), lambda: score_nodes(db))}


def ties(db: Database, memo: Memo, actor: str, level: str, node: str) -> dict:
    """(target, year) -> how many other targets share its score that year (`actor`, node)."""
    def compute() -> dict:
        frame = memo_reader(memo, measure)(db, actor, f"index:{level}:{node}")
        counts = tie_counts(frame)
        return {(t, int(y)): int(n) for t, y, n in zip(frame["target"], frame["year"], counts)}
    return memo(("ties", actor, level, node), compute)


def scored_years(db: Database, memo: Memo, actor: str) -> dict[str, set[int]]:
    """target -> the years in which it has any index, pillar or domain score of `actor`."""
    def compute() -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for frame in _frames(db, memo, actor).values():
            for (target, year), rec in frame.items():
                if not missing(rec.get("value")):
                    out.setdefault(target, set()).add(year)
        return out
    return memo(("scored_years", actor), compute)


def actor_year(db: Database, memo: Memo, actor: str, iso3: str, year: int | None,
               surveyed: set[int] = frozenset()) -> YearChoice:
    """The year the profile shows `actor` in: asked, else the actor's default year,
    offered as the years in which the target has a score of that actor or a survey value
    about it (`surveyed`)."""
    base = memo(("year_choice", actor), lambda: choose_year(db, actor))
    offered = scored_years(db, memo, actor).get(iso3, set()) | set(surveyed)
    return settle_year(base, year, dict.fromkeys(offered, 1) if offered else None,
                       load_spec())


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
    reasons = memo(("not_scored",), lambda: not_scored(db))
    why = reasons.get((actor, node, iso3, year))
    if why:
        return why
    empty = memo(("empty_domains",), lambda: _empty_domains(db))
    if level == "domain" and (actor, node) in empty:
        return "no component for this actor (its sources do not measure it)"
    return f"no data on any of its components for this country in {year}"


def _empty_domains(db: Database) -> set[tuple[str, str]]:
    table = domains_by_actor(db, codebook())
    return {(a, d) for a, d, i in zip(table["actor"], table["domain"], table["indicators"])
            if not i}


def score_row(db: Database, memo: Memo, actor: str, level: str, node: str, label: str,
              iso3: str, year: int | None, rec: dict) -> dict:
    """One score of the block: value, its scale ('0-100, higher = more influence'), interval,
    rank, detail; or not_scored with why. `interval_text`, `interval_note` and `rank_text`
    say the intervals as `index.reading.reading` decides (none shown when degenerate;
    'tied at 0 with N others')."""
    code = f"index:{level}:{node}"
    detail = by_target_year(memo, ("score_detail", actor, code),
                            lambda: score_detail(db, actor, code)).get((iso3, year), {})
    scored = not missing(rec.get("value"))
    why = None if scored else missing_reason(db, memo, actor, level, node, iso3, year)
    nodes = memo(("run_nodes",), lambda: run_nodes(db))
    said = reading(*(rec.get(k) for k in SCORE_FIELDS),
                   tied=ties(db, memo, actor, level, node).get((iso3, year), 0),
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
    frames = _frames(db, memo, actor)
    rows = [score_row(db, memo, actor, lvl, code, label, iso3, choice.year,
                      frames[(lvl, code)].get((iso3, choice.year), {}))
            for lvl, code, label in memo(("score_nodes",), lambda: score_nodes(db))]
    rows = with_sources(rows, memo(("run_nodes",), lambda: run_nodes(db)),
                        load_spec().stages.get("screen", {}).get("partial", []))
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
