"""Freedom House, Freedom in the World: the original 'All data FIW 2013-2024' workbook.

Sheet FIW13-24, header on row 2: one row per country or territory and edition with the
status (F/PF/NF), the ratings and every sub-score (A1..G4, A..G, PR, CL, Total).
Edition N scores the events of year N-1, so each row is stored under year = Edition - 1.
Territories without an ISO 3166 code (Tibet, Crimea, ...) are skipped by name through the
resolver's skip list and reported as warnings; territories with one (Hong Kong, Puerto
Rico, Western Sahara) are kept.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.readers import check_unique, finish, integers, numbers, read_sheet, row_refs
from sharppower.sources.snapshot import Snapshot

FILE = "All_data_FIW_2013-2024.xlsx"
SHEET = "FIW13-24"
HEADER_ROW = 2
ITEMS = [f"{c}{i}" for c, n in zip("ABCDEFG", (3, 4, 3, 4, 3, 4, 4)) for i in range(1, n + 1)]
SCORES = ["PR rating", "CL rating", *ITEMS, "A", "B", "C", "D", "E", "F", "G",
          "Add Q", "PR", "CL", "Total"]
OPTIONAL = ["Add A"]  # 'N/A' from the 2018 edition on (methodology change)
STATUSES = {"F", "PF", "NF"}


def _check_status(df: pd.DataFrame) -> None:
    bad = ~df["Status"].isin(STATUSES)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise InputError(f"{FILE}!{SHEET}", f"status must be F, PF or NF, not {df['Status'].iloc[i]!r}",
                         row=int(df["_row"].iloc[i]), field="Status")


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x observation year: Status, the ratings and every sub-score."""
    res = res or resolver()
    where = f"{FILE}!{SHEET}"
    df = read_sheet(snapshot.path(FILE), FILE, SHEET, HEADER_ROW,
                    required=["Country/Territory", "C/T", "Edition", "Status", *SCORES])
    df = integers(df, ["Edition"], where)
    df = numbers(df, SCORES, where)
    if "Add A" in df.columns:
        df = numbers(df, OPTIONAL, where)
    _check_status(df)
    df["target"], warnings = res.resolve_report(df["Country/Territory"], where, df["_row"].tolist())
    df = df[df["target"].notna()].copy()
    df["year"] = df["Edition"] - 1
    check_unique(df, ["target", "year"], where)
    df["source_file"] = FILE
    df["source_row"] = row_refs(df, f"{SHEET}!row ")
    keep = ["target", "year", "Edition", "Country/Territory", "C/T", "Status", *SCORES,
            *[c for c in OPTIONAL if c in df.columns], "source_file", "source_row"]
    return finish(df[keep], warnings)


SOURCE = Source(
    name="freedom-house",
    actors=(),
    title="Freedom in the World 2013-2024 (all data: scores and sub-scores)",
    publisher="Freedom House",
    homepage="https://freedomhouse.org/report/freedom-world",
    licence="Freedom House terms of use: free to use with attribution to Freedom House",
    redistribute=('observations',),
    citation="Freedom House (2024). Freedom in the World 2013-2024, All Data (Excel download). "
    "Washington, DC: Freedom House.",
    files=(SourceFile(
        FILE,
        "https://freedomhouse.org/sites/default/files/2024-02/All_data_FIW_2013-2024.xlsx",
        "freedom_house/All_data_FIW_2013-2024.xlsx",
        format="xlsx", derive="the workbook as published",
        checked="Freedom House's file URL as the connector has read it; not fetched from here",
    ),),
    parse=parse,
    coverage="editions 2013-2024 (events of 2012-2023), about 195 countries and 15 territories",
    notes="Stored under the observation year (edition - 1). Territories without ISO code skipped.",
)
