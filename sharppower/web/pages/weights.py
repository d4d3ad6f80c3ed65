"""Weights: sliders that change pillar and domain weights of the influence index and re-rank
the targets live. The index engine runs once per actor-year and store version
(`sharppower.index.run.run_index`); a re-rank with new weights aggregates that run's
normalised indicator matrix again under the new weights (`reweigh`: the engine's weighting
and vectorised aggregation, no earlier stage re-run), so it gives the numbers a fresh run
with overrides at `weight.weights.<node>` gives. The years and their counts come from
the stored run."""

from __future__ import annotations

import dataclasses
import types
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Request

from sharppower.errors import ValidationError
from sharppower.index.detail import component_detail
from sharppower.index.hierarchy import compile_hierarchy
from sharppower.index.inputs import Inputs, load_inputs
from sharppower.index.nodes import nominal_weights, run_nodes, stale_by_year
from sharppower.index.run import Run, _years_needed, nominal_scores, run_index
from sharppower.index.spec import load_spec, set_address
from sharppower.index.weight import WEIGHTERS
from sharppower.store import Database
from sharppower.store.lookups import country_names
from sharppower.web import figures
from sharppower.web.actorscores import year_choice
from sharppower.web.cache import store_version
from sharppower.web.lookup import check_actor, check_year, codebook
from sharppower.web.memo import Memo, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
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
    """Index scores and ranks of every target of `actor` (columns: target, year, score, rank)
    from a fresh engine run with the weights (the reference `reweigh` must equal)."""
    overrides = {f"weight.weights.{node}": w for node, w in weights.items()}
    run = run_index(db, overrides=overrides, actor=actor, year=year)
    return run.long(level="index", year=year, actor=actor)


@dataclasses.dataclass
class Kit:
    """What a re-weighting needs from one engine run of an actor-year: the log (the spec's
    arguments), the hierarchy, the screened, imputed, treated and normalised indicator
    matrix (units x leaves) and the screening's node masks (`screened.nodes`, `.feeds`)."""

    log: dict
    tree: Any
    normalised: pd.DataFrame
    screened: Any

    @classmethod
    def of(cls, run: Run) -> Kit:
        return cls(run.log, run.tree, run.data.normalised, run.screened)

    def to_json(self) -> dict:
        """JSON-safe: stored by the build beside the default weights page."""
        units = [[str(a), str(t), int(y)] for a, t, y in self.normalised.index]
        values = self.normalised.to_numpy(dtype=float)
        feeds = self.screened.feeds
        return {"units": units, "leaves": list(self.normalised.columns),
                "values": [[None if np.isnan(v) else float(v) for v in row] for row in values],
                "nodes": self.screened.nodes.astype(bool).tolist(),
                "feeds": None if feeds is None else feeds.astype(bool).tolist(),
                "log": self.log}

    @classmethod
    def from_json(cls, data: dict) -> Kit:
        index = pd.MultiIndex.from_tuples([tuple(u) for u in data["units"]],
                                          names=["actor", "target", "year"])
        values = np.array([[np.nan if v is None else v for v in row] for row in data["values"]],
                          dtype=float).reshape(len(index), len(data["leaves"]))
        feeds = None if data["feeds"] is None else np.array(data["feeds"], dtype=bool)
        screened = types.SimpleNamespace(nodes=np.array(data["nodes"], dtype=bool), feeds=feeds)
        return cls(data["log"], compile_hierarchy(load_spec()),
                   pd.DataFrame(values, index=index, columns=data["leaves"]), screened)


def base_kit(db: Database, memo: Memo, actor: str, year: int) -> Kit:
    """The re-weighting kit of one actor-year, once per store version: the one the build
    stored with the default weights page when current, else from one engine run (on the
    year's panel of every actor, `year_panel`)."""
    def compute() -> Kit:
        stored = stored_page(db, kit_key(actor, year), store_version(db))
        if stored is not None:
            return Kit.from_json(stored)
        return Kit.of(run_index(db, actor=actor, year=year, inputs=year_panel(db, memo, year)))
    return memo(("weights_kit", actor, year), compute)


def year_panel(db: Database, memo: Memo, year: int) -> Inputs:
    """The engine's input panel of every actor over the years `run_index(db, actor=...,
    year=year)` reads (the years before `year` too when stale values may be carried), read
    once per store version: the kits of several actors of one year share one read. The
    panel is completed actor by actor (`index.inputs`), so an actor's rows are the ones
    it reads alone, and `run_index` cuts them to the actor-year."""
    def compute() -> Inputs:
        spec = load_spec()
        read = _years_needed(spec.log(), year)
        if read and read[0] is not None and spec.max_age > 0:
            read = (None, read[1])  # as `run_index`: stale values come from earlier years
        return load_inputs(db, spec, list(spec.actors), read)
    return memo(("weights_panel", year), compute)


def kit_key(actor: str, year: int) -> str:
    return f"weights-kit:{actor}:{year}"


