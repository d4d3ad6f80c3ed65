"""China Sanctions Monitor (CSM): the PRC's formal and informal economic restrictions,
2010-2025, per target nationality x year of imposition (actor CHN).

The published workbook `PRC Sanctions Data.xlsm` (sheet "Master Sheet", one row per
restriction) is read as data with calamine through pandas; its macros are never run. A
restriction counts once for every nationality its `Nationality of Targets` names
("United States (North America); Canada (North America)": the region suffix is dropped),
in the year of its `Imposition Date`:
- `restrictions`: every restriction (formal and informal, primary and countersanctions);
- `informal`: those whose `Formality` is Informal;
- `countersanctions`: those whose `Counter vs. Primary` is Countersanction (retaliation,
  e.g. the 2021 Xinjiang countersanctions; kept as a variable, not an indicator).
"European Union" as a nationality (EU institutions and officials) is no state, and a
restriction naming no nationality (export controls on every destination) has no target:
both are skipped with a counted warning. Only non-zero rows are produced: the universe (every
target, 2010-2025) says that a target-year without a restriction had none recorded.
"""

from __future__ import annotations

import re

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "PRC Sanctions Data.xlsm"
SHEET = "Master Sheet"
COMMIT = "b9c7e92ef1f84fee1bb3386ba02726b89abfc9a2"
DATE, NATIONALITY = "Imposition Date", "Nationality of Targets"
REQUIRED = [DATE, "Title", NATIONALITY, "Formality", "Counter vs. Primary"]
REGION = re.compile(r"\s*\([^()]*\)\s*$")
NOT_STATES = {"European Union": "EU institutions and officials, not a state",
              "": "no nationality named (export controls on every destination, such as the "
              "2023 gallium and germanium licensing)"}
FIRST, LAST = 2010, 2025


def read_restrictions(path) -> pd.DataFrame:
    """The Master Sheet as strings (macros never run), with `_row` the sheet row."""
    return readers.read_sheet(path, FILE, SHEET, 1, REQUIRED)


def imposition_years(df: pd.DataFrame) -> pd.Series:
    """Year of each Imposition Date (a date cell, or YYYY-MM-DD text); missing is an error."""
    years = []
    for value, row in zip(df[DATE], df["_row"]):
        m = re.match(r"^(\d{4})-\d{2}-\d{2}", value)
        if not m:
            raise InputError(f"{FILE}!{SHEET}", f"not a date: {value!r}", row=int(row), field=DATE)
        years.append(int(m.group(1)))
    return pd.Series(years, index=df.index)


def by_nationality(df: pd.DataFrame, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """One row per restriction x named nationality (target ISO3); unknown names are errors."""
    rows, skipped = [], {}
    for rec in df.to_dict("records"):
        names = [REGION.sub("", n).strip() for n in rec[NATIONALITY].split(";")]
        names = [n for n in names if n]
        if not names:
            skipped.setdefault("", []).append(rec["_row"])
            continue
        for name in dict.fromkeys(names):
            if name in NOT_STATES:
                skipped.setdefault(name, []).append(rec["_row"])
                continue
            iso = res.resolve(name)
            if iso is None:
                raise InputError(f"{FILE}!{SHEET}", f"unknown nationality {name!r}",
                                 row=rec["_row"], field=NATIONALITY)
            rows.append(rec | {"target": iso})
    warnings = [f"{FILE}: {name!r} skipped in {len(r)} restrictions (rows "
                f"{readers.row_ranges(r)}): {NOT_STATES[name]}" for name, r in skipped.items()]
    return pd.DataFrame(rows), warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x year with at least one restriction (actor CHN)."""
    res = res or resolver()
    df = read_restrictions(snapshot.path(FILE))
    df["year"] = imposition_years(df)
    long, warnings = by_nationality(df, res)
    long = long[long["target"] != "CHN"]
    long["informal"] = (long["Formality"].str.lower() == "informal").astype(float)
    long["countersanctions"] = long["Counter vs. Primary"].str.lower().str.startswith(
        "counter").astype(float)
    grouped = long.groupby(["target", "year"])
    out = grouped.agg(restrictions=("_row", "size"), informal=("informal", "sum"),
                      countersanctions=("countersanctions", "sum")).reset_index()
    out["restrictions"] = out["restrictions"].astype(float)
    out["actor"] = "CHN"
    out["source_file"] = f"{FILE}!{SHEET}"
    out["source_row"] = [readers.shorten("rows " + readers.row_ranges(g["_row"]))
                         for _, g in grouped]
    return readers.finish(out, warnings)


SOURCE = Source(
    name="china-sanctions-monitor",
    actors=("CHN",),
    title="China Sanctions Monitor: PRC formal and informal economic sanctions, 2010-2025",
    publisher="China Sanctions Monitor (V. A. Ferguson, V. Bohman, A. Wong; Swedish National "
    "China Centre)",
    homepage="https://github.com/pnadelofficial/bohman_china_sanctions",
    licence="No licence stated for the data (the app's Apache-2.0 covers its code); "
    "redistribution unclear.",
    redistribute=(),
    citation="Bohman, V., Wong, A. and Ferguson, V. A., The Old Logic Behind China's New "
    "Economic Weapons, The Washington Quarterly 48(3), 2025; China Sanctions Monitor data, "
    f"PRC Sanctions Data.xlsm (github.com/pnadelofficial/bohman_china_sanctions, commit {COMMIT[:7]}).",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/pnadelofficial/bohman_china_sanctions/"
        f"{COMMIT}/PRC%20Sanctions%20Data.xlsm", f"china_sanctions_monitor/{FILE}"),),
    parse=parse,
    universe=Universe(years=(FIRST, LAST), note="The monitor looks for PRC restrictions against "
                      "any country, 2010 to April 2025 (2025 a partial year)."),
    coverage="225 restrictions 2010-09 to 2025-04 naming 35 nationalities (United States 86, "
    "Taiwan 29, Japan 18, South Korea 16, Australia 15)",
    notes="Unit is a restriction, not an episode; earlier years under-recorded. Supersedes "
    "coercion-cases (2010-2020) in the index.",
)
