"""Country profile: every declared actor side by side (index, pillar and domain scores
with 95% and rank intervals and the components they rest on, each actor in its own
default year; `web.actorscores`), the attraction trend with its 95% band and historic
highs, perceived influence, quadrant and vulnerability, resilience covariates, and the
evidence list.

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

from sharppower import forking
from sharppower.analysis.common import measure
from sharppower.analysis.ledgers import no_evidence_text
from sharppower.analysis.profile import (
    ATTRACTION,
    attraction_by_target,
    latest_covariates_by_target,
)
from sharppower.analysis.profile import series_flags as opinion_series_flags
from sharppower.index.scales import (
    ATTRACTION_NOTE,
    SCALE_NOTE,
    VULNERABILITY_NOTE,
    covariate_direction,
)
from sharppower.measures.evidence import count_evidence, list_evidence
from sharppower.measures.media.profile import media_profile
from sharppower.store import Database
from sharppower.store.lookups import country_names, observed_targets
from sharppower.web import figures
from sharppower.web.actorscores import (
    empty_domains_page,
    share_target_years,
    side_by_side,
    target_years,
    year_analyses,
)
from sharppower.web.cache import ReadOnce, data_version, store_version
from sharppower.web.lookup import check_year, codebook, countries, country
from sharppower.web.memo import Memo, by_target, dict_memo, memo_reader, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import (
    WHOLE_VERSION,
    input_parts,
    inputs_fingerprint,
    pages_fingerprint,
    reuse,
    reuse_pages,
    stored_profile,
    write_pages,
    write_profiles,
)
from sharppower.web.routing import cache, cached_json, page, respond, store
from sharppower.web.scoretext import RANK_NOTE, SCORE_NOTE

router = APIRouter(tags=["countries"])


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


def analyses(db: Database, memo: Memo, iso3: str, years: dict[str, int | None],
             perceived: list[dict] | None = None) -> dict:
    """Perceived influence, quadrant and vulnerability rows of the target, per actor (the
    last two in the actor's year, `years`: actor -> year; `perceived`: the rows already
    known, from a stored profile: they do not depend on the year)."""
    from sharppower import analysis

    out: dict[str, list] = {"perceived": list(perceived or []), "quadrant": [],
                            "vulnerability": []}
    for actor, year in years.items():
        if perceived is None:
            out["perceived"] += _records(by_target(memo, ("perceived", actor), lambda a=actor:
                                                   analysis.perceived_influence(db, a)), iso3)
        if year is not None:  # from the actor-year's one read (`actorscores.year_analyses`)
            both = memo(("year_analyses", actor, year),
                        lambda a=actor, y=year: year_analyses(db, memo, a, y))
            out["quadrant"] += _records(by_target(memo, ("quadrants", actor, year),
                                                  lambda b=both: b[0]), iso3)
            out["vulnerability"] += _records(by_target(memo, ("vulnerability", actor, year),
                                                       lambda b=both: b[1]), iso3)
    return out


def _records(groups: dict[str, list[dict]], iso3: str) -> list[dict]:
    return list(groups.get(iso3, []))


def resilience(db: Database, memo: Memo, iso3: str) -> list[dict]:
    """Latest value of each resilience covariate of the target
    (`analysis.profile.latest_covariates_by_target`, reduced once per store version), with
    how to read it (`reading`: 'higher = more resilient' or 'higher = less resilient')."""
    rows = memo(("resilience_by_target",), lambda: latest_covariates_by_target(
        db, "resilience", memo_reader(memo, measure)))
    return [{**r, "reading": covariate_direction(r.get("direction"))} for r in rows(iso3)]


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


YEARLESS = ("attraction", "perceived", "resilience")  # parts of a core no year changes


def profile_core(db: Database, code: str, year: int | None = None,
                 memo: Memo = no_memo, stored: dict | None = None) -> dict:
    """What the profile shows from the build's data: every declared actor side by side
    (`by_actor`: each in its own default year unless `year` is asked, with scores,
    intervals, ranks, components or why not scored; `web.actorscores`), the attraction
    series, perceived influence, quadrant, vulnerability and resilience: the part
    `sharppower.web.profiles` stores during `build`. `stored`: the target's stored core of
    the default year, whose YEARLESS parts (the whole series) are the same in any year,
    so that only the year's parts are computed. NotFound for an unknown country."""
    place = country(db, code)
    check_year(db, year)
    iso3 = place["iso3"]
    attracted = stored["attraction"] if stored else attraction(db, memo, iso3)
    surveyed: dict[str, set[int]] = {}
    for s in attracted:
        surveyed.setdefault(s["actor"], set()).update(
            int(p["year"]) for p in s["points"] if p.get("value") is not None)
    blocks = side_by_side(db, memo, iso3, year, surveyed)
    survey = set().union(*surveyed.values())
    scored = set().union(*target_years(db, memo, iso3).values())
    return {"country": place, "year": year, "years": sorted(scored | survey),
            "year_reason": profile_reason(year, blocks),
            "rank_note": RANK_NOTE, "score_note": SCORE_NOTE, "scale_note": SCALE_NOTE,
            "attraction_note": ATTRACTION_NOTE, "vulnerability_note": VULNERABILITY_NOTE,
            "actors": codebook().actors, "by_actor": blocks,
            "has_scores": any(b["has_scores"] for b in blocks),
            "attraction": attracted,
            **analyses(db, memo, iso3, {b["actor"]: b["year"] for b in blocks},
                       stored["perceived"] if stored else None),
            "resilience": stored["resilience"] if stored else resilience(db, memo, iso3)}