def reweigh(kit: Kit, weights: dict[str, float]) -> pd.DataFrame:
    """`ranking` with new weights without running the engine again: the kit's normalised
    matrix aggregated again under the new weights (the engine's own weighting and
    vectorised aggregation, `index.run.nominal_scores`) and ranked per cross-section.
    Columns actor, target, year, node, score, rank; the numbers a fresh engine run with
    these weights gives (the weights change no earlier stage)."""
    log = kit.log
    for node, w in weights.items():
        log = set_address(log, f"weight.weights.{node}", w)
    chosen = WEIGHTERS.call(log["weight"], kit.tree, kit.normalised)
    edges = kit.tree.nominal_weights(chosen)
    scores, ranks = nominal_scores(kit.tree, kit.normalised, edges, log, kit.screened)
    units = kit.normalised.index
    out = pd.DataFrame({"actor": units.get_level_values("actor"),
                        "target": units.get_level_values("target"),
                        "year": units.get_level_values("year").astype(int), "node": INDEX,
                        "score": scores[INDEX].to_numpy(), "rank": ranks[INDEX].to_numpy()})
    out = out[out["score"].notna()]
    return out.sort_values(["rank", "target"]).reset_index(drop=True)


def index_years(db: Database, memo: Memo, actor: str) -> tuple[list[int], dict, dict, str | None]:
    """Years with an index score for `actor`, the count of targets ranked and the share of
    stale components each year, and the engine's error if it could not run (the page then
    says so). Read from the stored run (`index.nodes`: the engine's run the build stored, one
    query); only a store without a run scoring `actor` runs the engine over the whole panel."""
    def compute():
        stored = year_choice(db, memo, actor)  # the stored run's counts and stale shares
        if stored.counts:
            return sorted(stored.counts), stored.counts, stored.stale, None
        return engine_years(db, actor)
    return memo(("index_years", actor), compute)


def engine_years(db: Database, actor: str) -> tuple[list[int], dict, dict, str | None]:
    """`index_years` from an engine run over every year (no stored run scores `actor`)."""
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


def weights_data(db: Database, actor: str | None = None, year: int | None = None,
                 weights: dict[str, float] | None = None, memo: Memo = no_memo,
                 default: dict | None = None) -> dict:
    """rows: target, name, score, rank, and baseline_rank (the spec's own weights).
    `default`: the actor's default page as the build stored it (its year, years and why,
    nodes and baseline): a re-rank of the default year then reads nothing else but the
    re-weighting kit."""
    actor = check_actor(actor)
    check_year(db, year)
    if default is not None and year is None:
        year, years, reason = default["year"], default["years"], default["year_reason"]
        engine_error = default["engine_error"]
        nodes = [{k: v for k, v in n.items() if k != "value"} for n in default["nodes"]]
    else:
        years, counts, stale, engine_error = index_years(db, memo, actor)
        choice = year_choice(db, memo, actor, year, counts, stale)
        year, reason = choice.year, choice_reason(choice, counts, "countries ranked",
                                                  codebook().actors[actor])
        nodes = memo(("weight_nodes",), lambda: weight_nodes(db))
    nodes = [dict(n) for n in nodes]
    weights = weights or {}
    for n in nodes:
        n["value"] = weights.get(n["node"], n["weight"])
    rows, kit = [], None
    if year is not None:
        try:
            kit = base_kit(db, memo, actor, year)
        except Exception as exc:  # noqa: BLE001 - shown on the page, not a server error
            kit, engine_error = None, (f"the index engine could not run: "
                                       f"{type(exc).__name__}: {exc}")
    if year is not None and kit is not None:
        base = memo(("ranking", actor, year), lambda: reweigh(kit, {}))
        now = reweigh(kit, weights) if weights else base
        names = memo(("country_names",), lambda: country_names(db))
        before = dict(zip(base["target"], base["rank"]))
        rows = [{"target": r.target, "name": names.get(r.target, r.target), "score": r.score,
                 "rank": int(r.rank), "baseline_rank": _int(before.get(r.target))}
                for r in now.sort_values("rank").itertuples(index=False)]
    return {"actor": actor, "actors": codebook().actors, "year": year, "years": years,
            "year_reason": reason, "nodes": nodes, "weights": weights, "rows": rows, "max_weight": MAX_WEIGHT,
            "engine_error": engine_error}


def stored_default(request: Request, actor: str | None, year: int | None) -> dict | None:
    """The default page of an actor (no year, no weights) as the build stored it, when
    current (`web.profiles.stored_page`), once per store version; None otherwise."""
    if year is not None:
        return None
    code = check_actor(actor)
    return cache(request).get(("weights_default", code), lambda: stored_page(
        store(request), f"weights:{code}", cache(request).version()))


def stored_pages(db: Database, memo: Memo) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_profiles`): each
    actor's default page and the re-weighting kit of its year."""
    out = {}
    for actor in codebook().actors:
        data = weights_data(db, actor, memo=memo)
        out[f"weights:{actor}"] = data
        if data["year"] is not None and not data["engine_error"]:
            out[kit_key(actor, data["year"])] = base_kit(db, memo, actor,
                                                         data["year"]).to_json()
    return out


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
    default = stored_default(request, actor, year)
    data = memo(key, lambda: default if default is not None and not weights else
                weights_data(store(request), actor, year, weights, memo, default))
    return respond(request, "weights.html", data, figures=lambda d: {"weights": weights_figure(d)})


PAGE = Page("/weights", "Weights", "weights.html", nav=50)
