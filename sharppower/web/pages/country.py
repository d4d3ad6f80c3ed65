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
from sharppower.index.nodes import default_year, run_nodes
from sharppower.store import Database
from sharppower.web import figures
from sharppower.web.lookup import check_year, codebook, countries, country
from sharppower.web.memo import Memo, memo_reader, no_memo
from sharppower.web.routing import cache, cached_json, page, respond, store
from sharppower.web.scoretext import (
    DETAIL,
    RANK_NOTE,
    SCORE_NOTE,
    detail_lines,
    rank_text,
    score_detail,
)

router = APIRouter(tags=["countries"])


def score_nodes(db: Database | None = None) -> list[tuple[str, str, str]]:
    """(level, code, label) of the stored run's indices, pillars and domains."""
    return [(n["level"], n["node"], n["label"]) for n in run_nodes(db)]


def _measure(db: Database, memo: Memo, actor: str, name: str) -> pd.DataFrame:
    return memo_reader(memo, measure)(db, actor, name)


def _records(frame: pd.DataFrame, iso3: str) -> list[dict]:
    return frame[frame["target"] == iso3].to_dict("records")


def _detail(db: Database, memo: Memo, actor: str, code: str) -> dict:
    """(target, year) -> the index's per-score detail (coverage, components, stale ...)."""
    def build() -> dict:
        frame = score_detail(db, actor, code)
        return {(t, int(y)): r for t, y, r in zip(frame["target"], frame["year"],
                                                     frame.to_dict("records"))}
    return memo(("score_detail_by_target", actor, code), build)


def profile_year(db: Database, memo: Memo, frames: dict, iso3: str, year: int | None,
                 survey_years: set[int]) -> tuple[int | None, list[int], str]:
    """The year shown, the years to pick from (with a score or a survey value for the
    target), and why this year: the one asked for, else the index's default year
    (`index.nodes.default_year`) when the target has a score in it, else the target's
    latest year with a score, else its latest survey year."""
    scored = {int(y) for f in frames.values() for y in f.loc[f["target"] == iso3, "year"]
              if pd.notna(y)}
    years = sorted(scored | survey_years)
    if year is not None:
        return year, years, f"Showing {year}, the year chosen."
    actor = next(iter(codebook().actors))
    default = memo(("default_year", actor), lambda: default_year(db, actor))
    if default in years:
        return default, years, (f"Showing {default}: the index's default year (the latest "
                                "year ranking enough targets; later years are partial).")
    if scored:
        return max(scored), years, (f"Showing {max(scored)}: the latest year with a score for "
                                    f"this country (the index's default year {default} has "
                                    "none).")
    if years:
        return years[-1], years, (f"Showing {years[-1]}: no index score for this country; "
                                  "the latest year with a survey value.")
    return None, years, "No index score or survey value for this country in any year."


def scores(db: Database, memo: Memo, iso3: str, year: int | None,
           survey_years: set[int] = frozenset()) -> tuple[int | None, list[dict], list[int], str]:
    """Index, pillar and domain scores of the target for each actor in the year shown
    (`profile_year`), each with its 95% interval, rank interval and the index's detail."""
    nodes = memo(("score_nodes",), lambda: score_nodes(db))
    frames = {(a, lvl, code): _measure(db, memo, a, f"index:{lvl}:{code}")
              for a in codebook().actors for lvl, code, _ in nodes}
    year, years, reason = profile_year(db, memo, frames, iso3, year, set(survey_years))
    labels = {(lv, c): lb for lv, c, lb in nodes}
    rows = []
    for (actor, level, code), frame in frames.items():
        hit = frame[(frame["target"] == iso3) & (frame["year"] == year)]
        rec = hit.iloc[0].to_dict() if not hit.empty else {}
        detail = _detail(db, memo, actor, f"index:{level}:{code}").get((iso3, year), {})
        rows.append({"actor": actor, "level": level, "node": code,
                     "label": labels[(level, code)],
                     **{k: rec.get(k) for k in ("value", "ci_low", "ci_high", "rank",
                                                "rank_low", "rank_high")},
                     "rank_text": rank_text(rec.get("rank"), rec.get("rank_low"),
                                            rec.get("rank_high")),
                     **{k: detail.get(k) for k in DETAIL},
                     "detail": "; ".join(detail_lines(detail))})
    return year, rows, years, reason


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
    attracted = attraction(db, memo, iso3)
    survey = {int(p["year"]) for s in attracted for p in s["points"] if p.get("value") is not None}
    year, score_rows, years, reason = scores(db, memo, iso3, year, survey)
    return {"country": place, "year": year, "years": years, "year_reason": reason,
            "rank_note": RANK_NOTE, "score_note": SCORE_NOTE,
            "actors": codebook().actors, "scores": score_rows,
            "has_scores": any(r["value"] is not None and pd.notna(r["value"]) for r in score_rows),
            "attraction": attracted, **analyses(db, memo, iso3, year),
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
