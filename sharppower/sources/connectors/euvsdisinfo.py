"""EUvsDisinfo database of pro-Kremlin disinformation cases (EU East StratCom Task Force).

Read from the scrape github.com/cknabs/EUvsDisinfo (`data/posts.csv`, described by its
Frictionless `datapackage.json`): one row per case with `date` (publication date of the
case), `id` (the case's URL on euvsdisinfo.eu/report/...), `title`, and the
`+`-separated lists `countries`, `keywords`, `languages`, `outlets`.

`parse(snapshot)` returns one row per case (columns CASE_COLUMNS) with the lists split;
a missing column, an unreadable date, an id that is not a euvsdisinfo.eu URL or a
duplicate id is an error naming file, row and field. Which listed countries count as
targets, and what the task force covered, is the evidence measure's declared rule
(`measures/evidence/mappings/euvsdisinfo.yaml`); the connector only parses.

The case texts (summaries, disproofs) are not read and never redistributed; reuse terms
are unverified (SOURCE.md), so the source is declared not redistributable.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from sharppower.errors import InputError
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.readers import read_csv

FILE = "posts.csv"
DESCRIPTOR = "datapackage.json"
COMMIT = "c4acb109"
COLUMNS = ("date", "id", "title", "countries", "keywords", "languages", "outlets")
LISTS = ("countries", "keywords", "languages", "outlets")
CASE_COLUMNS = ["case_url", "date", "year", "title", *LISTS, "source_row"]
URL = re.compile(r"^https?://(www\.)?euvsdisinfo\.eu/report/[^\s]+$")


def split(value: str) -> list[str]:
    """'Russia+Ukraine+US' -> ['Russia', 'Ukraine', 'US'] (blanks dropped, order kept)."""
    out: list[str] = []
    for part in (value or "").split("+"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _date(text: str, row: int) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(FILE, f"not a YYYY-MM-DD date: {text!r}", row=row, field="date") from None


def parse_file(path: Path) -> pd.DataFrame:
    """Cases of posts.csv (CASE_COLUMNS), in file order."""
    df = read_csv(path, FILE, COLUMNS)
    rows = []
    for rec in df.to_dict("records"):
        url = rec["id"].strip()
        if not URL.match(url):
            raise InputError(FILE, f"not a euvsdisinfo.eu case URL: {url!r}", row=rec["_row"],
                             field="id")
        if not rec["title"].strip():
            raise InputError(FILE, "a case needs a title", row=rec["_row"], field="title")
        iso = _date(rec["date"], rec["_row"])
        rows.append({"case_url": url, "date": iso, "year": int(iso[:4]),
                     "title": rec["title"].strip(), **{k: split(rec[k]) for k in LISTS},
                     "source_row": rec["_row"]})
    frame = pd.DataFrame(rows, columns=CASE_COLUMNS)
    dupes = frame[frame["case_url"].duplicated()]
    if len(dupes):
        first = dupes.iloc[0]
        raise InputError(FILE, f"duplicate case id {first['case_url']}", row=first["source_row"],
                         field="id")
    return frame


def parse(snapshot) -> pd.DataFrame:
    return parse_file(snapshot.path(FILE))


SOURCE = Source(
    name="euvsdisinfo",
    actors=("RUS",),
    title="EUvsDisinfo database of pro-Kremlin disinformation cases",
    publisher="EU East StratCom Task Force (European External Action Service)",
    homepage="https://euvsdisinfo.eu/disinformation-cases/",
    licence="No licence stated; the content is EUvsDisinfo's and its reuse terms are "
    "unverified. Not redistributable: sharppower keeps the case links, dates, titles, "
    "countries, languages and outlets for research with attribution, never the case texts.",
    redistribute=('observations', 'records'),
    citation="EU East StratCom Task Force, EUvsDisinfo database (euvsdisinfo.eu), scraped by "
    f"github.com/cknabs/EUvsDisinfo (commit {COMMIT}), data/posts.csv, cases 2015-01-06 to "
    "2021-02-18.",
    files=(
        SourceFile(FILE, f"https://raw.githubusercontent.com/cknabs/EUvsDisinfo/{COMMIT}/data/posts.csv",
                   "euvsdisinfo/posts.csv", format="csv",
                   derive="a scraped copy of the EUvsDisinfo database, as published on GitHub",
                   checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),
        SourceFile(DESCRIPTOR,
                   f"https://raw.githubusercontent.com/cknabs/EUvsDisinfo/{COMMIT}/datapackage.json",
                   "euvsdisinfo/datapackage.json", format="json",
                   checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),
    ),
    parse=parse,
    coverage="10,892 pro-Kremlin disinformation cases, 2015-01 to 2021-02, in the languages "
    "the task force monitored",
    kind="evidence",
    notes="Imported as accepted evidence of Russian information manipulation; DISARM "
    "techniques are left to coders.",
    extra={"redistributable": False},
)
