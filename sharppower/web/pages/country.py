"""Country profile: pillar and domain scores with rank intervals, the attraction trend with
its 95% band and historic highs, perceived influence, quadrant and vulnerability, resilience
covariates, and the evidence list; China and Russia side by side.

Every number comes from a library function (analysis measures, index scores, the evidence
ledger). Frames covering all targets are memoised per store version by the caller's
`memo(key, compute)`, so a profile after the first costs a few filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from sharppower.store import Database
from sharppower.web import figures
from sharppower.web.lookup import check_year, codebook, countries, country
from sharppower.web.routing import cache, cached_json, page, respond, store

router = APIRouter(tags=["countries"])
Memo = Callable[[Any, Callable[[], Any]], Any]
ATTRACTION = ("att_favorable", "att_unfavorable")


def no_memo(key: Any, compute: Callable[[], Any]) -> Any:
    return compute()


def score_nodes() -> list[tuple[str, str, str]]:
    """(level, code, label) of the influence index, every pillar and every domain."""
    book = codebook()
    nodes = [("index", "influence", "Influence index")]
    nodes += [("pillar", p, spec["name"]) for p, spec in book.pillars.items()]
    nodes += [("domain", d, name) for spec in book.pillars.values()
              for d, name in spec["domains"].items()]
    return nodes


def _measure(db: Database, memo: Memo, actor: str, name: str) -> pd.DataFrame:
    from sharppower.analysis.common import measure

    return memo(("measure", actor, name), lambda: measure(db, actor, name))


def _records(frame: pd.DataFrame, iso3: str) -> list[dict]:
    return frame[frame["target"] == iso3].to_dict("records")


def scores(db: Database, memo: Memo, iso3: str, year: int | None) -> tuple[int | None, list[dict]]:
    """Index, pillar and domain scores of the target for each actor in `year` (default:
    the latest year with an index score for the target)."""
    frames = {(a, lvl, code): _measure(db, memo, a, f"index:{lvl}:{code}")
              for a in codebook().actors for lvl, code, _ in score_nodes()}
    if year is None:
        years = [int(y) for f in frames.values() for y in f.loc[f["target"] == iso3, "year"]
                 if pd.notna(y)]
        year = max(years) if years else None
    labels = {(lv, c): lb for lv, c, lb in score_nodes()}
    rows = []
    for (actor, level, code), frame in frames.items():
        hit = frame[(frame["target"] == iso3) & (frame["year"] == year)]
        rec = hit.iloc[0].to_dict() if not hit.empty else {}
        rows.append({"actor": actor, "level": level, "node": code,
                     "label": labels[(level, code)],
                     **{k: rec.get(k) for k in ("value", "ci_low", "ci_high", "rank",
                                                "rank_low", "rank_high")}})
    return year, rows


def opinion_changes(db: Database, memo: Memo, actor: str, code: str) -> pd.DataFrame:
    """The opinion engine's series flags (historic_high, series_high ...) for every public."""
    from sharppower.measures.opinion import api as opinion

    measure = code.removeprefix("att_")

    def compute() -> pd.DataFrame:
        if opinion.estimates(db, actor).empty:  # no survey loaded (starter data only)
            return pd.DataFrame()
        return opinion.changes(db, actor, None, measure)
    return memo(("opinion_changes", actor, measure), compute)


