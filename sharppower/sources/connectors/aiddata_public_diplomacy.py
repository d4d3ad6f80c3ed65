"""Chinese public diplomacy by recipient country-year (AidData-style, 39 Asian countries).

The only public copy is a modified xlsx of AidData's Chinese Public Diplomacy data
(converted to CSV in the mirror): `receiving_country, year, confucius_institutes,
sister_cities_established, government_visits, ..., inbound_students_to_china`.
Its known defects are handled, not hidden:
- two cells of 500 (Afghanistan 2000, government_visits and journalist_visits) are
  placeholders: set to missing, with a warning (and so is that row's total_elite_visits);
- 2017 and 2018 are near-empty (almost every count 0): those years are dropped, with a
  warning (effective coverage 2000-2016);
- missing values are coded 0 in this copy, so every 0 is kept but flagged
  `zero_may_be_missing` (a 0 is not a reliable "none").
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "chinese_public_diplomacy_country_year.csv"
COUNTS = ["confucius_institutes", "sister_cities_established", "government_visits",
          "military_visits", "total_elite_visits", "ambassador_op_eds", "journalist_visits",
          "media_partnerships", "outbound_chinese_students", "inbound_students_to_china"]
PLACEHOLDER = 500
PARTS_OF_TOTAL = ("government_visits", "military_visits")
DROPPED_YEARS = (2017, 2018)
ZERO_FLAG = "zero_may_be_missing"


def _placeholders(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    warnings = []
    for col in COUNTS:
        hit = df[col] == PLACEHOLDER
        for row, name, year in zip(df.loc[hit, "_row"], df.loc[hit, "receiving_country"],
                                   df.loc[hit, "year"]):
            warnings.append(f"{FILE}, row {row}, field '{col}': {PLACEHOLDER} for {name} {year} "
                            "is a placeholder; set to missing")
        df.loc[hit, col] = float("nan")
        if col in PARTS_OF_TOTAL and hit.any():  # the total of a row with a placeholder is moot
            df.loc[hit, "total_elite_visits"] = float("nan")
            warnings.append(f"{FILE}: total_elite_visits set to missing in rows "
                            f"{', '.join(map(str, df.loc[hit, '_row']))} ({col} is a placeholder)")
    return df, warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x year (2000-2016): actor CHN and the ten counts."""
    res = res or resolver()
    df = readers.read_csv(snapshot.path(FILE), FILE, required=["receiving_country", "year", *COUNTS])
    df = readers.integers(df, ["year"], FILE)
    df = readers.amounts(df, COUNTS, FILE)
    df, warnings = _placeholders(df)
    dropped = df["year"].isin(DROPPED_YEARS)
    warnings.append(f"{FILE}: years {', '.join(map(str, DROPPED_YEARS))} dropped ({int(dropped.sum())}"
                    " rows): near-empty in this copy, effective coverage 2000-2016")
    df = df[~dropped].copy()
    df["target"], skipped = res.resolve_report(df["receiving_country"], FILE, df["_row"].tolist())
    df = df[df["target"].notna()].copy()
    readers.check_unique(df, ["target", "year"], FILE)
    for col in COUNTS:
        df[f"flags.{col}"] = df[col].map(lambda v: ZERO_FLAG if v == 0 else None)
    zeros = int((df[COUNTS] == 0).sum().sum())
    warnings.append(f"{FILE}: {zeros} zero counts kept but flagged {ZERO_FLAG} (missing is coded 0)")
    df["actor"] = "CHN"
    df["source_file"] = FILE
    df["source_row"] = readers.row_refs(df)
    flags = [f"flags.{c}" for c in COUNTS]
    return readers.finish(df[["actor", "target", "year", *COUNTS, *flags, "source_file",
                              "source_row"]], warnings + skipped)


SOURCE = Source(
    name="aiddata-public-diplomacy",
    universe=Universe(years=(2000, 2016), targets=("AFG", "AUS", "BGD", "BRN", "BTN", "COK", "FJI", "FSM", "IDN", "IND", "JPN", "KAZ", "KGZ", "KHM", "KIR", "KOR", "LAO", "LKA", "MDV", "MMR", "MNG", "MYS", "NPL", "NRU", "NZL", "PAK", "PHL", "PNG", "PRK", "SGP", "THA", "TJK", "TKM", "TLS", "TON", "UZB", "VNM", "VUT", "WSM"), note="the 39 Asia-Pacific countries of the dataset, 2000-2016 (2017-2018 dropped as near-empty)"),
    actors=("CHN",),
    title="Chinese public diplomacy in Asia-Pacific, South and Central Asia, country-year",
    publisher="AidData, William & Mary (modified copy)",
    homepage="https://www.aiddata.org/china-public-diplomacy",
    licence="no licence in the copy; AidData releases its data with attribution (verify for "
    "this dataset)",
    redistribute=('observations',),
    citation="Custer, S., Russell, B., DiLorenzo, M., Cheng, M., Ghose, S., Sims, J., Turner, J. "
    "and Desai, H. (2018). Ties That Bind: Quantifying China's public diplomacy and its 'good "
    "neighbor' effect. Williamsburg, VA: AidData at William & Mary. Copy used: "
    "github.com/ryanammons/test-dash-app351, ChinesePublicDiplomacy.xlsx.",
    files=(SourceFile(
        FILE,
        "https://raw.githubusercontent.com/ryanammons/test-dash-app351/"
        "f643713927097f12068b52ca04dc53d410db6c9d/ChinesePublicDiplomacy.xlsx",
        "aiddata_public_diplomacy/chinese_public_diplomacy_country_year.csv",
        format="xlsx",
        derive="the connector reads the workbook's first sheet (readers.read_csv reads a workbook "
        "where a CSV is expected); the mirror holds a CSV conversion of that sheet",
        checked="GitHub raw URL pinned to a full commit; not fetched from here (no network)",
    ),),
    parse=parse,
    coverage="39 countries, 2000-2016 (2017-2018 dropped as near-empty)",
    notes="500 placeholders set to missing; zeros flagged zero_may_be_missing.",
)
