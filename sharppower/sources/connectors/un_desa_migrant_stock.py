"""UN DESA International Migrant Stock 2020: persons born in the actor's state living in
the target, 1990-2020 every five years, every declared actor.

The bilateral table as published in long form by the IOM Global Data Institute's gdiviz
package (R object `stocks` in `data/stocks.rda`, pinned commit: `from`, `to` ISO3, `sex`,
`t` year, `v` persons, built from UN DESA's workbook; the `Total` rows are read) gives per
actor (origin) x target (destination) x year:
- `persons`: the actor-born migrant stock in the target;
- `per_1000_migrants`: those persons per 1,000 of the target's whole migrant stock (the
  sum over every origin, `XXX` "other / unknown" included): how large the actor's
  diaspora is among the target's migrants, comparable across small and large targets.
`XXX` is not a state (counted in the totals only); `CHA` (the Channel Islands, no ISO
3166 code) is left out as a destination with a warning; any other code the country
resolver does not know is an error naming file, row and field, and so is a stock that
is not a finite number. A destination lists the origins it has an estimate for: an
absent pair has no estimate, so absence is missing in the codebook, not zero. Taiwan is
neither an origin nor a destination in UN DESA's estimates: missing.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "stocks.rda"
URL = ("https://raw.githubusercontent.com/ksreyes/gdiviz/"
       "1a9f94903bedf4a18d46929f211b88a21b052a4a/data/stocks.rda")
OBJECT = "stocks"
UNKNOWN_ORIGIN = "XXX"
NOT_STATES = {"CHA": "the Channel Islands have no ISO 3166 code (SOURCE.md writes CHI)",
              "CHI": "the Channel Islands have no ISO 3166 code"}
YEARS = (1990, 2020)


def read_totals(snapshot: Snapshot) -> pd.DataFrame:
    """The `Total` rows of the R object as text columns (origin_iso3, destination_iso3,
    year, migrant_stock) with `_row`, the row of the R data frame (1 = first)."""
    import pyreadr  # loads when the file is read, not with the source registry

    try:
        frames = pyreadr.read_r(str(snapshot.path(FILE)))
    except (pyreadr.PyreadrError, pyreadr.LibrdataError, ValueError) as exc:
        raise InputError(FILE, f"not a readable R data file: {exc}") from exc
    if OBJECT not in frames:
        raise InputError(FILE, f"holds no R object {OBJECT!r} (it has: {', '.join(frames)})")
    raw = frames[OBJECT]
    missing = [c for c in ("from", "to", "sex", "t", "v") if c not in raw.columns]
    if missing:
        raise InputError(FILE, f"object {OBJECT!r} lacks the columns {', '.join(missing)}",
                         field=missing[0])
    raw = raw.assign(_row=range(1, len(raw) + 1))
    raw = raw[raw["sex"].astype(str) == "Total"]
    return pd.DataFrame({
        "origin_iso3": raw["from"].astype(str).to_numpy(),
        "destination_iso3": raw["to"].astype(str).to_numpy(),
        "year": raw["t"].map(lambda v: "" if pd.isna(v) else f"{v:g}").to_numpy(),
        "migrant_stock": raw["v"].map(lambda v: "nan" if pd.isna(v) else repr(float(v))).to_numpy(),
        "_row": raw["_row"].to_numpy()})


def read_stocks(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """The bilateral rows with typed stocks and checked codes (and `_row`)."""
    df = read_totals(snapshot)
    df = readers.integers(df, ["year"], FILE)
    df = readers.amounts(df, ["migrant_stock"], FILE)
    bad_year = ~df["year"].between(*YEARS) | ((df["year"] - YEARS[0]) % 5 != 0)
    if bad_year.any():
        i = int(bad_year.to_numpy().nonzero()[0][0])
        raise InputError(FILE, f"not a year of the estimates (1990, 1995, ..., 2020): "
                         f"{df['year'].iloc[i]}", row=int(df["_row"].iloc[i]), field="year")
    for field, allowed in (("origin_iso3", {UNKNOWN_ORIGIN, *NOT_STATES}),
                           ("destination_iso3", set(NOT_STATES))):
        unknown = ~df[field].isin(allowed) & ~df[field].map(res.known)
        if unknown.any():
            i = int(unknown.to_numpy().nonzero()[0][0])
            raise InputError(FILE, f"unknown country code {df[field].iloc[i]!r}",
                             row=int(df["_row"].iloc[i]), field=field)
    warnings = []
    for code, reason in NOT_STATES.items():
        rows = df.loc[df["destination_iso3"] == code, "_row"]
        if len(rows):
            warnings.append(f"{FILE}: destination {code} left out ({reason}; "
                            f"{len(rows)} rows {readers.row_ranges(rows)})")
    return df, warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per actor x target x year: persons and per_1000_migrants."""
    res, actors = res or resolver(), declared(actors)
    df, warnings = read_stocks(snapshot, res)
    df = df[~df["destination_iso3"].isin(NOT_STATES)]
    totals = df.groupby(["destination_iso3", "year"])["migrant_stock"].sum()
    mine = df[df["origin_iso3"].isin(actors) & (df["origin_iso3"] != df["destination_iso3"])]
    out = mine.rename(columns={"origin_iso3": "actor", "destination_iso3": "target",
                               "migrant_stock": "persons"})
    total = [totals[(t, y)] for t, y in zip(out["target"], out["year"])]
    out = out.assign(per_1000_migrants=[1000 * p / n if n > 0 else float("nan")
                                        for p, n in zip(out["persons"], total)],
                     source_file=FILE, source_row=readers.row_refs(out))
    out = out[["actor", "target", "year", "persons", "per_1000_migrants", "source_file",
               "source_row"]]
    warnings += missing_warnings(SOURCE.name, out, actors, "not an origin of the estimates")
    return readers.finish(out, warnings)


SOURCE = Source(
    name="un-desa-migrant-stock",
    universe=Universe(years=YEARS, every=5, note="every destination of the estimates, "
                      "1990-2020 every five years; Taiwan is not among them (missing)"),
    actors="any",
    title="International Migrant Stock 2020: destination and origin",
    publisher="United Nations, Department of Economic and Social Affairs, Population Division",
    homepage="https://www.un.org/development/desa/pd/content/international-migrant-stock",
    licence="CC BY 3.0 IGO",
    redistribute=("observations",),
    citation="United Nations, Department of Economic and Social Affairs, Population Division "
    "(2020). International Migrant Stock 2020.",
    files=(SourceFile(
        FILE, URL, "un_desa_migrant_stock/gdiviz_stocks_undesa_ims2020.rda", format="rda",
        derive="gdiviz's long form of UN DESA's 2020 workbook (Table 1, destination x "
               "origin), object `stocks`, the `Total` rows",
        checked="the pinned commit and path named in the mirror's SOURCE.md; not fetched from "
                "here (no network)"),),
    parse=parse,
    coverage="233 origins x 232 destinations, 1990-2020 every five years; Taiwan absent",
    notes="Country of birth (citizenship for some hosts); per 1,000 of the target's migrants.",
)
