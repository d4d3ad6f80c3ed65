"""Country profile: pillar and domain scores with rank intervals, the attraction trend with
its 95% band and historic highs, perceived influence, quadrant and vulnerability, resilience
covariates, and the evidence list; China and Russia side by side.

Every number comes from a library function (analysis measures, index scores, the evidence
ledger). Frames covering all targets are memoised per store version by the caller's
`memo(key, compute)` and split by target, so a profile after the first costs dictionary
lookups; for the default year the build stores each profile's core
(`sharppower.web.profiles`), so even the first visitor after a build is served at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from sharppower.analysis.common import measure
from sharppower.analysis.indexscores import not_scored
from sharppower.analysis.profile import (
    ATTRACTION,
    attraction_by_target,
    latest_covariates_by_target,
)
from sharppower.analysis.profile import series_flags as opinion_series_flags
from sharppower.index.nodes import default_year, run_nodes
from sharppower.measures.evidence import count_evidence, list_evidence
from sharppower.measures.media.profile import media_profile
from sharppower.store import Database
from sharppower.store.lookups import country_names, observed_targets
from sharppower.web import figures
from sharppower.web.cache import data_version, store_version
from sharppower.web.lookup import check_year, codebook, countries, country
from sharppower.web.memo import Memo, dict_memo, memo_reader, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import inputs_fingerprint, reuse, stored_profile, write_profiles
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


def _by_target(memo: Memo, key: tuple, compute) -> dict[str, list[dict]]:
    """A frame covering every target (`compute()`), turned into records once per store
    version and split into target -> its records, so that each profile costs a lookup."""
    def split() -> dict[str, list[dict]]:
        frame = compute()
        if frame.empty or "target" not in frame.columns:
            return {}
        out: dict[str, list[dict]] = {}
        for rec in frame.to_dict("records"):
            out.setdefault(rec["target"], []).append(rec)
        return out
    return memo(("by_target", *key), split)


def _records(groups: dict[str, list[dict]], iso3: str) -> list[dict]:
    return list(groups.get(iso3, []))


def _by_target_year(memo: Memo, key: tuple, compute) -> dict[tuple[str, int], dict]:
    """A frame covering every target as (target, year) -> its row (the last one)."""
    def index() -> dict[tuple[str, int], dict]:
        frame = compute()
        if frame.empty:
            return {}
        years = frame["year"].astype(int).tolist()
        return dict(zip(zip(frame["target"].tolist(), years), frame.to_dict("records")))
    return memo(("by_target_year", *key), index)


def _detail(db: Database, memo: Memo, actor: str, code: str, iso3: str, year: int | None) -> dict:
    """The index's per-score detail (coverage, components, stale ...) of one score."""
    return _by_target_year(memo, ("score_detail", actor, code),
                           lambda: score_detail(db, actor, code)).get((iso3, year), {})


def _score_years(frames) -> dict[str, set[int]]:
    """target -> the years in which it has any index, pillar or domain score."""
    out: dict[str, set[int]] = {}
    for frame in frames:
        for target, year in frame:
            out.setdefault(target, set()).add(year)
    return out


