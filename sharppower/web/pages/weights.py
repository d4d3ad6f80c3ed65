"""Weights: sliders that change pillar and domain weights of the influence index and re-rank
the targets live. Every ranking is computed by the index engine
(`sharppower.index.run.run_index` with overrides at `weight.weights.<node>`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request

from sharppower.errors import ValidationError
from sharppower.store import Database
from sharppower.web import figures
from sharppower.web.lookup import check_actor, check_year, codebook, countries
from sharppower.web.pages.country import Memo, no_memo
from sharppower.web.routing import cache, page, respond, store

router = APIRouter(tags=["weights"])
INDEX = "influence"
MAX_WEIGHT = 10.0


def weight_nodes() -> list[dict]:
    """The influence index's pillars and their domains with the spec's nominal weights."""
    from sharppower.index.spec import load_spec

    spec = load_spec()
    nominal = spec.log()["weight"].get("weights") or {}
    book = codebook()
    nodes = []
    for pillar in spec.indices[INDEX]:
        nodes.append({"node": pillar, "level": "pillar", "label": book.pillars[pillar]["name"],
                      "weight": float(nominal.get(pillar, 1.0))})
        for domain in spec.pillars[pillar]:
            nodes.append({"node": domain, "level": "domain", "parent": pillar,
                          "label": book.pillars[pillar]["domains"][domain],
                          "weight": float(nominal.get(domain, 1.0))})
    return nodes


def parse_weights(params: dict[str, str]) -> dict[str, float]:
    """`w.<node>=<number>` query parameters -> {node: weight} (ValidationError when bad)."""
    known = {n["node"] for n in weight_nodes()}
    out = {}
    for key, raw in params.items():
        if not key.startswith("w."):
            continue
        node = key[2:]
        if node not in known:
            raise ValidationError(key, f"no pillar or domain {node!r} in the influence index")
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
    from sharppower.index.run import run_index

    overrides = {f"weight.weights.{node}": w for node, w in weights.items()}
    run = run_index(db, overrides=overrides, actor=actor, year=year)
    return run.long(level="index", year=year, actor=actor)


def index_years(db: Database, memo: Memo, actor: str) -> tuple[list[int], dict, str | None]:
    """Years with an index score for `actor`, the count of targets ranked each year, and
    the engine's error if it could not run (the page then says so instead of failing)."""
    def compute():
        try:
            frame = ranking(db, actor, None, {})
        except Exception as exc:  # noqa: BLE001 - shown on the page, not a server error
            return [], {}, f"the index engine could not run: {type(exc).__name__}: {exc}"
        counts = {int(y): int(n) for y, n in frame.groupby("year").size().items()}
        return sorted(counts), counts, None
    return memo(("index_years", actor), compute)


MIN_RANKED = 20


def default_year(counts: dict[int, int]) -> int | None:
    """The latest year ranking at least MIN_RANKED targets (or the best-covered year's count,
    when no year reaches it): a ranking of a handful says little."""
    if not counts:
        return None
    enough = min(MIN_RANKED, max(counts.values()))
    return max(y for y, n in counts.items() if n >= enough)


def weights_data(db: Database, actor: str | None = None, year: int | None = None,
                 weights: dict[str, float] | None = None, memo: Memo = no_memo) -> dict:
    """rows: target, name, score, rank, and baseline_rank (the spec's own weights)."""
    actor = check_actor(actor)
    check_year(db, year)
    years, counts, engine_error = index_years(db, memo, actor)
    year = year if year is not None else default_year(counts)
    nodes = weight_nodes()
    weights = weights or {}
    for n in nodes:
        n["value"] = weights.get(n["node"], n["weight"])
    rows = []
    if year is not None:
        base = memo(("ranking", actor, year), lambda: ranking(db, actor, year, {}))
        now = ranking(db, actor, year, weights) if weights else base
        names = dict(zip(*countries(db)[["iso3", "name"]].T.values))
        before = dict(zip(base["target"], base["rank"]))
        rows = [{"target": r.target, "name": names.get(r.target, r.target), "score": r.score,
                 "rank": int(r.rank), "baseline_rank": _int(before.get(r.target))}
                for r in now.sort_values("rank").itertuples(index=False)]
    return {"actor": actor, "actors": codebook().actors, "year": year, "years": years,
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
    weights = parse_weights(dict(request.query_params))
    memo = cache(request).get
    key = ("weights", actor, year, tuple(sorted(weights.items())))
    data = memo(key, lambda: weights_data(store(request), actor, year, weights, memo))
    return respond(request, "weights.html", data, figures=lambda d: {"weights": weights_figure(d)})
