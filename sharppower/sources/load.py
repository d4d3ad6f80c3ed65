"""Load a snapshot into the store: one transaction per source, idempotent.

The default load (`load_observations`): `source.parse` -> `observations_from_frame`
(sources/observations.py: the codebook decides which variables become which indicators) ->
replace the source's observations. A measure that keeps a source's data in its own tables
passes its loader. Parsing happens before the transaction, so a malformed file raises an
InputError and the store is left as it was. The build runs these through each source's
step (`sharppower.sources.steps`, skipped by the pipeline's fingerprint); `load_source` is
the same load for a single call: re-loading a snapshot whose checksum is already recorded
(with the same codebook indicators and connector code, see `load_fingerprint`) changes
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.codebook import Codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.sources.base import Source
from sharppower.sources.observations import OBS_COLUMNS, observations_from_frame  # noqa: F401 (re-exported)
from sharppower.sources.snapshot import Snapshot
from sharppower.steps import LoadResult, code_hash, fingerprint
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_frame, insert_rows
from sharppower.store.tables import build_log, observations, snapshot_files, sources


@dataclass
class LoadContext:
    db: Database
    codebook: Codebook
    resolver: CountryResolver = field(default_factory=resolver)
    force: bool = False


def summarise(obs: pd.DataFrame) -> dict[str, Any]:
    if obs.empty:
        return {"rows": 0, "countries": 0, "years": None}
    years = obs["year"].astype(int)
    return {"rows": len(obs), "countries": int(obs["target"].nunique()),
            "years": (int(years.min()), int(years.max()))}


def loaded_sha(db: Database, source: str) -> str | None:
    return db.scalar("SELECT sha256 FROM sources WHERE name = :n", {"n": source})


def record_source(conn: Connection, source: Source, snapshot: Snapshot | None, rows: int,
                  starter: bool = False) -> None:
    """Upsert the source's row and its snapshot files (inside the caller's transaction)."""
    now = datetime.now(UTC)
    values = {
        "name": source.name, "title": source.title, "publisher": source.publisher,
        "url": source.homepage, "licence": source.licence, "citation": source.citation,
        "retrieved_at": snapshot.retrieved_at if snapshot else None, "loaded_at": now,
        "sha256": snapshot.sha256 if snapshot else None, "rows": rows, "starter": starter,
    }
    conn.execute(sa.delete(sources).where(sources.c.name == source.name))
    conn.execute(sources.insert(), values)
    conn.execute(sa.delete(snapshot_files).where(snapshot_files.c.source == source.name))
    if snapshot:
        insert_rows(conn, snapshot_files, [
            {"source": source.name, "file": name, "url": meta["url"], "sha256": meta["sha256"],
             "bytes": meta["bytes"], "retrieved_at": datetime.fromisoformat(meta["retrieved_at"])}
            for name, meta in snapshot.files.items()
        ])


def replace_observations(conn: Connection, source: str, obs: pd.DataFrame) -> int:
    conn.execute(sa.delete(observations).where(observations.c.source == source))
    return insert_frame(conn, observations, obs)


Loader = Callable[[LoadContext, Snapshot], LoadResult]


def codebook_rows(codebook: Codebook, source: str) -> list:
    """The codebook indicators a source's load reads (code, variable, unit, actors)."""
    return frame_records(codebook.for_source(source)[["code", "variable", "unit", "actors"]])


def load_fingerprint(source: Source, snapshot: Snapshot, codebook: Codebook,
                     loader: Loader | None = None) -> str:
    """What a load depends on: the snapshot, the codebook indicators of the source and the
    code of its parser and loader. A change to any of them reloads the source."""
    code = code_hash(loader or load_observations, source.parse)
    actors = parse_actors(source, codebook)  # a new declared actor reloads a generic source
    return fingerprint(snapshot.sha256, codebook_rows(codebook, source.name), code,
                       *([actors] if actors else []))