def profile_year(db: Database, memo: Memo, scored: set[int], year: int | None,
                 survey_years: set[int]) -> tuple[int | None, list[int], str]:
    """The year shown, the years to pick from (with a score, `scored`, or a survey value
    for the target), and why this year: the one asked for, else the index's default year
    (`index.nodes.default_year`) when the target has a score in it, else the target's
    latest year with a score, else its latest survey year."""
    years = sorted(scored | survey_years)
    if year is not None:
        return year, years, f"Showing {year}, the year chosen."
    actor = next(iter(codebook().actors))
    default = memo(("default_year", actor), lambda: default_year(db, actor))
    if default in years:
        return default, years, (f"Showing {default}: the index's default year (the latest "
                                "year ranking enough targets on mostly current data; later years have fewer or mostly stale values).")
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
    frames = {(a, lvl, code): _by_target_year(memo, ("measure", a, f"index:{lvl}:{code}"),
                                              lambda a=a, m=f"index:{lvl}:{code}":
                                              memo_reader(memo, measure)(db, a, m))
              for a in codebook().actors for lvl, code, _ in nodes}
    years_of = memo(("score_years",), lambda: _score_years(frames.values()))
    year, years, reason = profile_year(db, memo, years_of.get(iso3, set()), year,
                                       set(survey_years))
    labels = {(lv, c): lb for lv, c, lb in nodes}
    reasons = memo(("not_scored",), lambda: not_scored(db))
    rows = []
    for (actor, level, code), frame in frames.items():
        rec = frame.get((iso3, year), {})
        detail = _detail(db, memo, actor, f"index:{level}:{code}", iso3, year)
        why = None if rec else reasons.get((actor, code, iso3, year))
        rows.append({"actor": actor, "level": level, "node": code,
                     "label": labels[(level, code)],
                     **{k: rec.get(k) for k in ("value", "ci_low", "ci_high", "rank",
                                                "rank_low", "rank_high")},
                     "rank_text": rank_text(rec.get("rank"), rec.get("rank_low"),
                                            rec.get("rank_high")),
                     **{k: detail.get(k) for k in DETAIL},
                     "not_scored": why,
                     "detail": f"not scored: {why}" if why else "; ".join(detail_lines(detail))})
    return year, rows, years, reason


def opinion_changes(db: Database, memo: Memo, actor: str, code: str) -> pd.DataFrame:
    """The opinion engine's series flags (historic_high, series_high ...) for every public."""
    measure_ = code.removeprefix("att_")
    return memo(("opinion_changes", actor, measure_),
                lambda: opinion_series_flags(db, actor, code))


def attraction(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Per actor and attraction indicator: yearly points with 95% intervals, the highest
    wave and the historic highs (`analysis.profile.attraction_by_target`, every target's
    computed once per store version)."""
    read = memo_reader(memo, measure)

    def flags(d: Database, actor: str, code: str) -> pd.DataFrame:
        return opinion_changes(d, memo, actor, code)
    return memo(("attraction_by_target",), lambda: attraction_by_target(db, read, flags))(iso3)


def analyses(db: Database, memo: Memo, iso3: str, year: int | None) -> dict:
    """Perceived influence, quadrant and vulnerability rows of the target, per actor."""
    from sharppower import analysis

    out: dict[str, list] = {"perceived": [], "quadrant": [], "vulnerability": []}
    for actor in codebook().actors:
        out["perceived"] += _records(_by_target(memo, ("perceived", actor), lambda a=actor:
                                                analysis.perceived_influence(db, a)), iso3)
        if year is not None:
            out["quadrant"] += _records(_by_target(memo, ("quadrants", actor, year), lambda a=actor:
                                                   analysis.quadrants(db, a, year)), iso3)
            out["vulnerability"] += _records(_by_target(
                memo, ("vulnerability", actor, year),
                lambda a=actor: analysis.vulnerability(db, a, year)), iso3)
    return out


def resilience(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Latest value of each resilience covariate of the target
    (`analysis.profile.latest_covariates_by_target`, reduced once per store version)."""
    rows = memo(("resilience_by_target",), lambda: latest_covariates_by_target(
        db, "resilience", memo_reader(memo, measure)))
    return rows(iso3)


EVIDENCE_SHOWN = 50  # the profile lists the newest records; the browser has them all


def evidence(db: Database, iso3: str) -> dict:
    """The target's evidence: `records`, the EVIDENCE_SHOWN newest (newest first), and
    `counts` per origin and status with the `total`."""
    counts = count_evidence(db, target=iso3)
    newest = list_evidence(db, target=iso3, newest=EVIDENCE_SHOWN, codebook=codebook())
    return {"records": newest.to_dict("records"),
            "counts": counts.to_dict("records"), "total": int(counts["records"].sum()),
            "shown": EVIDENCE_SHOWN}


def media(db: Database, iso3: str) -> list[dict]:
    """State-media reuse values with their outlets and example pairs (measures.media)."""
    return media_profile(db, iso3)


def profile_core(db: Database, code: str, year: int | None = None,
                 memo: Memo = no_memo) -> dict:
    """What the profile shows from the build's data (scores, attraction, analyses,
    resilience): the part `sharppower.web.profiles` stores during `build` for the default
    year. NotFound for an unknown country."""
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
            "resilience": resilience(db, memo, iso3)}


