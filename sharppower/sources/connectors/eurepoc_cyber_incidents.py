"""EuRepoC, European Repository of Cyber Incidents: state-attributed cyber operations,
initiator country x receiver country x year, for every declared actor.

The published dyad table `dashboard_initiators_data.csv` (EuRepoC dashboard extract of
4 December 2023) has one row per incident x receiver x initiator x incident type; it is
de-duplicated on (ID, receiver_country, initiator_country) before counting (SOURCE.md).
- `incidents`: incidents the actor initiated against the target that started in the year
  (year of `start_date`);
- `incidents_weighted`: the same, each incident weighted 1 / its number of receiver
  countries, so a campaign hitting 72 countries (incident 2353) weighs 1 in total, not 72.
  The number counts the distinct countries among the incident's receivers (regions and
  institutions are not countries and are not counted), the initiator's own territory left out.
Rules: an actor is the initiator whose name resolves to it (every attribution category:
State, state-affiliation suggested, ...); receivers that are regions, blocs or
institutions ("Europe (region)", "EU (institutions)", "United Nations", ...) are skipped
and counted in a warning, as are rows without a start date; self-targeting rows
(initiator = receiver: China -> China) are dropped, counted. Only non-zero rows are
produced: the universe (every target, 2000-2023) says that a target-year without a
record had none.
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "dashboard_initiators_data.csv"
COMMIT = "955418ad927232a629637aa50b8f293f9591b3c0"
REQUIRED = ["ID", "start_date", "receiver_country", "initiator_country"]
KEY = ["ID", "receiver_country", "initiator_country"]
# receiver/initiator values that name no single country (besides "... (region)" and
# "... (institutions)"): skipped and counted
NOT_COUNTRIES = {"", "Unknown", "Not available", "Africa", "Eastern Europe", "Western Europe",
                 "Northern Europe", "North America", "South America", "Caucasus", "ISIS",
                 "United Nations", "United Nations Organization", "Interpol", "UNICEF",
                 "United Nations Economic and Social Council", "World Anti-Doping Agency",
                 "United Nations Environment Programme", "International Association of Athletics Federations",
                 "Organization for Security and Cooperation in Europe"}
FIRST, LAST = 2000, 2023


def not_a_country(name: str) -> bool:
    return name in NOT_COUNTRIES or name.endswith(("(region)", "(institutions)"))


def read_dyads(path, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Distinct (ID, receiver, initiator) rows with target, initiator ISO3, year, _row;
    a value that is neither a country nor a declared non-country is an InputError."""
    df = readers.read_csv(path, FILE, REQUIRED)
    df = df.drop_duplicates(KEY, keep="first")
    warnings = []
    for col in ("receiver_country", "initiator_country"):
        skip = df[col].map(not_a_country)
        iso = df[col].where(skip, None).map(lambda v: None)
        iso[~skip] = df.loc[~skip, col].map(res.resolve)
        bad = ~skip & iso.isna()
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise InputError(FILE, f"not a country EuRepoC names: {df[col].iloc[i]!r}",
                             row=int(df["_row"].iloc[i]), field=col)
        df[col + "_iso3"] = iso
        if skip.any():
            top = df.loc[skip, col].value_counts().head(5)
            warnings.append(f"{FILE}: {int(skip.sum())} (ID, receiver, initiator) rows skipped "
                            f"for {col} naming no country (e.g. "
                            + ", ".join(f"{k!r} {v}" for k, v in top.items()) + ")")
    dated = df["start_date"].str.match(r"^\d{4}-\d{2}-\d{2}$")
    bad = ~dated & (df["start_date"] != "")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise InputError(FILE, f"not a YYYY-MM-DD date: {df['start_date'].iloc[i]!r}",
                         row=int(df["_row"].iloc[i]), field="start_date")
    if (~dated).any():
        warnings.append(f"{FILE}: {int((~dated).sum())} rows without a start_date skipped")
    df = df[dated].assign(year=lambda d: d["start_date"].str[:4].astype(int))
    return df.rename(columns={"receiver_country_iso3": "target",
                              "initiator_country_iso3": "initiator"}), warnings


def weights(dyads: pd.DataFrame) -> pd.Series:
    """1 / number of distinct receiver countries of the incident (initiator's own left out)."""
    countries = dyads[dyads["target"].notna() & (dyads["target"] != dyads["initiator"])]
    n = countries.groupby("ID")["target"].nunique()
    return 1.0 / dyads["ID"].map(n)


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per declared actor x target x start year with at least one incident."""
    res, actors = res or resolver(), declared(actors)
    dyads, warnings = read_dyads(snapshot.path(FILE), res)
    dyads["weight"] = weights(dyads)
    dyads = dyads[dyads["target"].notna() & dyads["initiator"].isin(actors)]
    own = dyads["target"] == dyads["initiator"]
    if own.any():
        warnings.append(f"{FILE}: {int(own.sum())} self-targeting rows dropped (initiator = "
                        "receiver, e.g. China -> China: domestic operations or a campaign that "
                        "also lists the initiator's territory)")
    dyads = dyads[~own].rename(columns={"initiator": "actor"})
    grouped = dyads.groupby(["actor", "target", "year"])
    df = grouped.agg(incidents=("ID", "nunique"), incidents_weighted=("weight", "sum")).reset_index()
    df["source_file"] = FILE
    df["source_row"] = [readers.shorten("rows " + readers.row_ranges(g["_row"]) + "; IDs "
                                        + ", ".join(sorted(set(g["ID"]), key=int)))
                        for _, g in grouped]
    warnings += missing_warnings(SOURCE.name, df, actors, "no incident it initiated")
    return readers.finish(df, warnings)


SOURCE = Source(
    name="eurepoc-cyber-incidents",
    actors="any",
    title="European Repository of Cyber Incidents (EuRepoC): dashboard extract, 4 December 2023",
    publisher="EuRepoC consortium (Heidelberg University, University of Innsbruck, SWP Berlin, "
    "Cyber Policy Institute)",
    homepage="https://eurepoc.eu/",
    licence="No licence stated for the dashboard extract (the Zenodo releases are the citable "
    "form); redistribution unclear.",
    redistribute=(),
    citation="European Repository of Cyber Incidents (EuRepoC), data extract of 4 December 2023 "
    f"(github.com/swp-berlin/EuRepoC_Cyber_Incident_Dashboard, app/data, commit {COMMIT[:7]}).",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/swp-berlin/EuRepoC_Cyber_Incident_Dashboard/"
        f"{COMMIT}/app/data/{FILE}", f"eurepoc_cyber_incidents/{FILE}"),),
    parse=parse,
    universe=Universe(years=(FIRST, LAST), note="EuRepoC records politically relevant cyber "
                      "incidents against any country; start dates 2000-2023 in this extract."),
    coverage="2,465 incidents 2000-2023, about 170 receiver countries; every declared actor as "
    "initiator (China 295 incidents, Russia 274, Iran 129)",
    notes="Publicly reported incidents only: detection and reporting bias towards the US, "
    "Europe and East Asia. Every attribution category counts.",
)
