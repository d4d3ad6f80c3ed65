"""The latent model's fits, scores and validation in the store (tables: latent.tables)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from sharppower.index.latent.fit import PillarFit, StoredFit, pack, unpack
from sharppower.index.latent.tables import latent_fits, latent_scores, latent_validation
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_frame, insert_rows


def stored_fit(db: Database, actor: str, pillar: str) -> StoredFit | None:
    f = latent_fits.c
    rows = db.read(sa.select(f.fingerprint, f.targets, f.years, f.indicators, f.params)
                   .where(f.actor == actor, f.pillar == pillar))
    if rows.empty or rows.iloc[0]["params"] is None:
        return None
    r = rows.iloc[0]
    return StoredFit(str(r["fingerprint"]), json.loads(r["targets"]), json.loads(r["years"]),
                     json.loads(r["indicators"]), unpack(bytes(r["params"])))


def save_fit(db: Database, fit: PillarFit, settings: dict) -> None:
    """Store (replace) the fit of its actor x pillar, unless it came from the cache."""
    if fit.diagnostics.get("cached"):
        return
    d, diag = fit.data, fit.diagnostics
    with db.begin() as conn:
        conn.execute(sa.delete(latent_fits).where(latent_fits.c.actor == d.actor,
                                                  latent_fits.c.pillar == d.pillar))
        conn.execute(latent_fits.insert().values(
            actor=d.actor, pillar=d.pillar, fingerprint=fit.fingerprint,
            created_at=datetime.now(UTC), settings=json.dumps(settings, sort_keys=True),
            targets=json.dumps(d.targets), years=json.dumps(d.years),
            indicators=json.dumps(d.indicators), n_obs=int(diag["n_obs"]),
            steps=int(diag["steps"]), final_elbo=diag.get("final_elbo"),
            elbo_rel_change=diag.get("elbo_rel_change"), converged=diag.get("converged"),
            warm=bool(diag.get("warm")), seconds=float(diag.get("seconds", 0.0)),
            params=pack(fit.params)))


def save_scores(db: Database, scores: pd.DataFrame) -> None:
    """Replace the stored latent scores of the actors in `scores`."""
    with db.begin() as conn:
        for actor in pd.unique(scores["actor"]):
            conn.execute(sa.delete(latent_scores).where(latent_scores.c.actor == actor))
        columns = [c.name for c in latent_scores.c]
        insert_frame(conn, latent_scores, scores.reindex(columns=columns))


def read_scores(db: Database, actor: str | None = None, node: str | None = None) -> pd.DataFrame:
    stmt = sa.select(latent_scores)
    if actor:
        stmt = stmt.where(latent_scores.c.actor == actor)
    if node:
        stmt = stmt.where(latent_scores.c.node == node)
    return db.read(stmt.order_by(latent_scores.c.actor, latent_scores.c.node,
                                 latent_scores.c.year, latent_scores.c.rank))


def read_fits(db: Database) -> pd.DataFrame:
    """Diagnostics of the stored fits (without their parameters)."""
    f = latent_fits.c
    return db.read(sa.select(*[c for c in latent_fits.c if c.name != "params"])
                   .order_by(f.actor, f.pillar))


def read_validation(db: Database) -> pd.DataFrame:
    """The stored leave-one-source-out table (`validate --internal`): actor, pillar,
    source, indicator, spearman, n, created_at; empty before one is stored."""
    v = latent_validation.c
    return db.read(sa.select(latent_validation).order_by(v.actor, v.pillar, v.source,
                                                         v.indicator))


def save_validation(db: Database, table: pd.DataFrame) -> None:
    with db.begin() as conn:
        conn.execute(sa.delete(latent_validation))
        insert_rows(conn, latent_validation, frame_records(
            table.assign(created_at=datetime.now(UTC))
            .reindex(columns=[c.name for c in latent_validation.c])))
