"""Belt and Road Initiative memoranda of understanding (GFDC list, May 2025), actor CHN.

The published table (`iso3, name, region, income, mou, exit`; dates YYYY-MM-DD, "likely"
signing dates per GFDC) gives `bri_member` per listed country and year from FIRST_YEAR
(2013, the initiative's launch) to END_YEAR (2025, the list's date):
- 1 when the MoU is in force at the end of the year: signed in or before the year and no
  exit in or before it (Italy, exit 2023-12-06, counts as a member to 2022; Panama, exit
  2025-02-04, to 2024); 0 in the years before signing and from the exit year on.
- Date precision is kept in each observation's note: `day`, `month` (GFDC writes a month
  as its 1st day) or `placeholder` (2013-12-01, GFDC's date for the earliest signatories).
- Countries listed without a date (Austria, Congo Rep., Niger, Russia) are members only in
  END_YEAR, flagged `undated`; earlier years have no observation.
- China itself is dropped. A country not on the list has no MoU per GFDC: the codebook
  declares absence as zero (not signed).
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "gfdc-bri-countries-2025-05.csv"
FIRST_YEAR, END_YEAR = 2013, 2025
PLACEHOLDER = "2013-12-01"
UNDATED = f"undated: listed without a signing date; counted as a member in {END_YEAR} only"


def _date(value: str, row: int, field: str) -> pd.Timestamp | None:
    if value in readers.MISSING:
        return None
    try:
        return pd.Timestamp(pd.to_datetime(value, format="%Y-%m-%d"))
    except ValueError:
        raise InputError(FILE, f"not a date (YYYY-MM-DD): {value!r}", row=row, field=field) from None


def precision(value: str) -> str:
    if value == PLACEHOLDER:
        return "placeholder"
    return "month" if value.endswith("-01") else "day"


def _member_rows(rec: pd.Series) -> list[dict]:
    signed = _date(rec["mou"], rec["_row"], "mou")
    left = _date(rec["exit"], rec["_row"], "exit")
    if signed is not None and left is not None and left < signed:
        raise InputError(FILE, f"exit {rec['exit']} before the MoU {rec['mou']}", row=rec["_row"],
                         field="exit")
    if signed is None:
        return [{"year": END_YEAR, "bri_member": 1.0, "flags": UNDATED, "note": "no MoU date"}]
    note = f"MoU {rec['mou']} ({precision(rec['mou'])} precision, likely date per GFDC)"
    if left is not None:
        note += f"; exit {rec['exit']}"
    return [{"year": y, "bri_member": float(signed.year <= y and (left is None or y < left.year)),
             "flags": None, "note": note} for y in range(FIRST_YEAR, END_YEAR + 1)]


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per listed country x year: actor CHN, bri_member (0/1), note with the dates."""
    res = res or resolver()
    df = readers.read_csv(snapshot.path(FILE), FILE, required=["iso3", "name", "mou", "exit"])
    df["target"], warnings = res.resolve_report(df["iso3"], FILE, df["_row"].tolist())
    df = df[df["target"].notna() & (df["target"] != "CHN")]
    readers.check_unique(df, ["target"], FILE)
    rows = [{"target": rec["target"], **r, "source_row": str(rec["_row"])}
            for _, rec in df.iterrows() for r in _member_rows(rec)]
    frame = pd.DataFrame(rows).assign(actor="CHN", source_file=FILE)
    return readers.finish(frame, warnings)


SOURCE = Source(
    name="bri-mou",
    universe=Universe(years=(2013, 2025), note="every country listed as signing a Belt and Road MoU, 2013-2025: a country not listed has none"),
    actors=("CHN",),
    title="Countries of the Belt and Road Initiative: MoU signing and exit dates (May 2025)",
    publisher="Green Finance & Development Center (Christoph Nedopil Wang)",
    homepage="https://greenfdc.org/countries-of-the-belt-and-road-initiative-bri/",
    licence="no licence stated; cite on use",
    redistribute=('observations', 'records'),
    citation="Nedopil, C. (2025). Countries of the Belt and Road Initiative. Green Finance & "
    "Development Center, FISF Fudan University. Table transcribed as CSV in "
    "github.com/aarrigone00-cmd/bri-explorer.",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/aarrigone00-cmd/bri-explorer/edf17ed6/scripts/"
        "gfdc-bri-countries-2025-05.csv", "bri_mou/gfdc-bri-countries-2025-05.csv", format="csv",
        checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),),
    parse=parse,
    coverage="151 countries listed (148 dated), MoUs 2013-2025; exits Italy 2023, Panama 2025",
    notes="Member at the end of the year; date precision in each observation's note.",
)
