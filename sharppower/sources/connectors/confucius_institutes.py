"""Confucius Institutes: the worldwide list (NC State LAS) and the NAS US lists (Feb 2022).

`institutes_open` = institutes open in the target at the end of the year (actor CHN):
- outside the US, from the worldwide list: institutes whose opening date (`date_est`,
  m/d/yy) is in or before the year. No closing years are known there, and the list's
  `status` (Open/Closed) is a web-page heuristic, so it is not used. Institutes without an
  opening date are not counted; observations of a country with such institutes are
  flagged `undercount`.
- in the US, from the NAS lists of closed/closing and of open institutes: opened in or
  before the year and no closing decision in or before it (the decision year counts as
  closed). An institute on both NAS lists is taken from the closing list. The worldwide
  list's US rows carry no dates and are not used.
Years run from a country's first known opening to END_YEAR (the lists date from 2022).
`institutes_all` (exp_confucius_stock) counts every listed institute: undated ones are
counted from FIRST_CI (2004) and flagged `undated_included`; closures as above.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

WORLD = "confucius_institutes.csv"
CLOSING = "nas_us_ci_closing_feb2022.csv"
OPEN = "nas_us_ci_open_feb2022.csv"
END_YEAR = 2021
US = "USA"
FIRST_CI = 2004  # the first Confucius Institute opened in Seoul in November 2004


def _years(values, rows, file, field, required=False):
    return readers.text_years(values, rows, file, field, required, plausible=(FIRST_CI, 2030))


def institution_key(name: object) -> str:
    """Institution name without notes in brackets: 'University of Akron (will close ...)'."""
    text = re.sub(r"\(.*?\)", " ", str(name)).lower()
    return " ".join(w for w in re.sub(r"[^a-z0-9]+", " ", text).split() if w != "the")


def world_list(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Institutes outside the US: target, opened (year or NaN), _row."""
    df = readers.read_csv(snapshot.path(WORLD), WORLD,
                          required=["confucius_institute", "date_est", "country"])
    df["target"], warnings = res.resolve_report(df["country"], WORLD, df["_row"].tolist())
    df["opened"], more = _years(df["date_est"], df["_row"], WORLD, "date_est")
    n_us = int((df["target"] == US).sum())
    warnings += more + [f"{WORLD}: {n_us} US rows not used (no dates; the NAS lists give the US)"]
    df = df[df["target"].notna() & (df["target"] != US)]
    undated = int(df["opened"].isna().sum())
    warnings.append(f"{WORLD}: {undated} of {len(df)} institutes outside the US have no opening "
                    "date and are not counted in any year (observations flagged undercount)")
    return df[["target", "opened", "_row"]], warnings


def us_lists(snapshot: Snapshot) -> tuple[pd.DataFrame, list[str]]:
    """US institutes from the NAS lists: opened, closed (decision year or NaN), file, _row."""
    closing = readers.read_csv(snapshot.path(CLOSING), CLOSING,
                               required=["Institution", "Date opened", "Date of Decision"])
    still = readers.read_csv(snapshot.path(OPEN), OPEN,
                             required=["American Institution", "Date Started"])
    closing["opened"], w1 = _years(closing["Date opened"], closing["_row"], CLOSING,
                                           "Date opened")
    closing["closed"], w2 = _years(closing["Date of Decision"], closing["_row"], CLOSING,
                                           "Date of Decision", required=True)
    still["opened"], w3 = _years(still["Date Started"], still["_row"], OPEN, "Date Started")
    both = still["American Institution"].map(institution_key).isin(
        set(closing["Institution"].map(institution_key)))
    warnings = w1 + w2 + w3
    if both.any():
        warnings.append(f"{OPEN}: rows {', '.join(map(str, still.loc[both, '_row']))} are also on "
                        "the closing list; the closing list is used")
    out = pd.concat([
        closing.assign(file=CLOSING)[["opened", "closed", "file", "_row"]],
        still[~both].assign(closed=float("nan"), file=OPEN)[["opened", "closed", "file", "_row"]],
    ], ignore_index=True)
    out["target"] = US
    return out, warnings


def _refs(files: np.ndarray, rows: np.ndarray) -> tuple[str, str]:
    """('file; file', 'file rows 2-5, 9; file rows ...') for source rows of some files."""
    names = sorted(set(files))
    refs = [f"{f} rows {readers.row_ranges(rows[files == f])}" for f in names]
    return "; ".join(names), readers.shorten("; ".join(refs))


