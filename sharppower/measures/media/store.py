"""Writing a run into the store: media_runs, media_outlets, media_pairs and its
`sp_state_media_reuse` observations, in one transaction (nothing half-written).

A run's observations carry source `media-reuse` (corpus imports) or the pilot's source
name, `source_file` = the run, and `source_row` naming the run, country and year; the
pairs behind each value are the run's `media_pairs` rows for that actor, country and year.
Countries without articles in the run get no row: missing, never zero.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from sharppower.measures.media.tables import media_outlets, media_pairs, media_runs
from sharppower.sources.base import Source
from sharppower.sources.load import record_source
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_rows
from sharppower.store.tables import observations

INDICATOR = "sp_state_media_reuse"
UNIT = "share of articles"
CORPUS_SOURCE = Source(
    name="media-reuse", title="sharppower media reuse: state-media text republished locally",
    publisher="sharppower authors", homepage="https://github.com/sharppower/sharppower",
    licence="CC BY 4.0 (rates and matched pairs); the articles keep their publishers' terms",
    citation="Share of local articles reusing state-media text (MinHash/LSH candidates verified "
    "on word shingles), per imported corpus; each value lists its matched pairs.",
    files=(), kind="measure")
OUTLET_COLUMNS = [c.name for c in media_outlets.columns]
PAIR_COLUMNS = [c.name for c in media_pairs.columns if c.name != "id"]


def observations_frame(countries: pd.DataFrame, run: str, source: str) -> pd.DataFrame:
    def note(r) -> str:
        share = "" if pd.isna(r.unattributed_share) else f"; unattributed share {r.unattributed_share:.3f}"
        return (f"{r.reused} of {r.articles} articles in {r.outlets} outlets reuse {r.actor} state "
                f"media (outlets weighted by {r.weighting}){share}; pairs: media_pairs run={run}")
    return pd.DataFrame({
        "actor": countries["actor"], "target": countries["country"], "year": countries["year"],
        "indicator": INDICATOR, "value": countries["rate"], "unit": UNIT,
        "ci_low": countries["ci_low"], "ci_high": countries["ci_high"], "n": countries["articles"],
        "source": source, "source_file": run,
        "source_row": [f"run {run}: {c} {y}" for c, y in zip(countries["country"], countries["year"])],
        "note": [note(r) for r in countries.itertuples()],
    })


def pairs_frame(matches: pd.DataFrame, run: str) -> pd.DataFrame:
    m = matches.assign(run=run, year=matches["local_date"].str[:4].astype(int))
    return m.reindex(columns=PAIR_COLUMNS)


def delete_run(conn, run: str) -> None:
    for table in (media_pairs, media_outlets, media_runs):
        conn.execute(sa.delete(table).where(table.c.run == run))
    conn.execute(sa.delete(observations).where(
        (observations.c.indicator == INDICATOR) & (observations.c.source_file == run)))


def write_run(db: Database, run: dict, outlets: pd.DataFrame, pairs: pd.DataFrame,
              obs: pd.DataFrame, source: Source, snapshot=None, replace_source: bool = False) -> int:
    """Replace the run's rows (and, with replace_source, every observation of the source);
    returns the number of observations written."""
    outlets = outlets.assign(run=run["run"]).reindex(columns=OUTLET_COLUMNS)
    with db.begin() as conn:
        delete_run(conn, run["run"])
        if replace_source:
            conn.execute(sa.delete(observations).where(observations.c.source == source.name))
        conn.execute(media_runs.insert(), {**run, "created_at": datetime.now(UTC)})
        insert_rows(conn, media_outlets, frame_records(outlets))
        insert_rows(conn, media_pairs, frame_records(pairs))
        n = insert_rows(conn, observations, frame_records(obs))
        total = conn.execute(sa.select(sa.func.count()).select_from(observations).where(
            observations.c.source == source.name)).scalar()
        record_source(conn, source, snapshot, int(total))
    return n


def run_record(run: str, origin: str, method: str, params: dict | None, local_file: str | None,
               wire_file: str | None, articles: int, matches: int) -> dict:
    return {"run": run, "origin": origin, "method": method,
            "params": json.dumps(params, sort_keys=True) if params else None,
            "local_file": local_file, "wire_file": wire_file, "articles": articles,
            "matches": matches}
