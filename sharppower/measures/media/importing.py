"""`media import` and `media report`: from a match file and the local corpus to the tables
and the store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sharppower.codebook import packaged_codebook
from sharppower.errors import InputError
from sharppower.measures.media.corpus import read_corpus
from sharppower.measures.media.matchfile import read_matches
from sharppower.measures.media.report import WEIGHTINGS, actors_of, country_table, outlet_table
from sharppower.measures.media.store import (
    CORPUS_SOURCE,
    observations_frame,
    pairs_frame,
    run_record,
    write_run,
)
from sharppower.store import Database

METHOD = "MinHash/LSH candidates verified on word shingles (containment of the wire text)"


@dataclass
class Report:
    outlets: pd.DataFrame
    countries: pd.DataFrame
    matches: pd.DataFrame
    articles: int
    weighting: str


def build_report(matches_path: str | Path, local_path: str | Path, actors: list[str] | None = None,
                 weighting: str = "articles", on_error: str = "fail") -> Report:
    """Check the options, read the match file (checked line by line) and the local corpus,
    and tabulate reuse per outlet and country-year."""
    if weighting not in WEIGHTINGS:
        raise InputError("--weighting", f"must be one of {', '.join(WEIGHTINGS)}, "
                         f"not {weighting!r}")
    known = packaged_codebook().actors
    for actor in actors or []:
        if actor not in known:
            raise InputError("--actor", f"unknown actor {actor!r}: one of {', '.join(known)}")
    matches = read_matches(matches_path)
    local, _ = read_corpus(local_path, on_error)
    unknown = sorted(set(matches["local_id"]) - set(local["id"]))
    if unknown:
        raise InputError(str(matches_path), f"{len(unknown)} matches name local articles not in "
                         f"{local_path} (first: {unknown[0]!r})", field="local_id")
    actors = actors_of(matches, actors)
    if not actors:
        raise InputError(str(matches_path), "no match names an actor: give the actors with --actor "
                         "(a corpus without reuse is then 0 for them)", field="actor")
    outlets = outlet_table(local, matches[matches["actor"].isin(actors)], actors)
    return Report(outlets, country_table(outlets, weighting), matches, len(local), weighting)


def import_run(db: Database, report: Report, run: str, local_file: str, params: dict | None = None) -> int:
    """Store a report as run `run` (replacing an earlier import of the same name)."""
    obs = observations_frame(report.countries, run, CORPUS_SOURCE.name)
    record = run_record(run, CORPUS_SOURCE.name, f"{METHOD}; outlets weighted by {report.weighting}",
                        params, local_file, None, report.articles, len(report.matches))
    pairs = pairs_frame(report.matches, run)
    return write_run(db, record, report.outlets, pairs, obs, CORPUS_SOURCE)
