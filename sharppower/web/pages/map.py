"""World map: a choropleth of the influence index, a pillar, a domain or an indicator for one
actor and year. Values come from the analysis library's `measure` (index scores with their
intervals and ranks, or observations); shapes from the world-atlas package."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request

from sharppower.store import Database
from sharppower.store.lookups import country_names
from sharppower.web import figures
from sharppower.web.catalogue import INDEX, describe, measure_options
from sharppower.web.geometry import mapped_countries, plotly_topojson
from sharppower.web.lookup import check_actor, check_year, codebook
from sharppower.web.routing import cache, fmt, page, respond, store

router = APIRouter(tags=["map"])
FALLBACKS = [INDEX, "att_favorable", "att_unfavorable"]


def read_measure(db: Database, actor: str, code: str) -> pd.DataFrame:
    """All years of one measure (analysis library frame: target, year, value, ci, ranks)."""
    from sharppower.analysis.common import measure

    return measure(db, actor, code)


def default_measure(db: Database, actor: str) -> str:
    for code in FALLBACKS:
        if not read_measure(db, actor, code).dropna(subset=["value"]).empty:
            return code
    return INDEX


def map_data(db: Database, actor: str | None = None, measure: str | None = None,
             year: int | None = None) -> dict:
    """values: one row per target with a value (target, name, value, ci_low, ci_high, rank,
    rank_low, rank_high, hover); shapes: every ISO3 drawn; years: years with data."""
    actor = check_actor(actor)
    code = measure or default_measure(db, actor)
    option = describe(code, db)
    check_year(db, year)
    frame = read_measure(db, actor, code).dropna(subset=["value"])
    years = sorted({int(y) for y in frame["year"]})
    year = year if year is not None else (years[-1] if years else None)
    names = country_names(db)
    rows = frame[frame["year"] == year] if year is not None else frame.iloc[0:0]
    values = [_row(r, names, option["unit"]) for r in rows.to_dict("records")]
    return {"actor": actor, "actor_name": codebook().actors[actor], "actors": codebook().actors,
            "measure": code, "label": option["label"], "unit": option["unit"],
            "kind": option["kind"], "year": year, "years": years, "values": values,
            "shapes": sorted(mapped_countries()), "with_value": len(values),
            "options": measure_options(db)}


def _row(r: dict, names: dict, unit: str) -> dict:
    name = names.get(r["target"], r["target"])
    hover = f"{name}: {fmt(r['value'])} {unit}"
    if pd.notna(r.get("ci_low")) and pd.notna(r.get("ci_high")):
        hover += f" (95% {fmt(r['ci_low'])} to {fmt(r['ci_high'])})"
    if pd.notna(r.get("rank")):
        hover += f"<br>rank {int(r['rank'])}"
        if pd.notna(r.get("rank_low")) and pd.notna(r.get("rank_high")):
            hover += f" ({int(r['rank_low'])}-{int(r['rank_high'])})"
    keep = ("target", "value", "se", "ci_low", "ci_high", "n", "rank", "rank_low", "rank_high")
    return {**{k: r.get(k) for k in keep}, "name": name, "hover": hover}


def map_figure(data: dict) -> dict:
    return figures.choropleth(data)


@page(router, "/map")
def map_page(request: Request, actor: str | None = None, measure: str | None = None,
             year: int | None = None):
    """Choropleth of a measure by actor and year (countries without a value: no data)."""
    key = ("map", actor, measure, year)
    data = cache(request).get(key, lambda: map_data(store(request), actor, measure, year))
    return respond(request, "map.html", data, key=key,
                   figures=lambda d: {"map": map_figure(d), "world": plotly_topojson()})


@router.get("/", include_in_schema=False)
def home(request: Request):
    """The dashboard opens on the map."""
    return map_page(request)
