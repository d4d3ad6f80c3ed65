"""PLA activity around Taiwan (Taiwan MND daily bulletins) and Chinese / Russian transits
reported by Japan's Joint Staff: a volunteer compilation (pla-data-dashboard), actors CHN
and RUS.

Two published files (UTF-8 with a byte-order mark):
- `merged_comprehensive_data_M.csv`: one row per day (`date` Y/M/D, `pla_aircraft_sorties`
  = PLA aircraft reported by MND that day). Gives `aircraft`, CHN x TWN x year: the sum
  over the year's dates of the FIRST row of each date (18 dates are repeated, e.g.
  2023-04-08 three times; SOURCE.md: de-duplicate before summing; the repeats are counted
  in a warning), and `aircraft_days`, the number of dates with a count. A dated row with
  an empty count adds nothing (no bulletin figure; counted in a warning); rows without a
  date are empty rows of the file and skipped.
  Universe: AIRCRAFT_YEARS, 2021-2025. 2021 is the first year MND bulletins are near-daily
  (247 dated counts; 126 in 2020, from the start of the daily bulletins in September 2020,
  and 7-23 days a year before); 2026 is a part year (to August). Years outside are not
  produced: missing, never zero. From 2022 the bulletins count all aircraft detected
  around Taiwan, before that aircraft entering the ADIZ: the series is not homogeneous
  and each value from 2022 on is flagged `measure_2022`.
- `JapanandBattleship.csv`: Japan MOD releases, one row per day; `國家` names the actor
  (中國 China, 俄羅斯 Russia, 中國、俄羅斯 both: a joint activity counts for each), and
  only from February 2026: earlier transit rows carry no actor and are not attributed
  (counted in a warning). Gives `transits`, actor x JPN x year: days with an actor-labelled
  transit or activity row. Universe: TRANSIT_YEARS (2026, the labelled year) and JPN.

The volunteer compilation's redistribution terms are unclear (no licence): nothing is
republished (`redistribute=()`).
"""

from __future__ import annotations

import pandas as pd

from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

AIRCRAFT_FILE = "merged_comprehensive_data_M.csv"
JAPAN_FILE = "JapanandBattleship.csv"
AIRCRAFT_YEARS = (2021, 2025)
TRANSIT_YEARS = (2026, 2026)
MEASURE_CHANGE = 2022
MEASURE_FLAG = ("measure_2022: from 2022 MND counts all aircraft detected around Taiwan "
                "(before: aircraft entering the ADIZ)")
ACTORS = {"中國": ("CHN",), "俄羅斯": ("RUS",), "中國、俄羅斯": ("CHN", "RUS")}


AIRCRAFT_UNIVERSE = Universe(years=AIRCRAFT_YEARS, targets=("TWN",),
                             note="Taiwan, 2021 (first near-daily year) to 2025 (last whole year)")
TRANSIT_UNIVERSE = Universe(years=TRANSIT_YEARS, targets=("JPN",),
                            note="Japan, 2026: the only year the file names the actor")


