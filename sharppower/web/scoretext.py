"""How a score is said on every page: its 95% interval, its rank interval, the components it
rests on and which of them are stale, imputed or declared zeros (the index's per-score
detail, `sharppower.index.store.scores`), and which year a page shows and why
(`choice_reason`, in the words of `index.nodes.choose_year`'s rules).

Pure formatting of library results; no decision about the data is taken here."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sharppower.analysis.indexscores import level_scores
from sharppower.errors import NotFound
from sharppower.index.names import component_namer
from sharppower.index.reading import rank_interval
from sharppower.index.spec import load_spec
from sharppower.store import Database

DETAIL = ["coverage", "components", "stale_components", "max_stale_age", "imputed_components",
          "zero_components", "n_ranked"]
RANK_NOTE = ("Rank intervals such as \"7 (5-11)\": rank 7 on the published weights; in 90% of "
             "the index's Monte Carlo runs (weights, normalisation, imputation and data noise "
             "varied) the rank fell between 5 and 11.")
SCORE_NOTE = ("Score intervals are 95% intervals from the same Monte Carlo runs; a survey "
              "value's interval comes from its standard error.")


def missing(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int:  # most values a page tests: never missing
        return False
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        not isinstance(value, (list, dict, str)) and pd.isna(value))


def score_detail(db: Database, actor: str, code: str) -> pd.DataFrame:
    """target, year and DETAIL of every score of an index measure ``index:<level>:<node>``
    (empty for indicators or before any run is stored)."""
    if not code.startswith("index:"):
        return pd.DataFrame(columns=["target", "year", *DETAIL])
    _, level, node = code.split(":", 2)
    try:
        frame = level_scores(db, actor, level)
    except NotFound:
        return pd.DataFrame(columns=["target", "year", *DETAIL])
    frame = frame[frame["node"] == node]
    return frame.reindex(columns=["target", "year", *DETAIL]).reset_index(drop=True)


def names(text: Any) -> list[str]:
    return [] if missing(text) or not str(text).strip() else [
        p.strip() for p in str(text).split(";") if p.strip()]


def stale_text(text: Any) -> str:
    """'Trade dependence (2 years old), Elite engagement (4 years old)' from
    'trade_dependence:2;...' (codebook names, `index.names`)."""
    out, named = [], component_namer()
    for item in names(text):
        name, _, age = item.partition(":")
        out.append(f"{named(name)} ({age} year{'s' if age != '1' else ''} old)")
    return ", ".join(out)


def detail_lines(row: dict) -> list[str]:
    """Short lines for a tooltip or a table cell: coverage, components, stale, imputed, zeros
    (components by their codebook names)."""
    lines, named = [], component_namer()
    if not missing(row.get("coverage")):
        comps = names(row.get("components"))
        lines.append(f"coverage {float(row['coverage']):.0%}"
                     + (f": {', '.join(named(c) for c in comps)}" if comps else ""))
    stale = stale_text(row.get("stale_components"))
    if stale:
        lines.append("stale: " + stale)
    for key, label in (("imputed_components", "imputed"), ("zero_components", "declared zero")):
        listed = names(row.get(key))
        if listed:
            lines.append(f"{label}: " + ", ".join(named(n) for n in listed))
    return lines


def interval(low: Any, high: Any, digits: int = 1) -> str:
    if missing(low) or missing(high):
        return ""
    return f"{float(low):,.{digits}f} to {float(high):,.{digits}f}"


def rank_text(rank: Any, low: Any, high: Any) -> str:
    """'7 (5-11)', '7' without an interval, '' without a rank (`index.reading.rank_interval`,
    the CLI's formatting too)."""
    return rank_interval(rank, low, high)


def year_reason(year: int | None, years: list[int], counts: dict[int, int],
                min_ranked: int, asked: bool, what: str = "countries with a value",
                stale: dict[int, float] | None = None, max_stale: float | None = None) -> str:
    """Why the page shows `year`: asked for, or the default rule (the latest year with at
    least `min_ranked` countries and, for the index, at most `max_stale` of its components
    stale on average, `stale`: year -> that share); later years hold fewer countries or
    rest mostly on stale values."""
    if year is None:
        return "No year has data yet."
    if asked:
        return f"Showing {year}, the year chosen ({counts.get(year, 0)} {what})."
    later = [y for y in years if y > year]
    rule = (f" on mostly current data (at most {max_stale:.0%} of the components stale on "
            "average)" if stale and max_stale is not None else "")
    text = (f"Showing {year}: the latest year with at least {min_ranked} {what}{rule} "
            f"({counts.get(year, 0)}).")
    if later:
        def later_text(y: int) -> str:
            share = f", {stale[y]:.0%} stale" if stale and y in stale else ""
            return f"{y}: {counts.get(y, 0)}{share}"
        fewer = "fewer or mostly stale values" if stale else f"fewer {what}"
        text += (f" Later years have {fewer} ({', '.join(later_text(y) for y in later)}); "
                 "pick one above to see it.")
    elif counts.get(year, 0) < min_ranked:
        text = (f"Showing {year}: no year reaches {min_ranked} {what}; this is the latest of "
                f"the best-covered years ({counts.get(year, 0)}).")
    return text


def choice_reason(choice, offered: dict[int, int] | None = None,
                  what: str = "countries with a value", actor_name: str = "the actor") -> str:
    """Why a page shows `choice.year` (an `index.nodes.YearChoice`): asked for, the actor's
    index year (with the later years' counts and stale shares), or the offered year
    nearest it. `offered`: year -> count of what the page shows (None: the index itself)."""
    spec = load_spec()
    y, y0 = choice.year, choice.index_year
    counts = choice.counts if offered is None else offered
    if choice.rule == "none" or y is None:
        return "No year has data yet."
    if choice.rule == "asked":
        return year_reason(y, sorted(counts), counts, spec.min_ranked, True,
                           "countries ranked" if offered is None else what)
    if choice.rule == "coverage":
        return (year_reason(y, sorted(offered), offered, spec.min_ranked, False, what)
                + f" No stored index run scores {actor_name} yet.")
    index_text = year_reason(y0, sorted(choice.counts), choice.counts, spec.min_ranked, False,
                             "countries ranked", choice.stale, spec.max_stale_share)
    if choice.rule == "index" and offered is None:
        return index_text
    if choice.rule == "index":
        return (f"Showing {y}, {actor_name}'s index year as on every page "
                f"({offered.get(y, 0)} {what}): {index_text.split(': ', 1)[1]}")
    if y0 is None:  # no index year: never "the index's default year None"
        return (f"Showing {y}: no stored index run scores {actor_name} yet, so the latest "
                f"year with data here ({offered.get(y, 0) if offered else 0} {what}).")
    side = "latest year before" if choice.rule == "before" else "earliest year after"
    return (f"Showing {y}: {actor_name}'s index year {y0} has none here, so the {side} it "
            f"({offered.get(y, 0)} {what}).")
