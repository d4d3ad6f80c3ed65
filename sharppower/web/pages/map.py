"""World map: a choropleth of the influence index, a pillar, a domain or an indicator for one
actor and year. Values come from the analysis library's `measure` (index scores with their
intervals and ranks, or observations); shapes from the world-atlas package."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse

from sharppower.analysis.indexscores import plain_reason
from sharppower.errors import NotFound
from sharppower.index.nodes import run_nodes
from sharppower.index.reading import FULL_SCALE, reading, tie_counts
from sharppower.index.report import left_out
from sharppower.index.scales import SCALE_NOTE, scale_text
from sharppower.index.spec import load_spec
from sharppower.store import Database
from sharppower.store.lookups import country_names
from sharppower.web import figures
from sharppower.web.actorscores import with_sources, year_choice, year_slice
from sharppower.web.catalogue import INDEX, describe, options_with_data
from sharppower.web.finder import find, finder_entries
from sharppower.web.geometry import mapped_countries, plotly_topojson
from sharppower.web.lookup import check_actor, check_year, codebook
from sharppower.web.memo import Memo, memo_reader, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
from sharppower.web.routing import HERE, cache, fmt, page, respond, store, templates
from sharppower.web.scoretext import (
    DETAIL,
    RANK_NOTE,
    SCORE_NOTE,
    choice_reason,
    detail_lines,
    names,
)

router = APIRouter(tags=["map"])
templates.env.globals["finder_entries"] = finder_entries  # base.html's country finder
FALLBACKS = [INDEX, "att_favorable", "att_unfavorable"]


def read_measure(db: Database, actor: str, code: str) -> pd.DataFrame:
    """All years of one measure (analysis library frame: target, year, value, ci, ranks)."""
    from sharppower.analysis.common import measure

    return measure(db, actor, code)


def default_measure(db: Database, actor: str, read=read_measure) -> str:
    for code in FALLBACKS:
        if not read(db, actor, code).dropna(subset=["value"]).empty:
            return code
    return INDEX


def shown_year(db: Database, actor: str, code: str, frame: pd.DataFrame,
               year: int | None, memo: Memo = no_memo) -> tuple[int | None, str]:
    """The year shown and why: the one asked for, else the actor's default year
    (`index.nodes.default_year`, read once per store version), offered as the years in
    which the measure has values."""
    counts = {int(y): int(n) for y, n in frame.groupby("year")["target"].nunique().items()}
    offered = None if code == INDEX else counts  # the index: its own ranked counts
    choice = year_choice(db, memo, actor, year, offered)
    what = "countries ranked" if code.startswith("index:") else "countries with a value"
    return choice.year, choice_reason(choice, offered, what, codebook().actors[actor])


def map_data(db: Database, actor: str | None = None, measure: str | None = None,
             year: int | None = None, memo: Memo = no_memo) -> dict:
    """values: one row per target with a value (target, name, value, ci_low, ci_high, rank,
    rank_low, rank_high, rank_text, index detail: coverage, components, stale, imputed and
    zero components; hover); not_ranked: targets screening left out of an index or pillar
    ranking (target, name, reason); shapes: every ISO3 drawn; years: years with data;
    year_reason: why this year is shown."""
    actor = check_actor(actor)
    read = memo_reader(memo, read_measure)  # the default measure's frame is read once
    code = measure or default_measure(db, actor, read)
    option = describe(code, db)
    check_year(db, year)
    frame = read(db, actor, code).dropna(subset=["value"])
    years = sorted({int(y) for y in frame["year"]})
    year, reason = shown_year(db, actor, code, frame, year, memo)
    names = country_names(db)
    rows = frame[frame["year"] == year] if year is not None else frame.iloc[0:0]
    scored = year_slice(db, memo, actor, year) if code.startswith("index:") else {}
    detail = pd.DataFrame([{"target": t, **{k: r.get(k) for k in DETAIL}} for t, r in
                           scored.get(code.split(":")[-1], {}).items()])
    if not rows.empty and not detail.empty:
        rows = rows.merge(detail, on="target", how="left")
    scale = measure_scale(db, code)
    rows = rows.assign(tied=tie_counts(rows)) if code.startswith("index:") else rows
    sources = map_sources(db, actor, code, year, scored)
    values = [_row({**r, "sources": sources.get(r["target"], "")}, names, option["unit"], scale)
              for r in rows.to_dict("records")]
    return {"actor": actor, "actor_name": codebook().actors[actor], "actors": codebook().actors,
            "colour": codebook().actor_info[actor].colour,
            "measure": code, "label": option["label"], "unit": option["unit"],
            "kind": option["kind"], "scale": scale, "year": year, "years": years, "year_reason": reason,
            "values": values, "not_ranked": _not_ranked(db, actor, code, year, names),
            "shapes": sorted(mapped_countries()), "with_value": len(values),
            "options": options_with_data(db, actor, code, memo), "rank_note": RANK_NOTE, "score_note": SCORE_NOTE,
            "scale_note": SCALE_NOTE if code.startswith("index:") else ""}


def map_sources(db: Database, actor: str, code: str, year: int | None,
                scored: dict[str, dict[str, dict]] | None = None) -> dict[str, str]:
    """target -> the sources its score at an index, pillar or domain rests on in `year`
    (`web.actorscores.with_sources` over the node's subtree, from the stored per-score
    components of the actor-year, `scored`: `web.actorscores.year_slice`, read in one query
    when not given); {} for an indicator."""
    parts = code.split(":")
    if year is None or len(parts) != 3 or parts[0] != "index":
        return {}
    nodes = run_nodes(db)
    kids = {n["node"]: n.get("children", []) for n in nodes}
    level_of = {n["node"]: n["level"] for n in nodes}
    subtree, todo = [], [parts[2]]
    while todo:
        n = todo.pop()
        if n in level_of:
            subtree.append(n)
            todo += [k for k in kids.get(n, []) if k in level_of]
    scored = scored if scored is not None else year_slice(db, no_memo, actor, year)
    found = {n: {t: r.get("components") for t, r in scored.get(n, {}).items()}
             for n in subtree}
    partial = load_spec().stages.get("screen", {}).get("partial", [])
    out = {}
    for target in set().union(*(set(f) for f in found.values())):
        rows = [{"level": level_of[n], "node": n, "components": found[n].get(target),
                 "value": 1.0 if names(found[n].get(target)) else None} for n in subtree]
        out[target] = next(r["sources"] for r in with_sources(rows, nodes, partial)
                           if r["node"] == parts[2])
    return out


def measure_scale(db: Database, code: str) -> str:
    """'0-100, higher = more influence' for an index, pillar or domain (`index.scales`);
    '' for an indicator (its unit says what it is)."""
    parts = code.split(":")
    if len(parts) != 3 or parts[0] != "index":
        return ""
    return scale_text(parts[1], parts[2], run_nodes(db))


def _not_ranked(db: Database, actor: str, code: str, year: int | None,
                names: dict) -> list[dict]:
    """Targets screening left out of an index or pillar ranking in the year: target, name,
    reason in plain words (`analysis.indexscores.plain_reason`: "data on only 67% of the
    pillars it combines (...); a score needs all of them ..."; domains and indicators:
    none)."""
    parts = code.split(":")
    if year is None or len(parts) != 3 or parts[0] != "index" or parts[1] == "domain":
        return []
    out = left_out(db, actor, year, parts[1], parts[2])
    nodes = {n["node"]: n for n in run_nodes(db)}
    return sorted(({"target": t, "name": names.get(t, t),
                    "reason": plain_reason(nodes.get(n, {}), c, thr)}
                   for n, t, c, thr in zip(out["node"], out["target"], out["coverage"],
                                           out["threshold"])), key=lambda r: r["name"])


def _row(r: dict, names: dict, unit: str, scale: str = "") -> dict:
    name = names.get(r["target"], r["target"])
    hover = f"<b>{name}</b>: {fmt(r['value'], 2)} {unit}" + (f" ({scale})" if scale else "")
    said = reading(r["value"], r.get("ci_low"), r.get("ci_high"), r.get("rank"),
                   r.get("rank_low"), r.get("rank_high"), int(r.get("tied") or 0),
                   r.get("n_ranked"), scale=FULL_SCALE if scale else None)
    if said["interval"]:
        hover += f"<br>95% interval {said['interval']}"
    elif said["note"]:
        hover += f"<br>{said['note']}"
    ranked = said["rank"]
    if ranked:
        hover += f"<br>rank {ranked}"
    lines = detail_lines(r) + ([r["sources"]] if r.get("sources") else [])
    hover += "".join(f"<br>{line}" for line in lines)
    keep = ("target", "value", "se", "ci_low", "ci_high", "n", "rank", "rank_low", "rank_high",
            *DETAIL)
    return {**{k: r.get(k) for k in keep}, "name": name, "rank_text": ranked,
            "interval_text": said["interval"], "interval_note": said["note"],
            "detail": "; ".join(lines), "hover": hover}


def stored_default(request: Request, actor: str | None, measure: str | None,
                   year: int | None) -> dict | None:
    """An actor's default map (no measure, no year) as the build stored it, when current
    (`web.profiles.stored_page`); None otherwise."""
    if measure is not None or year is not None:
        return None
    return stored_page(store(request), f"map:{check_actor(actor)}", cache(request).version())


def stored_pages(db: Database, memo: Memo) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_profiles`): each
    actor's default map."""
    return {f"map:{actor}": map_data(db, actor, memo=memo) for actor in codebook().actors}


