"""Load a snapshot into the store: one transaction per source, idempotent.

The default path: `source.parse` -> `observations_from_frame` (the codebook decides which
variables become which indicators) -> replace the source's observations. Parsing happens
before the transaction, so a malformed file raises an InputError and the store is left
as it was; re-loading a snapshot whose checksum is already recorded changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.codebook import Codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources.base import Source
from sharppower.sources.snapshot import Snapshot
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_rows
from sharppower.store.tables import observations, snapshot_files, sources


@dataclass
class LoadContext:
    db: Database
    codebook: Codebook
    resolver: CountryResolver = field(default_factory=resolver)
    force: bool = False


@dataclass
class LoadResult:
    source: str
    status: str  # loaded | unchanged | skipped
    rows: int = 0
    countries: int = 0
    years: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def years_text(self) -> str:
        return f"{self.years[0]}-{self.years[1]}" if self.years else ""


OBS_COLUMNS = [
    "actor", "target", "year", "indicator", "value", "unit", "se", "ci_low", "ci_high", "n",
    "source", "source_file", "source_row", "evidence_ids", "flags", "note",
]


def observations_from_frame(frame: pd.DataFrame, codebook: Codebook, source: str) -> pd.DataFrame:
    """Melt the variables that codebook indicators of this source name into observation rows."""
    wanted = codebook.for_source(source)
    wanted = wanted[wanted["variable"].notna()]
    parts = []
    for ind in wanted.itertuples(index=False):
        if ind.variable not in frame.columns:
            raise InputError(source, f"codebook indicator {ind.code} needs variable {ind.variable!r}, "
                             "which the parsed source does not have", field=ind.variable)
        part = frame[frame[ind.variable].notna()]
        if ind.actors and "actor" in part.columns:
            part = part[part["actor"].isin(ind.actors)]
        obs = pd.DataFrame({
            "actor": part["actor"] if "actor" in part.columns else None,
            "target": part["target"],
            "year": part["year"].astype(int),
            "indicator": ind.code,
            "value": part[ind.variable].astype(float),
            "unit": ind.unit,
            "source": source,
            "source_file": part.get("source_file"),
            "source_row": part.get("source_row"),
        })
        parts.append(obs)
    if not parts:
        return pd.DataFrame(columns=OBS_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.reindex(columns=OBS_COLUMNS)


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
    now = datetime.now(timezone.utc)
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


def load_source(ctx: LoadContext, source: Source, snapshot: Snapshot) -> LoadResult:
    """Parse and load one snapshot; unchanged snapshots are skipped unless ctx.force."""
    if not ctx.force and loaded_sha(ctx.db, source.name) == snapshot.sha256:
        return LoadResult(source.name, "unchanged")
    if source.load is not None:
        return source.load(ctx, snapshot)
    frame = source.parse(snapshot, ctx.resolver)
    obs = observations_from_frame(frame, ctx.codebook, source.name)
    stats = summarise(obs)
    with ctx.db.begin() as conn:
        replace_observations(conn, source.name, obs)
        record_source(conn, source, snapshot, stats["rows"])
    warnings = list(frame.attrs.get("warnings", []))
    return LoadResult(source.name, "loaded", stats["rows"], stats["countries"], stats["years"], warnings)


def flags_json(flags: list[str] | None) -> str | None:
    return json.dumps(flags) if flags else None
