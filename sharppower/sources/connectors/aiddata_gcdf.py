"""AidData Global Chinese Development Finance 3.0, recipient country-year sums.

The published country-year file (odadata's `cow_gcdf.csv`, built from AidData's project
workbook with recommended_for_aggregates == Yes) has `ccode, year, oof_*, oda_*, vof_*`
in constant 2021 USD; the mirror copy adds `iso3`, `country` and `total_adj`. COW codes
resolve through the COW states list, a second file of this source.
We recompute `total_adj` = oof_adj + oda_adj + vof_adj in **million** USD (warning when a
given total disagrees) and `total_adj_3yr`, the sum over the year and the two before.

Missing is not zero: a recipient absent in a year has no row and no observation (AidData
does not say that absence means no commitment). The 3-year sum adds the years reported
in the window; when fewer than three are reported, or the window starts before the
coverage (2000), the observation is flagged `partial_window`. `total_adj_5yr` (exp_devfin_stock_5yr) is
the same stock over the year and the four before. Rows the source reports
with a zero total are kept as 0 and flagged `zero_total`.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.cow_states import STATES_FILE
from sharppower.sources.snapshot import Snapshot

FILE = "gcdf3_country_year_iso3.csv"
STATES = "cow_states_lookup.csv"  # COW state codes of the published file's `ccode`
PARTS = ["oof_adj", "oda_adj", "vof_adj"]
FIRST_YEAR = 2000
MILLION = 1e6
# A recipient-year row whose adjusted amounts sum to 0: projects were recorded, but their
# (adjusted) values are unknown or zero. Kept as 0 and flagged.
ZERO_FLAG = "zero_total: projects recorded with no adjusted amount"


def _targets(df: pd.DataFrame, res: CountryResolver) -> tuple[pd.Series, list[str]]:
    """ISO3 from the `iso3` column when the copy has one (checked against the COW code),
    else from the COW code by year, as the published file gives it."""
    by_cow, warnings = res.resolve_cow(df["ccode"], df["year"], FILE, df["_row"].tolist())
    if "iso3" not in df.columns:
        return by_cow, warnings
    by_iso, warnings = res.resolve_report(df["iso3"], FILE, df["_row"].tolist())
    clash = (by_iso != by_cow) & by_cow.notna()
    if clash.any():
        warnings.append(f"{FILE}: iso3 and ccode disagree in rows "
                        f"{readers.row_ranges(df.loc[clash.to_numpy(), '_row'])}; iso3 is used")
    return by_iso, warnings


def _register_states(snapshot: Snapshot, res: CountryResolver) -> None:
    states = readers.read_csv(snapshot.path(STATES), STATES, required=["ccode", "statenme"])
    res.register_cow(readers.integers(states, ["ccode"], STATES))


def _check_total(df: pd.DataFrame) -> list[str]:
    if "total_adj" not in df.columns:
        return []
    given = readers.amounts(df, ["total_adj"], FILE)["total_adj"] / MILLION
    off = (given - df["total_adj_m"]).abs() > 1e-6
    if not off.any():
        return []
    rows = ", ".join(map(str, df.loc[off, "_row"].head(10)))
    return [(f"{FILE}: total_adj differs from oof_adj + oda_adj + vof_adj in rows {rows}; "
            "the sum is used")]


def rolling_3yr(df: pd.DataFrame) -> pd.DataFrame:
    """total_adj_3yr per target x year over the reported years y-2..y, with rows and flags."""
    by = {(t, y): (v, r) for t, y, v, r in zip(df["target"], df["year"], df["total_adj"], df["_row"])}
    sums, rows, flags = [], [], []
    for t, y in zip(df["target"], df["year"]):
        window = [by[(t, k)] for k in (y - 2, y - 1, y) if (t, k) in by]
        sums.append(sum(v for v, _ in window))
        rows.append("; ".join(str(r) for _, r in window))
        partial = len(window) < 3 or y - 2 < FIRST_YEAR
        flags.append(f"partial_window: {len(window)} of 3 years reported" if partial else None)
    return df.assign(**{"total_adj_3yr": sums, "source_row.total_adj_3yr": rows,
                        "flags.total_adj_3yr": flags})


STOCK_YEARS = 5  # exp_devfin_stock_5yr: commitments over the year and the four before


def rolling_stock(df: pd.DataFrame, width: int = STOCK_YEARS) -> pd.DataFrame:
    """total_adj_<width>yr: the stock of commitments over the reported years y-width+1..y,
    for every year in which the window holds a reported year (also years without a row of
    their own), with its rows and a partial_window flag (fewer years reported, or the
    window starts before the coverage). One row per target x year, merged into df."""
    var = f"total_adj_{width}yr"
    by = {(t, y): (v, r) for t, y, v, r in zip(df["target"], df["year"], df["total_adj"], df["_row"])}
    out = []
    for t in sorted(df["target"].unique()):
        for y in range(FIRST_YEAR, int(df["year"].max()) + 1):
            window = [by[(t, k)] for k in range(y - width + 1, y + 1) if (t, k) in by]
            if not window:
                continue
            partial = len(window) < width or y - width + 1 < FIRST_YEAR
            out.append({"target": t, "year": y, var: sum(v for v, _ in window),
                        f"source_row.{var}": "; ".join(str(r) for _, r in window),
                        f"flags.{var}": f"partial_window: {len(window)} of {width} years reported"
                        if partial else None})
    return df.merge(pd.DataFrame(out), on=["target", "year"], how="outer")


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per recipient x year: actor CHN, total_adj and total_adj_3yr (million USD)."""
    res = res or resolver()
    _register_states(snapshot, res)
    df = readers.read_csv(snapshot.path(FILE), FILE, required=["ccode", "year", *PARTS])
    df = readers.integers(df, ["ccode", "year"], FILE)
    df = readers.amounts(df, PARTS, FILE)
    df["total_adj_m"] = df[PARTS].sum(axis=1, min_count=1) / MILLION
    warnings = _check_total(df)
    df["target"], skipped = _targets(df, res)
    df = df[df["target"].notna()].copy()
    readers.check_unique(df, ["target", "year"], FILE)
    df["total_adj"] = df["total_adj_m"]
    for part in PARTS:
        df[part] = df[part] / MILLION
    df = rolling_3yr(df)
    df["flags.total_adj"] = df["total_adj"].map(lambda v: ZERO_FLAG if v == 0 else None)
    df["actor"] = "CHN"
    df["source_file"] = FILE
    df["source_row"] = readers.row_refs(df)
    df = rolling_stock(df).assign(actor="CHN", source_file=FILE)
    df["source_row"] = df["source_row"].fillna(df["source_row.total_adj_5yr"])
    keep = ["actor", "target", "year", *PARTS, "total_adj", "total_adj_3yr",
            "source_row.total_adj_3yr", "flags.total_adj_3yr", "total_adj_5yr",
            "source_row.total_adj_5yr", "flags.total_adj_5yr", "flags.total_adj", "source_file", "source_row"]
    return readers.finish(df[keep], warnings + skipped)