def attraction(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Per actor and attraction indicator: yearly points with 95% intervals, the highest
    wave (`high`) and the waves that set a historic high (`historic_highs`), as the opinion
    engine flags them; without an engine series (starter data), `high` is the highest
    point shown."""
    book, out = codebook(), []
    for code in ATTRACTION:
        for actor, actor_name in book.actors.items():
            pts = [{k: r.get(k) for k in ("year", "value", "ci_low", "ci_high", "n", "source")}
                   for r in _records(_measure(db, memo, actor, code), iso3)]
            pts = sorted(pts, key=lambda p: p["year"])
            have = [p for p in pts if pd.notna(p["value"])]
            flags = opinion_changes(db, memo, actor, code)
            flags = flags[flags["public"] == iso3] if not flags.empty else flags
            top = flags[flags["series_high"].astype(bool)] if not flags.empty else flags
            if not top.empty:
                high = {"year": int(top["year"].iloc[-1]), "value": float(top["value"].iloc[-1])}
            else:
                high = max(have, key=lambda p: p["value"]) if have else None
            records = (flags[flags["historic_high"].astype(bool)][["year", "value"]]
                       .to_dict("records") if not flags.empty else [])
            out.append({"indicator": code, "name": book.indicator(code)["name"], "actor": actor,
                        "actor_name": actor_name, "points": pts, "high": high,
                        "historic_highs": records, "latest": have[-1] if have else None})
    return out


def analyses(db: Database, memo: Memo, iso3: str, year: int | None) -> dict:
    """Perceived influence, quadrant and vulnerability rows of the target, per actor."""
    from sharppower import analysis

    out: dict[str, list] = {"perceived": [], "quadrant": [], "vulnerability": []}
    for actor in codebook().actors:
        out["perceived"] += _records(memo(("perceived", actor), lambda a=actor:
                                          analysis.perceived_influence(db, a)), iso3)
        if year is not None:
            out["quadrant"] += _records(memo(("quadrants", actor, year), lambda a=actor:
                                             analysis.quadrants(db, a, year)), iso3)
            out["vulnerability"] += _records(memo(("vulnerability", actor, year), lambda a=actor:
                                                  analysis.vulnerability(db, a, year)), iso3)
    return out


def resilience(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Latest value of each resilience covariate of the target (target-only indicators)."""
    from sharppower.analysis.common import read_observations

    ind = codebook().indicators
    rows = []
    for r in ind[ind["pillar"] == "resilience"].itertuples(index=False):
        frame = memo(("observations", r.code), lambda c=r.code: read_observations(db, c, None))
        have = [x for x in _records(frame, iso3) if pd.notna(x["value"])]
        last = max(have, key=lambda x: x["year"]) if have else {}
        rows.append({"indicator": r.code, "name": r.name, "domain": r.domain, "unit": r.unit,
                     "direction": r.direction, "source": r.source, "year": last.get("year"),
                     "value": last.get("value"), "years": len(have)})
    return rows


def evidence(db: Database, iso3: str) -> list[dict]:
    from sharppower.measures.evidence import ledger

    frame = ledger.list_evidence(db, target=iso3)
    return frame.sort_values("start_date", ascending=False).to_dict("records")


def profile_data(db: Database, code: str, year: int | None = None, memo: Memo = no_memo) -> dict:
    """Everything the profile shows (see the module doc); NotFound for an unknown country."""
    place = country(db, code)
    check_year(db, year)
    iso3 = place["iso3"]
    year, score_rows = scores(db, memo, iso3, year)
    return {"country": place, "year": year, "actors": codebook().actors, "scores": score_rows,
            "has_scores": any(r["value"] is not None and pd.notna(r["value"]) for r in score_rows),
            "attraction": attraction(db, memo, iso3), **analyses(db, memo, iso3, year),
            "resilience": resilience(db, memo, iso3), "evidence": evidence(db, iso3)}


def profile_figures(data: dict) -> dict:
    figs = {}
    for code in ATTRACTION:
        series = [s for s in data["attraction"] if s["indicator"] == code]
        if any(s["points"] for s in series):
            figs[code] = figures.trend(series, series[0]["name"], "percent of adults")
    return figs


def countries_data(db: Database) -> dict:
    """Every country with its region (links to the profiles)."""
    return {"countries": countries(db).to_dict("records")}


@page(router, "/countries")
def countries_page(request: Request):
    """Every country of the store, with links to its profile."""
    data = cache(request).get(("countries",), lambda: countries_data(store(request)))
    return respond(request, "countries.html", data)


def render_profile(request: Request, code: str, year: int | None, key: tuple):
    memo = cache(request).get
    data = memo(key, lambda: profile_data(store(request), code, year, memo))
    return respond(request, "country.html", data, figures=profile_figures, key=key)


@page(router, "/country/{code}")
async def country_page(request: Request, code: str, year: int | None = None):
    """One target country's profile (ISO3 code or English name)."""
    key = ("profile", code.upper(), year)
    fast = cached_json(request, key)
    if fast is not None:
        return fast
    return await run_in_threadpool(render_profile, request, code, year, key)