def live_parts(db: Database, iso3: str) -> dict:
    """What the profile reads live on every request: the evidence ledger (reviews change it
    between builds) and the media reuse values."""
    found = evidence(db, iso3)
    return {"evidence": found.pop("records"), "evidence_summary": found,
            "media": media(db, iso3)}


def profile_data(db: Database, code: str, year: int | None = None, memo: Memo = no_memo) -> dict:
    """Everything the profile shows (see the module doc); NotFound for an unknown country."""
    core = profile_core(db, code, year, memo)
    return {**core, **live_parts(db, core["country"]["iso3"])}


def store_profiles(db: Database, progress: Callable[[int, int], None] | None = None
                   ) -> dict[str, Any]:
    """Compute the profile core of every country with data for the default year once and
    store it
    (`sharppower.web.profiles`; only re-stamped when the inputs are unchanged). Returns
    profiles (how many), reused (bool) and seconds. The last act of `build`."""
    started = time.perf_counter()
    stamp, inputs = data_version(store_version(db)), inputs_fingerprint(db)
    kept = reuse(db, stamp, inputs)
    if kept is not None:
        return {"profiles": kept, "reused": True, "seconds": time.perf_counter() - started}
    memo = dict_memo()
    observed = observed_targets(db)  # a country without data is quick to compute anyway
    codes = [c for c in countries(db)["iso3"].tolist() if c in observed]
    cores = {}
    for i, code in enumerate(codes):
        cores[code] = profile_core(db, code, None, memo)
        if progress:
            progress(i + 1, len(codes))
    stored = write_profiles(db, cores, stamp, inputs)
    return {"profiles": stored, "reused": False, "seconds": time.perf_counter() - started}


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


def stored_or_computed(request: Request, code: str, year: int | None) -> dict:
    """The profile: for the default year, the core the build stored (`web.profiles`) when it
    is current, with the live parts; else computed (memoising the shared frames)."""
    db, memo = store(request), cache(request).get
    if year is None:
        place = country(db, code)
        core = stored_profile(db, place["iso3"], cache(request).version())
        if core is not None:
            return {**core, **live_parts(db, place["iso3"])}
    return profile_data(db, code, year, memo)


def render_profile(request: Request, code: str, year: int | None, key: tuple):
    data = cache(request).get(key, lambda: stored_or_computed(request, code, year))
    return respond(request, "country.html", data, figures=profile_figures, key=key)


@page(router, "/country/{code}")
async def country_page(request: Request, code: str, year: int | None = None):
    """One target country's profile (ISO3 code or English name)."""
    key = ("profile", code.upper(), year)
    fast = cached_json(request, key)
    if fast is not None:
        return fast
    return await run_in_threadpool(render_profile, request, code, year, key)


def profiled_countries(db: Database) -> list[str]:
    """Countries with any observation or evidence record (the others would be empty)."""
    targets = observed_targets(db) | set(list_evidence(db)["target"])
    return sorted(targets & set(country_names(db)))


def write_report_profiles(site) -> None:
    """The report's profiles: one page per country with any data (`country/SWE`)."""
    codes = site.remember(("profiled_countries",), lambda: profiled_countries(site.db))
    for code in codes:
        data = profile_data(site.db, code, memo=site.remember)
        site.write(f"country/{code}", "country.html", data, profile_figures)
    site.summary.countries = codes


def write_report_countries(site) -> None:
    """The report's list of countries: those with a profile in the report."""
    codes = set(site.remember(("profiled_countries",), lambda: profiled_countries(site.db)))
    listing = countries_data(site.db)
    listing["countries"] = [c for c in listing["countries"] if c["iso3"] in codes]
    site.write("countries", "countries.html", listing)


PAGE = (Page("/countries", "Countries", "countries.html", nav=20, in_report=True,
             write=write_report_countries),
        Page("/country/{code}", "Country profile", "country.html", in_report=True,
             write=write_report_profiles))
