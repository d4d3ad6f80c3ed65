"""Council on Foreign Relations, Cyber Operations Tracker: state-sponsored cyber operations
2005-2022 per sponsor x victim country x year, for every declared actor (the cross-check
of `eurepoc-cyber-incidents`).

The published export `cyber-operations-incidents.csv` (Windows-1252, punctuation mangled,
quoted fields with newlines) has one row per operation: Title, Date (M/D/YYYY), Sponsor
(CFR country names, comma-separated: "Palestine, State of" kept whole), Victims (free
text), Description, ... There is no victim-country column: the victim countries are the
countries the `Victims` text names; where it names none, the `Title`; where that names
none, the `Description` (`name_lists.TextMatcher`: every country name the resolver knows
plus the demonyms and aliases of `cfr_cyber_operations.yaml`). The first of these fields
that names any country decides; the sponsor's own country is never its victim, so an
operation whose Victims name only the sponsor (Ghana spying on Ghanaian dissidents) is
domestic and has no target (the Description is not searched for one). An operation whose
texts name no country has no target: `unresolved(snapshot)` lists them (file row and
victims text) and the load warns with their count and examples.
- `operations`: operations of the actor naming the target, by year of `Date`.
Rows without a parseable date are skipped and counted; sponsor pieces that are no country
(shifted rows: "Espionage", "Government") are skipped with a warning. Only non-zero rows are
produced: the universe (every target, 2005-2022) says that no record means none recorded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.name_lists import TextMatcher, split_names
from sharppower.sources.snapshot import Snapshot
from sharppower.yaml_load import safe_load

FILE = "cyber-operations-incidents.csv"
COMMIT = "987281f5385a3d9397dc6d3ca7adfa9a45bb3586"
REQUIRED = ["Title", "Date", "Description", "Victims", "Sponsor"]
TEXTS = ("Victims", "Title", "Description")  # where the victim country is looked for, in order
FIRST, LAST = 2005, 2022


@lru_cache(maxsize=1)
def aliases() -> dict[str, str | None]:
    data = safe_load(Path(__file__).with_suffix(".yaml").read_text("utf-8"))
    return dict(data["aliases"])


@lru_cache(maxsize=2)
def matcher(res: CountryResolver) -> TextMatcher:
    return TextMatcher(res, aliases())


def read_operations(path) -> pd.DataFrame:
    """The export as strings (Windows-1252; bytes it cannot decode would be an error)."""
    df = readers.read_csv(path, FILE, REQUIRED, encoding="cp1252,latin-1")
    return df.apply(lambda s: s.str.strip() if s.name != "_row" else s)


def victims(row: dict, sponsors: list[str], match: TextMatcher) -> tuple[list[str], str]:
    """The victim countries of an operation and the field they were read from."""
    for field in TEXTS:
        named = match.countries(row[field])
        if named:  # the first field naming a country decides (only the sponsor: domestic, none)
            return [c for c in named if c not in sponsors], field
    return [], ""


def coded(df: pd.DataFrame, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """One row per operation x sponsor x victim country: actor, target, year, field, _row;
    plus the operations without a victim country (target None)."""
    match, rows, bad_sponsors = matcher(res), [], {}
    years, warnings = readers.text_years(df["Date"], df["_row"], FILE, "Date",
                                         plausible=(FIRST, LAST))
    for rec, year in zip(df.to_dict("records"), years):
        sponsors = []
        for name in split_names(rec["Sponsor"], res):
            iso = res.resolve(name)
            if iso is None:
                bad_sponsors.setdefault(name, []).append(rec["_row"])
            else:
                sponsors.append(iso)
        targets, field = victims(rec, sponsors, match)
        for sponsor in sponsors:
            for target in targets or [None]:
                rows.append({"actor": sponsor, "target": target, "year": year, "field": field,
                             "victims": rec["Victims"], "_row": rec["_row"]})
    if bad_sponsors:
        warnings.append(f"{FILE}: Sponsor values that name no country skipped (shifted rows): "
                        + "; ".join(f"{n!r} rows {readers.row_ranges(r)}"
                                    for n, r in bad_sponsors.items()))
    return pd.DataFrame(rows), warnings


def unresolved(snapshot: Snapshot, res: CountryResolver | None = None,
               actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Operations of the declared actors whose texts name no victim country: actor, file
    row (_row), the Victims text."""
    res, actors = res or resolver(), declared(actors)
    ops, _ = coded(read_operations(snapshot.path(FILE)), res)
    none = ops[ops["target"].isna() & ops["actor"].isin(actors)]
    return none[["actor", "_row", "victims"]].reset_index(drop=True)


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per declared actor x victim country x year with at least one operation."""
    res, actors = res or resolver(), declared(actors)
    ops, warnings = coded(read_operations(snapshot.path(FILE)), res)
    ops = ops[ops["actor"].isin(actors)]
    undated = ops["year"].isna()
    if undated.any():
        warnings.append(f"{FILE}: {ops.loc[undated, '_row'].nunique()} operations of the "
                        "declared actors without a date skipped")
    none = ops[ops["target"].isna() & ~undated]
    if len(none):
        examples = "; ".join(f"row {r}: {v[:60]!r}" for r, v in
                             zip(none["_row"].head(5), none["victims"].head(5)))
        warnings.append(f"{FILE}: {len(none)} operations of the declared actors name no victim "
                        f"country in Victims, Title or Description (e.g. {examples}); "
                        "cfr_cyber_operations.unresolved() lists them")
    ops = ops[ops["target"].notna() & ~undated].assign(year=lambda d: d["year"].astype(int))
    grouped = ops.groupby(["actor", "target", "year"])
    df = grouped.agg(operations=("_row", "nunique")).reset_index()
    df["operations"] = df["operations"].astype(float)
    df["source_file"] = FILE
    df["source_row"] = [readers.shorten("rows " + readers.row_ranges(g["_row"]))
                        for _, g in grouped]
    from_text = grouped["field"].agg(lambda f: ", ".join(sorted(set(f) - {"Victims"})))
    df["flags.operations"] = [f"victim_from_text: read from the {f}" if f else None
                              for f in from_text]
    warnings += missing_warnings(SOURCE.name, df, actors, "no operation it sponsored names a "
                                 "victim country")
    return readers.finish(df, warnings)


SOURCE = Source(
    name="cfr-cyber-operations",
    actors="any",
    title="Council on Foreign Relations, Cyber Operations Tracker: state-sponsored cyber "
    "operations 2005-2022",
    publisher="Council on Foreign Relations (CFR), Digital and Cyberspace Policy program",
    homepage="https://www.cfr.org/cyber-operations/",
    licence="Published by CFR for public use without an explicit data licence (the copy's MIT "
    "licence covers its compiler's code); redistribution unclear.",
    redistribute=(),
    citation="Council on Foreign Relations, Cyber Operations Tracker, export of early 2023 "
    f"(github.com/justin-2028/State-Sponsored-Cyber-Operations-2005-Present, commit {COMMIT[:7]}).",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/justin-2028/State-Sponsored-Cyber-Operations-"
        f"2005-Present/{COMMIT}/{FILE}", f"cfr_cyber_operations/{FILE}"),),
    parse=parse,
    universe=Universe(years=(FIRST, LAST), note="CFR tracks publicly known state-sponsored "
                      "operations against any country since 2005; this export ends in 2022."),
    coverage="768 operations 2005-2022; China sponsored 265, Russia 158, Iran 98",
    notes="Victim countries read from free text: operations naming none are listed, not counted.",
)