def profile_reason(year: int | None, blocks: list[dict]) -> str:
    """Which year each actor is shown in, and why."""
    if year is not None:
        return f"Showing {year}, the year chosen, for every actor."
    return "Each actor in its own year. " + "; ".join(b["year_reason"] for b in blocks) + "."


def live_parts(db: Database, iso3: str) -> dict:
    """What the profile reads live on every request: the evidence ledger (reviews change it
    between builds; without a record, `evidence_summary.none_text` says which ledgers cover
    the country) and the media reuse values."""
    found = evidence(db, iso3)
    if not found["records"]:
        found["none_text"] = no_evidence_text(db, iso3, country(db, iso3)["name"])
    return {"evidence": found.pop("records"), "evidence_summary": found,
            "media": media(db, iso3)}


def profile_data(db: Database, code: str, year: int | None = None, memo: Memo = no_memo,
                 stored: dict | None = None) -> dict:
    """Everything the profile shows (see the module doc); NotFound for an unknown country."""
    core = profile_core(db, code, year, memo, stored)
    return {**core, **live_parts(db, core["country"]["iso3"])}


def store_profiles(db: Database, progress: Callable[[int, int], None] | None = None
                   ) -> dict[str, Any]:
    """Compute the profile core of every country with data for the default year once and
    store it
    (`sharppower.web.profiles`; only re-stamped when the inputs are unchanged). Returns
    profiles (how many), reused (bool) and seconds. The last act of `build`. The cores
    are computed in a forked worker while this process stores the pages
    (`_cores_ahead`), else here."""
    started = time.perf_counter()
    db = ReadOnce(db)  # the pages and profiles share many reads of the stored run
    version = store_version(db)
    parts = input_parts(db)  # one read of the aggregates for the cores and the pages
    stamp, inputs = data_version(version), inputs_fingerprint(db, parts)
    memo = dict_memo()
    kept = reuse(db, stamp, inputs)
    codes, ahead = [], None
    if kept is None:
        observed = observed_targets(db)  # a country without data is quick to compute anyway
        codes = [c for c in countries(db)["iso3"].tolist() if c in observed]
        ahead = _cores_ahead(db, codes)
    try:
        pages = store_pages(db, version, memo, parts)
        if kept is not None:
            return {"profiles": kept, "reused": True, "pages": pages,
                    "seconds": time.perf_counter() - started}
        cores = _cores_result(ahead)
    finally:
        if ahead is not None:
            ahead[0].shutdown(wait=True, cancel_futures=True)
    if cores is None:
        cores = profile_cores(db, codes, memo, progress)
    elif progress:
        progress(len(codes), len(codes))
    stored = write_profiles(db, cores, stamp, inputs)
    return {"profiles": stored, "reused": False, "pages": pages,
            "seconds": time.perf_counter() - started}


