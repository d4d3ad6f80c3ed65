"""Doublethink Lab / China Digital Times pilot: PRC state-media content embedded in African
news sites (Ghana, Kenya, Uganda, 2022-01-01 to 2022-11-30).

Method (the pilot's, not sharppower's): local and state-media articles (en.people.cn,
ecns.cn, africa.cgtn.com, chinadaily.com.cn, english.news.cn, globaltimes.cn) split into
paragraphs, embedded with the sentence transformer all-MiniLM-L6-v2; a local article
republishes a state-media one when at least half of its paragraphs match at cosine
similarity >= 0.9 (embedding similarity, not MinHash shingles). Human validation
reported 100% precision on a subset; recall is unknown.

`parse` gives `reuse_rate` per country (actor CHN, year 2022): embedded articles /
articles collected over the sites of the statistics file (article-weighted, i.e. pooled),
with a 95% Wilson interval and n = articles. The statistics file lists only sites with at
least one detection, so the country rate leaves out sites with none (flag
`detected_sites_only`: an upper bound for the country's sampled press). `sites` and
`pairs` give the per-site statistics and the matched URL pairs, which the media measure
stores as the evidence behind each value (no article text is published).
"""

from __future__ import annotations

import math

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.snapshot import Snapshot

STATS = "embedded_propaganda_statistics.csv"
RESULTS = "results_all_countries.csv"
YEAR = 2022
METHOD = ("Doublethink Lab pilot: paragraph embeddings (all-MiniLM-L6-v2), cosine >= 0.9 on "
          ">= half of the paragraphs; embedding similarity, not MinHash")
STAT_COUNTS = ["n", "Embedded Propaganda", "Attributed", "Re-Attributed"]
Z = 1.959963984540054


def wilson(k: float, n: float) -> tuple[float, float]:
    """95% Wilson score interval (the same formula as sharppower.measures.media.report)."""
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def sites(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """Per site: target (ISO3), site, n, embedded, attributed, reattributed, _row."""
    res = res or resolver()
    df = readers.read_csv(snapshot.path(STATS), STATS, required=["Country", "Site", *STAT_COUNTS])
    df = readers.integers(df, STAT_COUNTS, STATS)
    df["target"] = res.resolve_column(df["Country"], STATS).to_numpy()
    return df.rename(columns={"Site": "site", "Embedded Propaganda": "embedded",
                              "Attributed": "attributed", "Re-Attributed": "reattributed"})[
        ["target", "site", "n", "embedded", "attributed", "reattributed", "_row"]]


def pairs(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """Per detected local article: target, site, url, date, its first matched state-media
    article (url, site, date, paragraph overlap), the credit the local article gives
    (`target_attributions`), the pilot's classification, _row."""
    res = res or resolver()
    cols = ["target_url", "target_date", "target_site", "target_attributions", "source_0",
            "source_0_date", "source_0_site", "source_0_overlap", "classification", "country"]
    df = readers.read_csv(snapshot.path(RESULTS), RESULTS, required=cols, usecols=cols)
    df = readers.numbers(df, ["source_0_overlap"], RESULTS)
    df["target"] = res.resolve_column(df["country"], RESULTS).to_numpy()
    return df


def country_rates(stats: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for target, g in stats.groupby("target", sort=True):
        n, k = int(g["n"].sum()), int(g["embedded"].sum())
        low, high = wilson(k, n)
        rows.append({
            "actor": "CHN", "target": target, "year": YEAR, "reuse_rate": k / n, "n": n,
            "ci_low": low, "ci_high": high, "source_file": STATS,
            "source_row": f"{STATS} rows {readers.row_ranges(g['_row'])}",
            "flags": "detected_sites_only",
            "note": f"{k} of {n} articles on {len(g)} sites ({', '.join(g['site'])}) "
                    f"republish PRC state media; {METHOD}"})
    return pd.DataFrame(rows)


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per country: actor CHN, year 2022, reuse_rate with n and its interval."""
    stats = sites(snapshot, res)
    return readers.finish(country_rates(stats), [
        (f"{STATS}: only sites with at least one detection are listed; country rates cover "
        "those sites (flagged detected_sites_only)")])


_BASE = "https://raw.githubusercontent.com/doublethinklab/embedded-propaganda-africa/main/Data/"
_CHECKED = "GitHub raw URL on the main branch; not fetched from here (no network)"
SOURCE = Source(
    name="embedded-propaganda",
    actors=("CHN",),
    title="Embedded PRC state-media propaganda in African news sites (pilot, 2022)",
    publisher="Doublethink Lab with China Digital Times",
    homepage="https://github.com/doublethinklab/embedded-propaganda-africa",
    licence="no licence stated (ask Doublethink Lab before redistributing); URLs and "
    "statistics only, no article text",
    redistribute=(),  # licence: ask Doublethink Lab first
    citation="Doublethink Lab with China Digital Times, Embedded propaganda: PRC state media "
    "content in African news sites (pilot study, Ghana, Kenya, Uganda, 2022), "
    "github.com/doublethinklab/embedded-propaganda-africa, commit 96de406.",
    files=(
        SourceFile(STATS, _BASE + "Embedded%20Propaganda%20Statistics.csv",
                   f"embedded_propaganda_africa/{STATS}", format="csv", checked=_CHECKED),
        SourceFile(RESULTS, _BASE + "Results%20All%20Countries.csv",
                   f"embedded_propaganda_africa/{RESULTS}", format="csv", checked=_CHECKED),
    ),
    parse=parse,
    coverage="Ghana, Kenya, Uganda; 9 sites with detections; 2022-01-01 to 2022-11-30",
    notes=METHOD,
)
