"""Country profile: pillar and domain scores with rank intervals, the attraction trend with
its 95% band and historic highs, perceived influence, quadrant and vulnerability, resilience
covariates, and the evidence list; China and Russia side by side.

Every number comes from a library function (analysis measures, index scores, the evidence
ledger). Frames covering all targets are memoised per store version by the caller's
`memo(key, compute)`, so a profile after the first costs a few filters.
"""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from sharppower.analysis.common import measure
from sharppower.analysis.profile import ATTRACTION, attraction_series, latest_covariates
from sharppower.analysis.profile import series_flags as opinion_series_flags
from sharppower.index.nodes import run_nodes
from sharppower.store import Database
from sharppower.web import figures
from sharppower.web.lookup import check_year, codebook, countries, country
from sharppower.web.memo import Memo, memo_reader, no_memo
from sharppower.web.routing import cache, cached_json, page, respond, store

router = APIRouter(tags=["countries"])


def score_nodes(db: Database | None = None) -> list[tuple[str, str, str]]:
    """(level, code, label) of the stored run's indices, pillars and domains."""
    return [(n["level"], n["node"], n["label"]) for n in run_nodes(db)]


def _measure(db: Database, memo: Memo, actor: str, name: str) -> pd.DataFrame:
    return memo_reader(memo, measure)(db, actor, name)


def _records(frame: pd.DataFrame, iso3: str) -> list[dict]:
    return frame[frame["target"] == iso3].to_dict("records")


def scores(db: Database, memo: Memo, iso3: str, year: int | None) -> tuple[int | None, list[dict]]:
    """Index, pillar and domain scores of the target for each actor in `year` (default:
    the latest year with an index score for the target)."""
    nodes = memo(("score_nodes",), lambda: score_nodes(db))
    frames = {(a, lvl, code): _measure(db, memo, a, f"index:{lvl}:{code}")
              for a in codebook().actors for lvl, code, _ in nodes}
    if year is None:
        years = [int(y) for f in frames.values() for y in f.loc[f["target"] == iso3, "year"]
                 if pd.notna(y)]
        year = max(years) if years else None
    labels = {(lv, c): lb for lv, c, lb in nodes}
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
    measure_ = code.removeprefix("att_")
    return memo(("opinion_changes", actor, measure_),
                lambda: opinion_series_flags(db, actor, code))


def attraction(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Per actor and attraction indicator: yearly points with 95% intervals, the highest
    wave and the historic highs (`analysis.profile.attraction_series`)."""
    return attraction_series(db, iso3, memo_reader(memo, measure),
                             lambda d, a, c: opinion_changes(d, memo, a, c))


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
    """Latest value of each resilience covariate of the target
    (`analysis.profile.latest_covariates`)."""
    return latest_covariates(db, iso3, "resilience", memo_reader(memo, measure))


def evidence(db: Database, iso3: str) -> list[dict]:
    from sharppower.measures.evidence import ledger

    frame = ledger.list_evidence(db, target=iso3)
    return frame.sort_values("start_date", ascending=False).to_dict("records")


def media(db: Database, iso3: str) -> list[dict]:
    """State-media reuse values with their outlets and example pairs (measures.media)."""
    from sharppower.measures.media.profile import media_profile

    return media_profile(db, iso3)


def profile_data(db: Database, code: str, year: int | None = None, memo: Memo = no_memo) -> dict:
    """Everything the profile shows (see the module doc); NotFound for an unknown country."""
    place = country(db, code)
    check_year(db, year)
    iso3 = place["iso3"]
    year, score_rows = scores(db, memo, iso3, year)
    return {"country": place, "year": year, "actors": codebook().actors, "scores": score_rows,
            "has_scores": any(r["value"] is not None and pd.notna(r["value"]) for r in score_rows),
            "attraction": attraction(db, memo, iso3), **analyses(db, memo, iso3, year),
            "resilience": resilience(db, memo, iso3), "evidence": evidence(db, iso3),
            "media": media(db, iso3)}


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
