"""Pew Research Center Global Attitudes Survey: the harmonised respondent-level file.

`pew_all_opi.RDS` (worldregio/pew_opi, harmonised from Pew's Spring waves 2002-2023):
617k respondents with wav (year), sta (ISO3 of the public; PLS is a second code of PSE),
wgt (weight) and the favourability battery opi_USA, opi_CHN, opi_RUS, ... as factors
(Very favorable / Somewhat favorable / Somewhat unfavorable / Very unfavorable / DK /
Refused; NA = not asked). `parse` validates the file and caches the respondent frame as
Parquet beside the snapshot; the opinion measure (`sharppower.measures.opinion.build`)
loads it and computes the estimates. Respondents are never written to the database.
Pew's own per-wave SPSS files load through `sharppower opinion import-wave` and a column
mapping (`sharppower.measures.opinion.waves`).
"""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources.actors import declared
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.respondents import resolve_publics, response_codes, weights, years
from sharppower.sources.snapshot import Snapshot

FILE = "pew_all_opi.RDS"
URL = "https://raw.githubusercontent.com/worldregio/pew_opi/HEAD/data/pew_all_opi.RDS"
ROW_LABEL = FILE + ": wav={year}, sta={code}"
REQUIRED = ("wav", "sta", "wgt")


def read_rds(path, name: str = FILE, res: CountryResolver | None = None) -> pd.DataFrame:
    """Read and validate the RDS; return the respondent frame (see opinion.schema)."""
    import pyreadr

    try:
        raw = next(iter(pyreadr.read_r(str(path)).values()))
    except (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError,
            StopIteration, ValueError) as exc:  # a cut-off or corrupt file
        raise InputError(name, f"not a readable R data file: {exc}") from exc
    return harmonise(raw, name, res or resolver())


def harmonise(raw: pd.DataFrame, name: str, res: CountryResolver) -> pd.DataFrame:
    for col in REQUIRED:
        if col not in raw.columns:
            raise InputError(name, f"missing column (the file has {', '.join(map(str, raw.columns))})",
                             row="header", field=col)
    items = [c for c in raw.columns if str(c).startswith("opi_") and c != "opi_rel"]
    if not items:
        raise InputError(name, "no favourability column opi_<ACTOR>", row="header", field="opi_*")
    out = pd.DataFrame({
        "year": years(raw["wav"], name, "wav"),
        "public_code": raw["sta"].astype(str).to_numpy(),
        "weight": weights(raw["wgt"], name, "wgt"),
    })
    out["public"] = resolve_publics(out["public_code"], name, res, "sta")
    for col in items:
        out[col] = response_codes(raw[col], name, col)
    return out


def cache_path(snapshot: Snapshot):
    return snapshot.path(f"{FILE}.{snapshot.files[FILE]['sha256'][:16]}.parquet")


def respondents(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """The validated respondent frame of a snapshot, from its Parquet cache when present."""
    cache = cache_path(snapshot)
    if cache.exists():
        return pd.read_parquet(cache)
    frame = read_rds(snapshot.path(FILE), FILE, res)
    tmp = cache.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(cache)
    return frame


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The respondent frame: every rated actor's column (the opinion measure estimates the
    states of `opinion.schema.STATE_ACTORS`; `unasked` lists declared actors not rated)."""
    return respondents(snapshot, res)


def unasked(resp: pd.DataFrame, actors: tuple[str, ...] | None = None) -> list[str]:
    """A warning per declared actor the survey does not ask about (no `opi_<ISO3>` column)."""
    return [f"{SOURCE.name}: no rows for declared actor {a} (the survey does not ask about it)"
            for a in declared(actors) if f"opi_{a}" not in resp.columns]


SOURCE = Source(
    name="pew-global-attitudes",
    actors="any",
    title="Pew Research Center Global Attitudes Survey: favourability of the USA, China, "
    "Russia and others (harmonised respondent-level file, 2002-2023)",
    publisher="Pew Research Center (harmonised by C. Grasland, worldregio/pew_opi)",
    homepage="https://www.pewresearch.org/global/datasets/",
    licence="Pew Research Center dataset terms of use (attribution; registration for the "
    "original files); the harmonised repository states no licence",
    redistribute=('observations',),
    citation="Pew Research Center, Global Attitudes Survey, Spring waves 2002-2023; harmonised "
    "respondent file pew_all_opi.RDS from C. Grasland, worldregio/pew_opi (GitHub, 2024).",
    files=(SourceFile(FILE, URL, "pew_global_attitudes/pew_all_opi.RDS", format="rds",
                      derive="the RDS as published (read with pyreadr)",
                      checked="GitHub raw URL at HEAD (a new commit is a changed checksum); not "
                      "fetched from here (no network)"),),
    parse=parse,
    coverage="617,345 respondents; 70 publics; 2002-2023; China 2005-2023, Russia 2007-2023",
    kind="survey",
    notes="The 2013 China column tracks the USA column (flagged by the lock-step check); "
    "PLS (2014) is a second code of PSE; self-ratings are excluded from cross-national figures.",
)
