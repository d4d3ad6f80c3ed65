"""CANIS: Chinese state-media and diplomatic accounts on social media (November 2023), actor CHN.

The published workbook (sheet `FULL`: one row per account with `Region of Focus` and a
follower or subscriber count per platform: X, Facebook, Instagram, Threads, YouTube,
TikTok) gives per target country:
- `accounts`: accounts whose region of focus is the country;
- `followers`: their followers summed over all platforms (an empty count is no account on
  that platform or no figure, and adds nothing; zeros are kept).
One cross-section: follower counts as of about November 2023, stored under the year 2023
and flagged `cross_section_2023`; the index treats it as a stale value, with its age, in
other years. `Region of Focus` values that are not a country (language spheres such as
Anglosphere, blocs such as the EU, China and its provinces) are declared with a reason
in `prc_state_media_regions.yaml`, left out, and counted in a warning; any other value
that does not resolve to a country is an error. A country with no account focused on it
has none (CANIS lists every account it found), so absence is zero in the codebook.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from sharppower.countries import CountryResolver, normalise, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot
from sharppower.yaml_load import safe_load

FILE = "CANIS_PRC_state_media_on_social_media_platforms-2023-11-03.xlsx"
SHEET = "FULL"
YEAR = 2023
FOCUS = "Region of Focus"
COUNTS = ["X (Twitter) Follower #", "Facebook Follower #", "Instagram Follower #",
          "Threads Follower #", "YouTube Subscriber #", "TikTok Subscriber #"]
FLAG = "cross_section_2023: follower counts as of November 2023 (one CANIS snapshot)"
REGIONS = Path(__file__).with_name("prc_state_media_regions.yaml")


@lru_cache(maxsize=1)
def not_countries() -> dict[str, tuple[str, str]]:
    """normalised focus value -> (value as written, reason it is not a target)."""
    data = safe_load(REGIONS.read_text("utf-8"))
    return {normalise(v): (v, reason) for reason, values in data["not_countries"].items()
            for v in values}


def _split_focus(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    keys = df[FOCUS].map(normalise)
    declared = keys.isin(not_countries())
    warnings = []
    for reason, group in df[declared].groupby(keys[declared].map(lambda k: not_countries()[k][1])):
        names = ", ".join(sorted(set(group[FOCUS])))
        warnings.append(f"{FILE}!{SHEET}: {len(group)} accounts not counted for any country "
                        f"({reason}): {names}")
    return df[~declared], warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target: actor CHN, year 2023, accounts and followers."""
    res = res or resolver()
    df = readers.read_sheet(snapshot.path(FILE), FILE, SHEET, 1, required=[FOCUS, *COUNTS])
    df = readers.amounts(df, COUNTS, f"{FILE}!{SHEET}")
    df, warnings = _split_focus(df)
    target, more = res.resolve_report(df[FOCUS], f"{FILE}!{SHEET}", df["_row"].tolist())
    df = df.assign(target=target.to_numpy())
    df = df[df["target"].notna()].assign(followers=df[COUNTS].sum(axis=1, min_count=1))
    frame = df.groupby("target").agg(
        accounts=("_row", "size"), followers=("followers", lambda s: s.sum(min_count=1)),
        source_row=("_row", lambda r: readers.shorten(f"{SHEET}!rows {readers.row_ranges(r)}")),
    ).reset_index()
    frame["accounts"] = frame["accounts"].astype(float)
    frame = frame.assign(actor="CHN", year=YEAR, flags=FLAG, source_file=FILE)
    return readers.finish(frame, warnings + more)


SOURCE = Source(
    name="prc-state-media-accounts",
    universe=Universe(years=(2023, 2023), note="one cross-section of the accounts (November 2023), countries of focus among every country"),
    actors=("CHN",),
    title="PRC state media and diplomatic accounts on social media, by country of focus (CANIS)",
    publisher="CANIS, Canadian Network on Information and Security (University of Calgary)",
    homepage="https://github.com/muneebalichishti01/"
    "CANIS-Hackathon-Foreign-Interference-Analysis-Dashboard",
    licence="no licence stated; cite CANIS on use",
    redistribute=('observations',),
    citation="CANIS (2023). PRC state media on social media platforms, data set of the CANIS "
    "Data Visualization and Foreign Interference challenge, 3 November 2023. University of "
    "Calgary.",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/muneebalichishti01/"
        "CANIS-Hackathon-Foreign-Interference-Analysis-Dashboard/f1f475df/"
        "CANIS_PRC_state_media_on_social_media_platforms-2023-11-03.xlsx",
        "prc_state_media_accounts/CANIS_PRC_state_media_on_social_media_platforms-2023-11-03.xlsx",
        format="xlsx",
        checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),),
    parse=parse,
    coverage="758 accounts, one cross-section (November 2023); about 130 countries of focus",
    notes="Stored as 2023; regions of focus that are not countries are left out (counted).",
)
