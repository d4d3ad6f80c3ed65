"""Load a snapshot into the store: one transaction per source, idempotent.

The default path: `source.parse` -> `observations_from_frame` (sources/observations.py:
the codebook decides which variables become which indicators) -> replace the source's
observations. Parsing happens before the transaction, so a malformed file raises an
InputError and the store is left as it was; re-loading a snapshot whose checksum is
already recorded (with the same codebook indicators and connector code, see
`load_fingerprint`) changes nothing.
"""

from __future__ import annotations

import hashlib
import inspect
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
from sharppower.errors import SharppowerError
from sharppower.sources.base import Source
from sharppower.sources.observations import OBS_COLUMNS, observations_from_frame  # noqa: F401 (re-exported)
from sharppower.sources.snapshot import Snapshot
from sharppower.steps import LoadResult, fingerprint
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_rows
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
    return insert_rows(conn, observations, frame_records(obs))


Loader = Callable[[LoadContext, Snapshot], LoadResult]


def load_fingerprint(source: Source, snapshot: Snapshot, codebook: Codebook,
                     loader: Loader | None = None) -> str:
    """What a load depends on: the snapshot, the codebook indicators of the source and the
    code of its parser and loader. A change to any of them reloads the source."""
    spec = codebook.for_source(source.name)[["code", "variable", "unit", "actors"]]
    funcs = [loader or source.load or source.parse]
    if loader is not None and source.parse is not None:
        funcs.append(source.parse)
    code = "".join(_code_hash(f) for f in funcs)
    actors = parse_actors(source, codebook)  # a new declared actor reloads a generic source
    return fingerprint(snapshot.sha256, frame_records(spec), code, *([actors] if actors else []))


def parse_actors(source: Source, codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """The keyword arguments of an actor-generic source's parse: the declared actors."""
    return {"actors": tuple(codebook.actors)} if source.actors == "any" else {}


def _code_hash(func: Callable | None) -> str:
    try:
        path = inspect.getsourcefile(func)
        return hashlib.sha256(open(path, "rb").read()).hexdigest() if path else ""
    except (TypeError, OSError):
        return ""


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


def load_source(ctx: LoadContext, source: Source, snapshot: Snapshot,
                loader: Loader | None = None) -> LoadResult:
    """Parse and load one snapshot in one transaction; returns status "unchanged" without
    touching the store when the snapshot, the source's codebook indicators and the code
    are those of the last load (unless ctx.force).

    `loader(ctx, snapshot)` is the measure's own loading (a measure with its own tables
    owns it; the build orchestrator passes it, see `sharppower.build.LOADERS`); else the
    connector's `Source.load`, else the default: `parse` -> observations."""
    loader = loader or source.load
    if loader is None and source.owner:
        raise SharppowerError(f"source {source.name} is loaded by {source.owner}: pass its "
                              "loader (sharppower.build.load_snapshot does)")
    fingerprint_ = load_fingerprint(source, snapshot, ctx.codebook, loader)
    if (not ctx.force and loaded_sha(ctx.db, source.name) == snapshot.sha256
            and last_fingerprint(ctx.db, source.name) == fingerprint_):
        return unchanged_result(ctx.db, source.name)
    started = datetime.now(UTC)
    if loader is not None:
        result = loader(ctx, snapshot)
        with ctx.db.begin() as conn:
            record_load(conn, result, fingerprint_, started)
        return result
    frame = source.parse(snapshot, ctx.resolver, **parse_actors(source, ctx.codebook))
    obs = observations_from_frame(frame, ctx.codebook, source.name)
    stats = summarise(obs)
    warnings = list(frame.attrs.get("warnings", []))
    result = LoadResult(source.name, "loaded", stats["rows"], stats["countries"], stats["years"],
                        warnings)
    with ctx.db.begin() as conn:
        replace_observations(conn, source.name, obs)
        record_source(conn, source, snapshot, stats["rows"])
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