def map_figure(data: dict) -> dict:
    return figures.choropleth(data)


@page(router, "/map")
def map_page(request: Request, actor: str | None = None, measure: str | None = None,
             year: int | None = None):
    """Choropleth of a measure by actor and year (countries without a value: no data)."""
    key = ("map", actor, measure, year)
    memo = cache(request).get
    data = memo(key, lambda: stored_default(request, actor, measure, year)
                or map_data(store(request), actor, measure, year, memo))
    return respond(request, "map.html", data, key=key,
                   figures=lambda d: {"map": map_figure(d), "world": plotly_topojson()})


@router.get("/", include_in_schema=False)
def home(request: Request):
    """The dashboard opens on the map."""
    return map_page(request)


@router.get("/find", include_in_schema=False)
def find_country(request: Request, q: str = ""):
    """The finder without JavaScript: a typed name, alias or ISO3 code opens its profile."""
    iso3 = find(q)
    if iso3 is None:
        raise NotFound(f"no country called {q!r}: type a name such as Sweden, an alias such as "
                       "\"Korea, Rep.\" or an ISO3 code such as SWE")
    return RedirectResponse(f"/country/{iso3}", status_code=303)


@router.get("/favicon.ico", include_in_schema=False)
def favicon():
    return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


def write_report_maps(site) -> None:
    """The report's maps: one per declared actor (`map-CHN`), the first actor's also as
    `map` and as the report's front page `index`."""
    world = plotly_topojson()
    for i, actor in enumerate(codebook().actors):
        data = map_data(site.db, actor)

        def figs(d):
            return {"map": map_figure(d), "world": world}
        site.write(f"map-{actor}", "map.html", data, figs)
        if i == 0:
            site.write("map", "map.html", data, figs)
            site.write("index", "map.html", data, figs)


PAGE = Page("/map", "Map", "map.html", nav=10, in_report=True, write=write_report_maps)