def parse_actors(source: Source, codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """The keyword arguments of an actor-generic source's parse: the declared actors."""
    return {"actors": tuple(codebook.actors)} if source.actors == "any" else {}


def _load_step(source: str) -> str:
    return f"load:{source}"


def _last_load(db: Database, source: str) -> pd.DataFrame:
    return db.read("SELECT fingerprint, rows, countries, years, warnings FROM build_log "
                   "WHERE step = :s AND status = 'ok' ORDER BY id DESC LIMIT 1",
                   {"s": _load_step(source)})


def last_fingerprint(db: Database, source: str) -> str | None:
    last = _last_load(db, source)
    return None if last.empty else last["fingerprint"].iloc[0]


def unchanged_result(db: Database, source: str) -> LoadResult:
    """An "unchanged" result carrying what the last load reported (rows, years, warnings)."""
    last = _last_load(db, source)
    if last.empty:
        return LoadResult(source, "unchanged")
    row = last.iloc[0]
    years = tuple(int(y) for y in row["years"].split("-")) if row["years"] else None
    return LoadResult(source, "unchanged", int(row["rows"] or 0), int(row["countries"] or 0),
                      years, json.loads(row["warnings"] or "[]"))


def record_load(conn: Connection, result: LoadResult, fingerprint: str, started: datetime) -> None:
    """Log a successful load in build_log (step 'load:<source>') with its fingerprint."""
    conn.execute(build_log.insert(), {
        "step": _load_step(result.source), "fingerprint": fingerprint, "status": "ok",
        "started_at": started, "finished_at": datetime.now(UTC), "rows": result.rows,
        "countries": result.countries, "years": result.years_text,
        "warnings": json.dumps(result.warnings), "details": None,
    })


@dataclass
class Parsed:
    """A snapshot parsed into observations (what the default load writes)."""

    obs: pd.DataFrame
    warnings: list[str]


def parse_observations(ctx: LoadContext, source: Source, snapshot: Snapshot) -> Parsed:
    """Parse a snapshot and turn the codebook's variables into observations (no store
    access: a build may run it ahead in a worker, `Step.prefetch`)."""
    frame = source.parse(snapshot, ctx.resolver, **parse_actors(source, ctx.codebook))
    obs = observations_from_frame(frame, ctx.codebook, source.name)
    return Parsed(obs, list(frame.attrs.get("warnings", [])))


def write_observations(ctx: LoadContext, source: Source, snapshot: Snapshot,
                       parsed: Parsed) -> LoadResult:
    """Replace the source's observations and record the source, in one transaction."""
    stats = summarise(parsed.obs)
    with ctx.db.begin() as conn:
        replace_observations(conn, source.name, parsed.obs)
        record_source(conn, source, snapshot, stats["rows"])
    return LoadResult(source.name, "loaded", stats["rows"], stats["countries"], stats["years"],
                      parsed.warnings)


def load_observations(ctx: LoadContext, source: Source, snapshot: Snapshot) -> LoadResult:
    """The default load: parse, turn the codebook's variables into observations, replace the
    source's observations and record the source, in one transaction."""
    return write_observations(ctx, source, snapshot, parse_observations(ctx, source, snapshot))


def load_now(ctx: LoadContext, source: Source, snapshot: Snapshot,
             loader: Loader | None = None) -> LoadResult:
    """Load a snapshot with `loader(ctx, snapshot)` (a measure's) or the default load."""
    return loader(ctx, snapshot) if loader else load_observations(ctx, source, snapshot)


def load_source(ctx: LoadContext, source: Source, snapshot: Snapshot,
                loader: Loader | None = None) -> LoadResult:
    """Parse and load one snapshot; returns status "unchanged" without touching the store
    when the snapshot, the source's codebook indicators and the code are those of the last
    load by this function (unless ctx.force).

    `loader(ctx, snapshot)` is the load of the measure that keeps the source's data (the
    one its declared step uses: `sharppower.pipeline.load_snapshot` finds it); without
    it, the default load (`load_observations`)."""
    fingerprint_ = load_fingerprint(source, snapshot, ctx.codebook, loader)
    if (not ctx.force and loaded_sha(ctx.db, source.name) == snapshot.sha256
            and last_fingerprint(ctx.db, source.name) == fingerprint_):
        return unchanged_result(ctx.db, source.name)
    started = datetime.now(UTC)
    result = load_now(ctx, source, snapshot, loader)
    with ctx.db.begin() as conn:
        record_load(conn, result, fingerprint_, started)
    return result


def check_snapshot(source: Source, snapshot: Snapshot, codebook: Codebook, res) -> None:
    """Parse a snapshot and validate its values (what a load would store), storing nothing.
    Sources with their own loader and no parser are checked when they load."""
    if source.parse is None:
        return
    frame = source.parse(snapshot, res, **parse_actors(source, codebook))
    observations_from_frame(frame, codebook, source.name)


def flags_json(flags: list[str] | None) -> str | None:
    return json.dumps(flags) if flags else None
