"""Weights: sliders that change pillar and domain weights of the influence index and re-rank
the targets live. Every ranking is computed by the index engine
(`sharppower.index.run.run_index` with overrides at `weight.weights.<node>`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request

from sharppower.errors import ValidationError
from sharppower.index.detail import component_detail
from sharppower.index.nodes import choose_year, nominal_weights, run_nodes, stale_by_year
from sharppower.index.run import run_index
from sharppower.store import Database
from sharppower.store.lookups import country_names
from sharppower.web import figures
from sharppower.web.lookup import check_actor, check_year, codebook
from sharppower.web.memo import Memo, no_memo
from sharppower.web.pages import Page
from sharppower.web.routing import cache, page, respond, store
from sharppower.web.scoretext import choice_reason

router = APIRouter(tags=["weights"])
INDEX = "influence"
MAX_WEIGHT = 10.0


def weight_nodes(db: Database | None = None) -> list[dict]:
    """The influence index's pillars and their domains (the stored run's hierarchy) with
    the run's nominal weights."""
    nodes = {n["node"]: n for n in run_nodes(db)}
    nominal = nominal_weights(db)
    out = []
    for pillar in nodes[INDEX]["children"]:
        out.append({"node": pillar, "level": "pillar", "label": nodes[pillar]["label"],
                    "weight": float(nominal.get(pillar, 1.0))})
        for domain in nodes[pillar]["children"]:
            out.append({"node": domain, "level": "domain", "parent": pillar,
                        "label": nodes[domain]["label"], "weight": float(nominal.get(domain, 1.0))})
    return out


def parse_weights(params: dict[str, str], db: Database | None = None) -> dict[str, float]:
    """`w.<node>=<number>` query parameters -> {node: weight} (ValidationError when bad)."""
    known = {n["node"] for n in weight_nodes(db)}
    out = {}
    for key, raw in params.items():
        if not key.startswith("w."):
            continue
        node = key[2:]
        if node not in known:
            raise ValidationError(key, f"no pillar or domain {node!r} in the influence index; "
                                  f"valid weights: {', '.join('w.' + n for n in sorted(known))}")
        try:
            value = float(raw)
        except ValueError:
            raise ValidationError(key, f"not a number: {raw!r}") from None
        if not 0 <= value <= MAX_WEIGHT:
            raise ValidationError(key, f"a weight lies between 0 and {MAX_WEIGHT:g}, not {raw}")
        out[node] = value
    return out


def ranking(db: Database, actor: str, year: int | None, weights: dict[str, float]):
    """Index scores and ranks of every target of `actor` (columns: target, year, score, rank)."""
    overrides = {f"weight.weights.{node}": w for node, w in weights.items()}
    run = run_index(db, overrides=overrides, actor=actor, year=year)
    return run.long(level="index", year=year, actor=actor)


def index_years(db: Database, memo: Memo, actor: str) -> tuple[list[int], dict, dict, str | None]:
    """Years with an index score for `actor`, the count of targets ranked and the share of
    stale components each year (of this engine run: the years the page can show), and the
    engine's error if it could not run (the page then says so)."""
    def compute():
        try:
            run = run_index(db, actor=actor)
        except Exception as exc:  # noqa: BLE001 - shown on the page, not a server error
            return [], {}, {}, f"the index engine could not run: {type(exc).__name__}: {exc}"
        frame = run.long(level="index", actor=actor)
        frame = frame[frame["node"] == INDEX]
        counts = {int(y): int(n) for y, n in frame.groupby("year").size().items()}
        detail = component_detail(run, nodes=[INDEX])
        stale = stale_by_year(detail[detail["actor"] == actor])
        return sorted(counts), counts, stale, None
    return memo(("index_years", actor), compute)


def weights_data(db: Database, actor: str | None = None, year: int | None = None,
                 weights: dict[str, float] | None = None, memo: Memo = no_memo) -> dict:
    """rows: target, name, score, rank, and baseline_rank (the spec's own weights)."""
    actor = check_actor(actor)
    check_year(db, year)
    years, counts, stale, engine_error = index_years(db, memo, actor)
    choice = choose_year(db, actor, year, counts, offered_stale=stale)
    year = choice.year
    nodes = memo(("weight_nodes",), lambda: weight_nodes(db))
    nodes = [dict(n) for n in nodes]
    weights = weights or {}
    for n in nodes:
        n["value"] = weights.get(n["node"], n["weight"])
    rows = []
    if year is not None:
        base = memo(("ranking", actor, year), lambda: ranking(db, actor, year, {}))
        now = ranking(db, actor, year, weights) if weights else base
        names = memo(("country_names",), lambda: country_names(db))
        before = dict(zip(base["target"], base["rank"]))
        rows = [{"target": r.target, "name": names.get(r.target, r.target), "score": r.score,
                 "rank": int(r.rank), "baseline_rank": _int(before.get(r.target))}
                for r in now.sort_values("rank").itertuples(index=False)]
    return {"actor": actor, "actors": codebook().actors, "year": year, "years": years,
            "year_reason": choice_reason(choice, counts, "countries ranked",
                                         codebook().actors[actor]),
            "nodes": nodes, "weights": weights, "rows": rows, "max_weight": MAX_WEIGHT,
            "engine_error": engine_error}


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def weights_figure(data: dict) -> dict:
    return figures.bars([{"name": r["name"], "score": r["score"]} for r in data["rows"][:40]],
                        "Influence index with these weights")


@page(router, "/weights")
def weights_page(request: Request, actor: str | None = None, year: int | None = None):
    """Re-rank targets with chosen weights: query parameters `w.<pillar or domain>=<0..10>`."""
    weights = parse_weights(dict(request.query_params), store(request))
    memo = cache(request).get
    key = ("weights", actor, year, tuple(sorted(weights.items())))
    data = memo(key, lambda: weights_data(store(request), actor, year, weights, memo))
    return respond(request, "weights.html", data, figures=lambda d: {"weights": weights_figure(d)})


PAGE = Page("/weights", "Weights", "weights.html", nav=50)
