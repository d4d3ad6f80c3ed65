"""World Bank Worldwide Governance Indicators (2020 release, data 1996-2019).

Two layouts are read: the long file as published in the processed copy of the WGI
workbook (`Country/Territory, Code, Year, Estimate, StdErr, ..., Indicator`, latin-1),
which also gives each estimate's standard error, and the wide extract of the mirror
(`iso3, country, year, wgi_cc, wgi_ge, wgi_pv, wgi_rq, wgi_rl, wgi_va`).
Codes are World Bank codes, some legacy (ROM, ZAR, TMP, ADO, WBG, KSV): the resolver
maps them; ANT (Netherlands Antilles, dissolved 2010) keeps its ISO 3166-3 code.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.snapshot import Snapshot

FILE = "wgi_estimates_wide_1996_2019.csv"
ENCODING = "utf-8,latin-1"
VARIABLES = {
    "ControlofCorruption": "wgi_cc", "GovernmentEffectiveness": "wgi_ge",
    "PoliticalStability": "wgi_pv", "RegulatoryQuality": "wgi_rq", "RuleofLaw": "wgi_rl",
    "VoiceandAccountability": "wgi_va",
}
WIDE = ["iso3", "year", *VARIABLES.values()]
LONG = ["Code", "Year", "Estimate", "StdErr", "Indicator"]


def _wide(path) -> pd.DataFrame:
    df = readers.read_csv(path, FILE, required=WIDE, encoding=ENCODING)
    df = readers.integers(df, ["year"], FILE)
    return readers.numbers(df, list(VARIABLES.values()), FILE)


def _long(path) -> pd.DataFrame:
    """Pivot the long layout to one row per code x year; se.<variable> from StdErr."""
    df = readers.read_csv(path, FILE, required=LONG, encoding=ENCODING)
    df = readers.integers(df, ["Year"], FILE)
    df = readers.numbers(df, ["Estimate", "StdErr"], FILE)
    unknown = ~df["Indicator"].isin(list(VARIABLES))
    if unknown.any():
        row = int(df.loc[unknown, "_row"].iloc[0])
        raise InputError(FILE, f"unknown indicator {df.loc[unknown, 'Indicator'].iloc[0]!r}",
                                 row=row, field="Indicator")
    df["var"] = df["Indicator"].map(VARIABLES)
    readers.check_unique(df, ["Code", "Year", "var"], FILE)
    wide = df.pivot(index=["Code", "Year"], columns="var", values=["Estimate", "StdErr", "_row"])
    wide = wide.reindex(columns=pd.MultiIndex.from_product(
        [["Estimate", "StdErr", "_row"], list(VARIABLES.values())]))
    out = pd.DataFrame({"iso3": wide.index.get_level_values(0),
                        "year": wide.index.get_level_values(1)})
    for var in VARIABLES.values():
        out[var] = wide[("Estimate", var)].to_numpy()
        out[f"se.{var}"] = wide[("StdErr", var)].to_numpy()
        out[f"source_row.{var}"] = [None if pd.isna(r) else str(int(r))
                                    for r in wide[("_row", var)]]
    out["_row"] = wide["_row"].min(axis=1).to_numpy()
    return out


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x year with the six estimates (and their standard errors)."""
    res = res or resolver()
    path = snapshot.path(FILE)
    header = readers.read_csv_header(path, FILE, encoding=ENCODING)
    df = _long(path) if "Indicator" in header else _wide(path)
    df["target"], warnings = res.resolve_report(df["iso3"], FILE, df["_row"].tolist())
    df = df[df["target"].notna()].copy()
    readers.check_unique(df, ["target", "year"], FILE)
    df["source_file"] = FILE
    if "source_row" not in df.columns:
        df["source_row"] = readers.row_refs(df)
    extra = [c for c in df.columns if c.startswith(("se.", "source_row."))]
    keep = ["target", "year", "iso3", *VARIABLES.values(), *extra, "source_file", "source_row"]
    return readers.finish(df[keep], warnings)


SOURCE = Source(
    name="wgi",
    actors=(),
    title="Worldwide Governance Indicators, 2020 update (1996-2019)",
    publisher="World Bank (Kaufmann and Kraay)",
    homepage="https://www.worldbank.org/en/publication/worldwide-governance-indicators",
    licence="CC BY 4.0 (World Bank open data terms)",
    redistribute=('observations',),
    citation="Kaufmann, D., Kraay, A. and Mastruzzi, M. (2010). The Worldwide Governance "
    "Indicators: Methodology and Analytical Issues. World Bank Policy Research Working Paper "
    "5430. Data: Worldwide Governance Indicators, 2020 update, www.govindicators.org.",
    files=(SourceFile(
        FILE,
        "https://raw.githubusercontent.com/Global-Development-and-Politics-of-Data/"
        "Chapter12_Governance/master/data/2020_Worldwide_Governance_Indicators_1996-2019.csv",
        "wgi/wgi_estimates_wide_1996_2019.csv",
        format="csv",
        derive="the connector reads the published long CSV (with standard errors); the mirror "
        "holds a wide extract of the estimates, which it reads too",
        checked="GitHub raw URL on the master branch; not fetched from here (no network)",
    ),),
    parse=parse,
    coverage="about 214 economies; 1996, 1998, 2000, then 2002-2019",
    notes="Reads the published long CSV (with standard errors) or the mirror's wide extract.",
)
