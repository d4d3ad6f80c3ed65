"""ISO 3166-1 codes with UN M49 regions (lukes/ISO-3166-Countries-with-Regional-Codes).

Its load step (`sharppower.pipeline.reference`) sets region and sub-region of the countries
table; it writes no observations.
"""

from __future__ import annotations

import pandas as pd

from sharppower.errors import InputError
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.snapshot import Snapshot

FILE = "iso3166_regions_all.csv"
COLUMNS = ["name", "alpha-3", "region", "sub-region"]


def parse(snapshot: Snapshot, res=None) -> pd.DataFrame:
    path = snapshot.path(FILE)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in COLUMNS:
        if col not in df.columns:
            raise InputError(FILE, "missing column", row=1, field=col)
    for i, code in enumerate(df["alpha-3"]):
        if len(code) != 3 or not code.isalpha():
            raise InputError(FILE, f"not an alpha-3 code: {code!r}", row=i + 2, field="alpha-3")
    out = pd.DataFrame({
        "target": df["alpha-3"], "region": df["region"].replace("", None),
        "subregion": df["sub-region"].replace("", None),
        "source_file": FILE, "source_row": [str(i + 2) for i in range(len(df))],
    })
    return out


SOURCE = Source(
    name="countries",
    actors=(),
    title="ISO 3166 countries with UN M49 regional codes",
    publisher="Luke Duncalfe (compiled from ISO 3166-1 and the UN Statistics Division M49)",
    homepage="https://github.com/lukes/ISO-3166-Countries-with-Regional-Codes",
    licence="CC BY-SA 4.0",
    redistribute=('observations', 'records', 'texts'),
    citation="lukes/ISO-3166-Countries-with-Regional-Codes, all/all.csv (tag 10.0); "
    "UN Statistics Division, Standard country or area codes for statistical use (M49).",
    files=(SourceFile(
        FILE,
        "https://raw.githubusercontent.com/lukes/ISO-3166-Countries-with-Regional-Codes/master/all/all.csv",
        "countries/iso3166_regions_all.csv",
        format="csv", derive="the CSV as published",
        checked="GitHub raw URL on the master branch (a new commit is a changed checksum); "
        "not fetched from here (no network)",
    ),),
    parse=parse,
    coverage="249 ISO 3166-1 codes",
    kind="reference",
)