def _dates(df: pd.DataFrame, file: str) -> pd.Series:
    """`date` (Y/M/D, no zero padding) as Timestamps; a malformed date names its row."""
    parsed = pd.to_datetime(df["date"], format="%Y/%m/%d", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(file, f"not a date (Y/M/D): {df['date'].iloc[i]!r}",
                         row=int(df["_row"].iloc[i]), field="date")
    return parsed


def aircraft(snapshot: Snapshot) -> tuple[pd.DataFrame, list[str]]:
    """CHN x TWN x year: aircraft (first row per date) and aircraft_days, inside the universe."""
    df = readers.read_csv(snapshot.path(AIRCRAFT_FILE), AIRCRAFT_FILE,
                          required=["date", "pla_aircraft_sorties"], encoding="utf-8-sig")
    df = df[df["date"].str.strip() != ""].copy()
    df["day"] = _dates(df, AIRCRAFT_FILE)
    df = readers.amounts(df, ["pla_aircraft_sorties"], AIRCRAFT_FILE)
    warnings = []
    repeats = df["day"].duplicated(keep="first")
    if repeats.any():
        warnings.append(f"{AIRCRAFT_FILE}: {int(repeats.sum())} repeated rows of "
                        f"{df.loc[repeats, 'day'].nunique()} dates left out (first row per "
                        f"date kept; rows {readers.row_ranges(df.loc[repeats, '_row'])})")
    df = df[~repeats]
    empty = df["pla_aircraft_sorties"].isna()
    if empty.any():
        warnings.append(f"{AIRCRAFT_FILE}: {int(empty.sum())} dated rows without an aircraft "
                        f"count add nothing (rows {readers.row_ranges(df.loc[empty, '_row'])})")
    df = df[~empty].assign(year=lambda d: d["day"].dt.year)
    first, last = AIRCRAFT_YEARS
    outside = df[(df["year"] < first) | (df["year"] > last)]
    if len(outside):
        warnings.append(f"{AIRCRAFT_FILE}: {len(outside)} daily counts outside {first}-{last} "
                        f"not used (sparse before {first}, part year after {last})")
    df = df[(df["year"] >= first) & (df["year"] <= last)]
    out = df.groupby("year").agg(
        aircraft=("pla_aircraft_sorties", "sum"), aircraft_days=("day", "size"),
        source_row=("_row", lambda r: readers.shorten(f"rows {readers.row_ranges(r)}")),
    ).reset_index()
    out["aircraft_days"] = out["aircraft_days"].astype(float)
    flag = out["year"].map(lambda y: MEASURE_FLAG if y >= MEASURE_CHANGE else None)
    out = out.assign(**{"actor": "CHN", "target": "TWN", "source_file": AIRCRAFT_FILE,
                        "flags.aircraft": flag, "flags.aircraft_days": flag})
    return out, warnings


def transits(snapshot: Snapshot) -> tuple[pd.DataFrame, list[str]]:
    """actor x JPN x year: days with an actor-labelled Japan MOD transit or activity row."""
    df = readers.read_csv(snapshot.path(JAPAN_FILE), JAPAN_FILE, required=["date", "國家"],
                          encoding="utf-8-sig")
    df = df[df["date"].str.strip() != ""].copy()
    df["day"] = _dates(df, JAPAN_FILE)
    label = df["國家"].str.strip()
    unknown = label[(label != "") & ~label.isin(ACTORS)]
    if len(unknown):
        i = unknown.index[0]
        raise InputError(JAPAN_FILE, f"unknown actor {unknown.iloc[0]!r} (expected one of "
                         f"{', '.join(ACTORS)})", row=int(df.loc[i, "_row"]), field="國家")
    straits = [c for c in ("艦通過", "與那國", "宮古", "大禹", "對馬") if c in df.columns]
    flagged = df[straits].apply(lambda c: c.str.strip().isin({"1", "1.0"})).any(axis=1)
    unlabelled = flagged & (label == "")
    warnings = []
    if unlabelled.any():
        years = sorted(df.loc[unlabelled, "day"].dt.year.unique())
        warnings.append(f"{JAPAN_FILE}: {int(unlabelled.sum())} transit rows without an actor "
                        f"in {years[0]}-{years[-1]} not attributed (the file names the actor "
                        f"from February 2026 only)")
    rows = [{"actor": a, "day": d, "_row": r} for d, r, lab in zip(df["day"], df["_row"], label)
            if lab for a in ACTORS[lab]]
    labelled = pd.DataFrame(rows, columns=["actor", "day", "_row"])
    labelled["year"] = labelled["day"].dt.year
    first, last = TRANSIT_YEARS
    labelled = labelled[(labelled["year"] >= first) & (labelled["year"] <= last)]
    out = labelled.groupby(["actor", "year"]).agg(
        transits=("day", "nunique"),
        source_row=("_row", lambda r: readers.shorten(f"rows {readers.row_ranges(r)}")),
    ).reset_index()
    out["transits"] = out["transits"].astype(float)
    return out.assign(target="JPN", source_file=JAPAN_FILE), warnings


def parse(snapshot: Snapshot, res=None) -> pd.DataFrame:
    """Rows CHN x TWN x year (aircraft, aircraft_days) and actor x JPN x year (transits)."""
    planes, w1 = aircraft(snapshot)
    ships, w2 = transits(snapshot)
    frame = pd.concat([planes, ships], ignore_index=True)
    frame["year"] = frame["year"].astype(int)
    return readers.finish(frame, w1 + w2)


SOURCE = Source(
    name="pla-taiwan-activity",
    universe=Universe(
        years=(AIRCRAFT_YEARS[0], TRANSIT_YEARS[1]), targets=("TWN", "JPN"),
        note="aircraft around Taiwan (TWN) 2021-2025, the first near-daily year to the last "
        "whole year; transits reported by Japan (JPN) in 2026 only, the year the file names "
        "the actor; no other target is looked at"),
    actors=("CHN", "RUS"),
    title="PLA activity around Taiwan and PRC/Russian transits reported by Japan "
    "(pla-data-dashboard compilation of Taiwan MND and Japan MOD releases)",
    publisher="Ministry of National Defense, Republic of China (Taiwan); Japan Ministry of "
    "Defense, Joint Staff Office; compiled by the pla-data-dashboard volunteer project",
    homepage="https://github.com/s0914712/pla-data-dashboard",
    licence="no licence stated (government figures are public; the compilation's terms are "
    "unclear)",
    redistribute=(),
    citation="pla-data-dashboard (2026). data/merged_comprehensive_data_M.csv and "
    "data/JapanandBattleship.csv, github.com/s0914712/pla-data-dashboard, commit 79f5e0b "
    "(2026-08-22); figures from Taiwan MND daily bulletins and Japan MOD Joint Staff releases.",
    files=(
        SourceFile(AIRCRAFT_FILE, "https://raw.githubusercontent.com/s0914712/pla-data-dashboard/"
                   "79f5e0b41d8cec5fdc2790bf243ad76fb759991d/data/merged_comprehensive_data_M.csv",
                   "pla_taiwan_activity/merged_comprehensive_data_M.csv"),
        SourceFile(JAPAN_FILE, "https://raw.githubusercontent.com/s0914712/pla-data-dashboard/"
                   "79f5e0b41d8cec5fdc2790bf243ad76fb759991d/data/JapanandBattleship.csv",
                   "pla_taiwan_activity/JapanandBattleship.csv"),
    ),
    parse=parse,
    extra={"universes": {  # per variable: the source's universe is the union of the two
        "aircraft": AIRCRAFT_UNIVERSE, "aircraft_days": AIRCRAFT_UNIVERSE,
        "transits": TRANSIT_UNIVERSE}},
    coverage="PLA aircraft around Taiwan 2021-2025 (daily MND counts); Japan-reported "
    "Chinese and Russian transits 2026",
    notes="First row per date; from 2022 all aircraft detected (before: ADIZ entries), "
    "flagged measure_2022.",
)