SOURCE = Source(
    name="aiddata-gcdf",
    universe=Universe(years=(2000, 2021), note="China's official finance committed 2000-2021 (its indicators are absent: missing, so no zeros are completed)"),
    actors=("CHN",),
    title="Global Chinese Development Finance Dataset 3.0 (recipient country-year)",
    publisher="AidData, William & Mary",
    homepage="https://www.aiddata.org/data/aiddatas-global-chinese-development-finance-dataset-version-3-0",
    licence="AidData open data (attribution required; see AidData's terms for GCDF 3.0); "
    "country-year aggregation by odadata (MIT)",
    redistribute=('observations',),
    citation="Custer, S., Dreher, A., Elston, T.-B., Escobar, B., Fedorochko, R., Fuchs, A., "
    "et al. (2023). Tracking Chinese Development Finance: An Application of AidData's TUFF 3.0 "
    "Methodology. Williamsburg, VA: AidData at William & Mary. Country-year sums: Williams, "
    "M. D., odadata R package.",
    files=(
        SourceFile(FILE,
                   "https://raw.githubusercontent.com/milesdwilliams15/odadata/main/data/cow_gcdf.csv",
                   "aiddata_gcdf/gcdf3_country_year_iso3.csv", format="csv",
                   derive="the CSV as published (the odadata package's country-year table)",
                   checked="GitHub raw URL on the main branch (may move); not fetched from here"),
        STATES_FILE,
    ),
    parse=parse,
    coverage="138 recipients, commitments 2000-2021",
    notes="Commitments, not disbursements; absent recipient-years are missing, not zero.",
)