def counts(institutes: pd.DataFrame, end_year: int = END_YEAR) -> pd.DataFrame:
    """Open institutes per target x year, from first known opening to end_year."""
    rows = []
    for target, group in institutes.groupby("target", sort=True):
        opened = group["opened"].to_numpy(dtype=float)
        closed = group["closed"].to_numpy(dtype=float)
        files, source_rows = group["file"].to_numpy(dtype=object), group["_row"].to_numpy()
        dated = ~np.isnan(opened)
        undated = int((~dated).sum())
        if not dated.any():
            continue
        has_closed = ~np.isnan(closed)
        for year in range(int(opened[dated].min()), end_year + 1):
            now = dated & (opened <= year) & ~(has_closed & (closed <= year))
            names, refs = _refs(files[now], source_rows[now])
            rows.append({"target": target, "year": year, "institutes_open": int(now.sum()),
                         "source_file": names, "source_row": refs,
                         "flags": f"undercount: {undated} institutes without opening date"
                         if undated else None})
    return pd.DataFrame(rows)


UNDATED = "undated_included: {n} institutes without opening date counted from " + str(FIRST_CI)


def all_counts(institutes: pd.DataFrame, end_year: int = END_YEAR) -> pd.DataFrame:
    """`institutes_all` (exp_confucius_stock): every listed institute, those without an
    opening date counted from FIRST_CI (the first institute) and flagged undated_included."""
    undated = institutes[institutes["opened"].isna()].groupby("target").size()
    frame = counts(institutes.assign(opened=institutes["opened"].fillna(FIRST_CI)), end_year)
    flags = frame["target"].map(undated).map(lambda n: None if pd.isna(n) else UNDATED.format(n=int(n)))
    return pd.DataFrame({"target": frame["target"], "year": frame["year"],
                         "institutes_all": frame["institutes_open"].astype(float),
                         "source_file.institutes_all": frame["source_file"],
                         "source_row.institutes_all": frame["source_row"],
                         "flags.institutes_all": flags})


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x year: actor CHN, institutes_open and institutes_all."""
    res = res or resolver()
    world, warnings = world_list(snapshot, res)
    us, more = us_lists(snapshot)
    world = world.assign(closed=float("nan"), file=WORLD)
    institutes = pd.concat([world, us], ignore_index=True)
    frame = counts(institutes).merge(all_counts(institutes), on=["target", "year"], how="outer")
    for col in ("source_file", "source_row"):  # years with undated institutes only
        frame[col] = frame[col].fillna(frame[f"{col}.institutes_all"])
    frame.insert(0, "actor", "CHN")
    return readers.finish(frame.sort_values(["target", "year"]), warnings + more)


def _url(path: str) -> str:
    return f"https://raw.githubusercontent.com/LAS-NCSU/bridash/main/{path}"


CHECKED = "GitHub raw URL on the main branch; not fetched from here (no network)"
XLSX = ("the connector reads the workbook's first sheet (readers.read_csv reads a workbook where a "
        "CSV is expected); the mirror holds a CSV conversion of it")
FILES: Sequence[SourceFile] = (
    SourceFile(WORLD, _url("data_final/confucius_institutes.csv"),
               "confucius_institutes/confucius_institutes.csv", format="csv", checked=CHECKED),
    SourceFile(CLOSING, _url("data_processing/confucius_institutes/ci_exploration/"
                             "closed_institutes_us-2-22-22.xlsx"),
               "confucius_institutes/nas_us_ci_closing_feb2022.csv", format="xlsx",
               derive=XLSX, checked=CHECKED),
    SourceFile(OPEN, _url("data_processing/confucius_institutes/ci_exploration/"
                          "open_institutes_us-2-22-22.xlsx"),
               "confucius_institutes/nas_us_ci_open_feb2022.csv", format="xlsx",
               derive=XLSX, checked=CHECKED),
)

SOURCE = Source(
    name="confucius-institutes",
    universe=Universe(years=(2004, 2022), note="the list of every Confucius Institute opened (from 2004) and the US closures (to 2022): a country without one hosts none"),
    actors=("CHN",),
    title="Confucius Institutes worldwide, with the NAS lists of US institutes closed and open",
    publisher="NC State Laboratory for Analytic Sciences (bridash); National Association of Scholars",
    homepage="https://github.com/LAS-NCSU/bridash",
    licence="no licence stated (worldwide list compiled from public web sources); NAS lists "
    "published by the National Association of Scholars",
    redistribute=('observations', 'records'),
    citation="NC State Laboratory for Analytic Sciences, BRI dashboard: Confucius Institutes "
    "(status as of 2022-04-22); Peterson, R., National Association of Scholars, How Many "
    "Confucius Institutes Are in the United States? (lists of 22 February 2022).",
    files=tuple(FILES),
    parse=parse,
    coverage="148 host countries; openings 2004-2021; US closures 2014-2022",
    notes="Worldwide status field not used; US closures from NAS decision years.",
)
