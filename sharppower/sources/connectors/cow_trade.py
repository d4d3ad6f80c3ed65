"""Correlates of War Trade v4.0: each country's trade with China (710) and Russia (365).

Files (COW state codes throughout; flows in million current USD, rounded upstream):
- dyads with the two partners: `ccode, partner, year, imports_from_partner,
  exports_to_partner` (exports_to_partner is the partner's reported imports, COW flow2);
- national totals: `ccode, year, imports, exports` (the full COW national file);
- the COW states list `ccode, stateabb, statenme`, registered with the resolver.
The published zip (Dyadic_COW_4.0.csv with ccode1, ccode2, flow1, flow2; National_COW_4.0.csv)
is read as well as the mirror's extracts of it.
We compute share_imports_from_partner = imports_from_partner / imports and
share_exports_to_partner = exports_to_partner / exports ourselves (missing when the total
is missing or 0). Dyadic and national flows are separate COW series, so a share can exceed
1: such shares are kept, flagged `share_above_1` and reported as warnings.
COW codes resolve by year: 365 is the USSR (SUN) 1923-1991 and Russia otherwise, so the
actor of a pre-1992 Russian dyad is SUN; other former states keep ISO 3166-3 codes (DDR,
CSK, YUG, SCG, YMD, VDR). COW's -9 means missing.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.cow_states import STATES_FILE, register_states
from sharppower.sources.snapshot import Snapshot

DYADS = "cow_dyadic_trade_partner_CHN_RUS.csv"
TOTALS = "cow_national_trade_totals.csv"
PARTNERS = (710, 365)
COW_DYADIC, COW_NATIONAL = "Dyadic_COW_4.0.csv", "National_COW_4.0.csv"  # in the published zip
COW_MISSING = {"", "-9", "-9.0"}
SHARES = {"share_imports_from_partner": ("imports_from_partner", "imports"),
          "share_exports_to_partner": ("exports_to_partner", "exports")}
ABOVE_1 = "share_above_1: dyadic flow exceeds the national total (separate COW series)"


FLOWS = ["imports_from_partner", "exports_to_partner"]


def _from_cow_dyadic(df: pd.DataFrame) -> pd.DataFrame:
    """COW's own Dyadic_COW_4.0.csv (ccode1 < ccode2; flow1 = imports of 1 from 2) to rows
    of ccode x partner with imports_from_partner and exports_to_partner."""
    df = readers.integers(df, ["ccode1", "ccode2", "year"], DYADS)
    as2 = df[df["ccode2"].isin(PARTNERS)].rename(columns={
        "ccode1": "ccode", "ccode2": "partner", "flow1": FLOWS[0], "flow2": FLOWS[1]})
    as1 = df[df["ccode1"].isin(PARTNERS)].rename(columns={
        "ccode2": "ccode", "ccode1": "partner", "flow2": FLOWS[0], "flow1": FLOWS[1]})
    return pd.concat([as2, as1], ignore_index=True)


def _dyads(snapshot: Snapshot) -> pd.DataFrame:
    path, flows = snapshot.path(DYADS), FLOWS
    if "ccode1" in readers.read_csv_header(path, DYADS, member=COW_DYADIC):
        raw = readers.read_csv(path, DYADS, required=["ccode1", "ccode2", "year", "flow1", "flow2"],
                               usecols=[], member=COW_DYADIC)
        df = _from_cow_dyadic(raw)
    else:
        df = readers.read_csv(path, DYADS, required=["ccode", "partner", "year", *flows])
        df = readers.integers(df, ["ccode", "partner", "year"], DYADS)
    df = readers.amounts(df, flows, DYADS, missing=COW_MISSING)
    readers.check_unique(df, ["ccode", "partner", "year"], DYADS)
    return df[df["partner"].isin(PARTNERS)]


def _totals(snapshot: Snapshot) -> pd.DataFrame:
    df = readers.read_csv(snapshot.path(TOTALS), TOTALS, required=["ccode", "year", "imports", "exports"],
                          usecols=[], member=COW_NATIONAL)
    df = readers.integers(df, ["ccode", "year"], TOTALS)
    df = readers.amounts(df, ["imports", "exports"], TOTALS, missing=COW_MISSING)
    readers.check_unique(df, ["ccode", "year"], TOTALS)
    return df[["ccode", "year", "imports", "exports", "_row"]].rename(columns={"_row": "_total_row"})


def add_shares(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Shares with their provenance (both files, both rows) and share_above_1 flags."""
    warnings = []
    both_rows = [f"{d}; {'' if pd.isna(t) else int(t)}" for d, t in zip(df["_row"], df["_total_row"])]
    for share, (flow, total) in SHARES.items():
        ok = df[total].notna() & (df[total] > 0)
        df[share] = (df[flow] / df[total]).where(ok)
        above = df[share] > 1
        df[f"flags.{share}"] = above.map(lambda a: ABOVE_1 if a else None)
        df[f"source_file.{share}"] = f"{DYADS}; {TOTALS}"
        df[f"source_row.{share}"] = both_rows
        if above.any():
            warnings.append(f"{DYADS}: {int(above.sum())} {share} values above 1 kept and flagged "
                            f"(rows {readers.row_ranges(df.loc[above, '_row'])}; max "
                            f"{df.loc[above, share].max():.2f})")
    return df, warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x partner (actor) x year: flows, totals and the two shares."""
    res = res or resolver()
    register_states(snapshot, res)
    df = _dyads(snapshot).merge(_totals(snapshot), on=["ccode", "year"], how="left")
    rows = df["_row"].tolist()
    df["target"], warnings = res.resolve_cow(df["ccode"], df["year"], DYADS, rows)
    df["actor"], more = res.resolve_cow(df["partner"], df["year"], DYADS, rows)
    df = df[df["target"].notna() & df["actor"].notna()].copy()
    readers.check_unique(df, ["target", "actor", "year"], DYADS)
    df, above = add_shares(df)
    df["source_file"] = DYADS
    df["source_row"] = readers.row_refs(df)
    extra = [c for c in df.columns if c.startswith(("flags.", "source_file.", "source_row."))]
    keep = ["actor", "target", "year", "ccode", "partner", "imports_from_partner",
            "exports_to_partner", "imports", "exports", *SHARES, *extra, "source_file", "source_row"]
    return readers.finish(df[keep], warnings + more + above)


ARCHIVE = "https://correlatesofwar.org/wp-content/uploads/COW_Trade_4.0.zip"
CHECKED = ("the URL and member names as the connector has read them; the live archive was not "
           "fetched from here (no network)")

SOURCE = Source(
    name="cow-trade",
    actors=("CHN", "RUS"),
    title="Correlates of War Trade v4.0: trade with China and Russia, and national totals",
    publisher="Correlates of War Project (Barbieri and Keshk)",
    homepage="https://correlatesofwar.org/data-sets/bilateral-trade/",
    licence="free for research with citation (COW terms of use); extracts via peacesciencer "
    "(GPL-2)",
    redistribute=('observations',),
    citation="Barbieri, K. and Keshk, O. M. G. (2016). Correlates of War Project Trade Data Set "
    "Codebook, Version 4.0. Barbieri, K., Keshk, O. M. G. and Pollins, B. (2009). Trading Data: "
    "Evaluating our Assumptions and Coding Rules. Conflict Management and Peace Science 26(5).",
    files=(
        SourceFile(DYADS, ARCHIVE, "cow_trade/cow_dyadic_trade_partner_CHN_RUS.csv",
                   format="zip", member=COW_DYADIC, checked=CHECKED,
                   derive=f"{COW_DYADIC} out of the published zip (all dyads; the connector keeps "
                   "China's and Russia's); the mirror holds the rows with partner CHN or RUS"),
        SourceFile(TOTALS, ARCHIVE, "cow_trade/cow_national_trade_totals.csv",
                   format="zip", member=COW_NATIONAL, checked=CHECKED,
                   derive=f"{COW_NATIONAL} out of the published zip (the archive is downloaded "
                   "once for both files)"),
        STATES_FILE,
    ),
    parse=parse,
    coverage="1870-2014; about 183 countries a year from 2000",
    notes="Shares computed here from the dyadic and national files; shares above 1 flagged.",
)
