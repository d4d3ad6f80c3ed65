"""V-Dem Country-Year dataset (v14), read by variable name.

The published file is V-Dem's full country-year CSV (in a zip, thousands of columns); the
mirror holds a core subset with the same column names. The parser reads the identifier
columns and only the variables the codebook names (so the full file parses too).
`country_text_id` is V-Dem's code: mostly ISO3; Gaza (PSG), Somaliland (SML) and Zanzibar
(ZZB) are in the resolver's skip list, Palestine/West Bank (PSE) is kept as PSE.
"""

from __future__ import annotations

import pandas as pd

from sharppower.codebook import load_codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.readers import (
    check_unique,
    finish,
    integers,
    numbers,
    read_csv,
    read_csv_header,
    row_refs,
)
from sharppower.sources.snapshot import Snapshot

FILE = "vdem_v14_core_2000_2023.csv"
MEMBER = "V-Dem-CY-Full+Others-v14.csv"  # the CSV inside the published zip
IDS = ["country_name", "country_text_id", "year"]
TEXT = {"country_name", "country_text_id", "histname", "codingstart_contemp", "codingend_contemp"}
WIDE = 300  # above this many columns (the full file) only the codebook's variables are read


def variables() -> list[str]:
    """The V-Dem variables codebook indicators name (source = vdem)."""
    ind = load_codebook().for_source("vdem")
    return sorted(set(ind["variable"].dropna()))


def header_of(snapshot: Snapshot) -> list[str]:
    return list(read_csv_header(snapshot.path(FILE), FILE, member=MEMBER))


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          wanted: list[str] | None = None) -> pd.DataFrame:
    """One row per target x year with the wanted V-Dem variables (default: the codebook's)."""
    res = res or resolver()
    wanted = wanted or variables()
    header = header_of(snapshot)
    if len(header) <= WIDE:  # the core subset: keep every variable it has
        wanted = sorted(set(wanted) | {c for c in header if c not in TEXT and c not in IDS})
    df = read_csv(snapshot.path(FILE), FILE, required=[*IDS, *wanted], usecols=[*IDS, *wanted],
                  member=MEMBER)
    df = integers(df, ["year"], FILE)
    df = numbers(df, wanted, FILE)
    df["target"], warnings = res.resolve_report(df["country_text_id"], FILE, df["_row"].tolist())
    df = df[df["target"].notna()].copy()
    check_unique(df, ["target", "year"], FILE)
    df["source_file"] = FILE
    df["source_row"] = row_refs(df)
    return finish(df[["target", "year", "country_name", *wanted, "source_file", "source_row"]],
                  warnings)


SOURCE = Source(
    name="vdem",
    actors=(),
    title="V-Dem Country-Year dataset v14 (core variables)",
    publisher="V-Dem Institute, University of Gothenburg",
    homepage="https://v-dem.net/data/the-v-dem-dataset/",
    licence="CC BY-SA 4.0",
    redistribute=('observations',),
    citation="Coppedge, M., Gerring, J., Knutsen, C. H., Lindberg, S. I., Teorell, J., et al. "
    "(2024). V-Dem [Country-Year] Dataset v14. Varieties of Democracy (V-Dem) Project. "
    "https://doi.org/10.23696/mcwt-fr58",
    files=(SourceFile(
        FILE,
        "https://v-dem.net/media/datasets/V-Dem-CY-FullOthers-v14_csv_YyKfizl.zip",
        "vdem/vdem_v14_core_2000_2023.csv",
        format="zip", member=MEMBER, max_bytes=4 * 1024**3,
        derive=f"{MEMBER} out of the published zip (all variables, 1789-2023; the connector "
        "reads its variables by name); the mirror holds a core subset, 2000-2023",
        checked="V-Dem's v14 download link as the connector has read it; not fetched from here",
    ),),
    parse=parse,
    coverage="179 countries, 2000-2023 (mirror subset; the full file covers 1789-2023)",
    notes="Variables read by name; the mirror's core subset keeps V-Dem's column names.",
)