def profile_cores(db: Database, codes: list[str], memo: Memo,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, dict]:
    """The default-year profile core of each country."""
    share_target_years(db, memo, codes)
    cores = {}
    for i, code in enumerate(codes):
        cores[code] = profile_core(db, code, None, memo)
        if progress:
            progress(i + 1, len(codes))
    return cores


def _cores_in_worker(url: str, schema: str | None, codes: list[str]) -> dict[str, dict]:
    """In the forked worker: the cores, read through a store connection of its own (the
    parent's connections are never used or closed here)."""
    return profile_cores(ReadOnce(Database(url, schema)), codes, dict_memo())


def _cores_ahead(db: Database, codes: list[str]):
    """(pool, future) of the cores computed in a forked worker (`forking.start`: the
    worker reads only, numpy, pandas and the store, never JAX), or None where the
    platform does not fork or one core is all there is."""
    if not forking.platform_forks() or forking.cores() < 2 or not codes:
        return None
    url, schema = db.url, db.schema
    pool, (future,) = forking.start(lambda _: _cores_in_worker(url, schema, codes), [None], 1)
    return pool, future


def _cores_result(ahead) -> dict[str, dict] | None:
    """The worker's cores, or None (no worker, or it failed: computed here instead)."""
    if ahead is None:
        return None
    try:
        return ahead[1].result()
    except Exception:  # noqa: BLE001 - computed again here, where an error is raised as usual
        return None


def page_modules() -> tuple:
    """The modules of the pages `store_pages` stores (imported on first use: the build's
    `warm` of the profiles step imports them ahead): map, weights, downloads, evidence,
    methodology, quadrant, vulnerability."""
    from sharppower.web.pages import downloads, methodology, quadrant, vulnerability, weights
    from sharppower.web.pages import evidence as browser
    from sharppower.web.pages import map as map_page

    return map_page, weights, downloads, browser, methodology, quadrant, vulnerability


def store_pages(db: Database, version: tuple, memo: Memo,
                parts: list[list[str]] | None = None) -> int:
    """Store what the default map, quadrant, vulnerability and weights pages of each actor (with the weights
    page's re-weighting kit), the downloads page, the evidence browser's first page and the
    methodology page (default actor) show
    (`web.profiles.write_pages`), so that their first visitor after a build is served at
    once; only re-stamped when their inputs are unchanged (`parts`: `input_parts` read
    already). Returns the pages stored."""
    map_page, weights, downloads, browser, methodology, quadrant, vulnerability = page_modules()
    inputs = pages_fingerprint(db, parts)
    kept = reuse_pages(db, version, inputs, WHOLE_VERSION)
    if kept is not None:
        return kept
    pages = {**map_page.stored_pages(db, memo), **weights.stored_pages(db, memo),
             **downloads.stored_pages(db, memo), **browser.stored_pages(db),
             **methodology.stored_pages(db, memo), **quadrant.stored_pages(db, memo),
             **vulnerability.stored_pages(db, memo),
             "empty-domains": empty_domains_page(db, memo)}
    return write_pages(db, {k: (v, k in WHOLE_VERSION) for k, v in pages.items()}, version,
                       inputs)


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
    place = country(db, code)
    core = stored_profile(db, place["iso3"], cache(request).version())
    if year is None and core is not None:
        return {**core, **live_parts(db, place["iso3"])}
    # another year: the year's scores, quadrant and vulnerability (one read per actor-year,
    # `web.actorscores.year_slice`); the series from the stored core when it is current
    return profile_data(db, code, year, memo, core)


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
